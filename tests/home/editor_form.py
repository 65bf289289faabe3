"""The POST an editor's browser sends when saving a Wagtail page edit form unchanged.

Plain fields (inputs, textareas, selects, Draftail's hidden contentstate input) are read from the
form's HTML (wagtail.test.utils.form_data.querydict_from_html). A StreamField is rendered as a
`<div data-block … data-w-block-arguments-value="[state, errors]">` that Wagtail's JavaScript
turns into `name-count`, `name-0-type`, `name-0-value-…` inputs: `stream_post_data` does what
that script does, from the same form state.
"""
from __future__ import annotations

import json

from bs4 import BeautifulSoup
from django.http import QueryDict
from wagtail import blocks
from wagtail.test.utils.form_data import querydict_from_html


def _block_data(block, state, prefix: str, data: QueryDict) -> None:
    if isinstance(block, blocks.StreamBlock):
        data[f"{prefix}-count"] = str(len(state))
        for i, child in enumerate(state):
            data[f"{prefix}-{i}-type"] = child["type"]
            data[f"{prefix}-{i}-deleted"] = ""
            data[f"{prefix}-{i}-order"] = str(i)
            data[f"{prefix}-{i}-id"] = child.get("id") or ""
            _block_data(block.child_blocks[child["type"]], child["value"], f"{prefix}-{i}-value", data)
    elif isinstance(block, blocks.ListBlock):
        data[f"{prefix}-count"] = str(len(state))
        for i, child in enumerate(state):
            data[f"{prefix}-{i}-deleted"] = ""
            data[f"{prefix}-{i}-order"] = str(i)
            data[f"{prefix}-{i}-id"] = child.get("id") or ""
            _block_data(block.child_block, child["value"], f"{prefix}-{i}-value", data)
    elif isinstance(block, blocks.StructBlock):
        for name, child in block.child_blocks.items():
            _block_data(child, state.get(name), f"{prefix}-{name}", data)
    elif isinstance(block, blocks.BooleanBlock):
        if state:
            data[prefix] = "on"
    elif isinstance(block, blocks.ChoiceBlock):  # a <select>: its state is Select.format_value's list
        values = state if isinstance(state, list) else [state]
        data.setlist(prefix, [str(v) for v in values if v is not None] or [""])
    elif isinstance(block, blocks.ChooserBlock):
        data[prefix] = "" if not state else str(state["id"] if isinstance(state, dict) else state)
    else:
        data[prefix] = "" if state is None else str(state)


def edit_form_post_data(html: str, page) -> QueryDict:
    """The unchanged edit form of `page` (its response HTML) as the browser would submit it."""
    data = querydict_from_html(html, form_id="page-edit-form")
    data._mutable = True
    form = BeautifulSoup(html, "html.parser").find("form", id="page-edit-form")
    # A browser sends « on » for a ticked checkbox without a value attribute (Django's CheckboxInput).
    for box in form.find_all("input", type="checkbox", checked=True):
        if box.get("name") and "value" not in box.attrs:
            data.setlist(box["name"], ["on"])
    for div in form.find_all("div", attrs={"data-block": True}):
        name = div["id"]
        state, _errors = json.loads(div["data-w-block-arguments-value"])
        field = type(page)._meta.get_field(name)
        _block_data(field.stream_block, state, name, data)
    return data
