"""French typography for text shown to readers (one place, used by the `fr_typo` template filter).

- a narrow no-break space (U+202F) inside « » and before ; : ? ! — replacing an ordinary or
  no-break space, or inserted when there is none, so « and ; never start a line;
- ordinals in superscript: « 1er », « 1re », « 2e » → 1<sup>er</sup>, 1<sup>re</sup>, 2<sup>e</sup>.

Left alone: addresses (https://…, www.…, e-mail addresses), times (14:30), anything that is not
followed by a space (« ?q=bnm », « a:b »), HTML tags and their attributes, HTML entities, and
the text of <code>, <pre>, <script>, <style>, <textarea> and <title>. Applying it twice gives
the same result.
"""
from __future__ import annotations

import html
import re

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

NNBSP = "\u202f"
_SPACES = " \u00a0\u202f\u2009"  # ordinary, no-break, narrow no-break, thin

# Text that must be copied as it is: web and e-mail addresses.
_PROTECTED = re.compile(r"(?:https?://|ftp://|mailto:|www\.)[^\s<>«»]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
# Space (or none) before ; : ? ! when the mark ends a word: followed by a space, a closing
# mark or the end of the text. A colon needs a letter or a closing bracket/quote before it
# (never a digit: « 14:30 », « 2:1 »).
_BEFORE_HIGH = re.compile(rf"(?<![\s{_SPACES}(\[«])[{_SPACES}]*([;?!]+)(?=[\s{_SPACES}»)\].,]|$)")
_BEFORE_COLON = re.compile(
    rf"(?:(?<=[^\W\d_])|(?<=[)\]»])|^)[{_SPACES}]*:(?=[\s{_SPACES}]|$)|(?<=\d)[{_SPACES}]+:(?=[\s{_SPACES}]|$)"
)
_AFTER_OPEN = re.compile(rf"«[{_SPACES}]*")
_BEFORE_CLOSE = re.compile(rf"[{_SPACES}]*»")
_ORDINAL = re.compile(r"(?<![\w])(1)(er|re|ers|res)(?![\w])|(?<![\w])(\d+)(e|es)(?![\w])")

_SKIPPED_ELEMENTS = {"code", "pre", "script", "style", "textarea", "title", "sup"}
_TAG = re.compile(r"(<!--.*?-->|<[^>]*>)", re.DOTALL)
_TAG_NAME = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9-]*)")


def _punctuation(text: str) -> str:
    text = _AFTER_OPEN.sub("«" + NNBSP, text)
    text = _BEFORE_CLOSE.sub(NNBSP + "»", text)
    text = _BEFORE_HIGH.sub(lambda m: NNBSP + m.group(1), text)
    text = _BEFORE_COLON.sub(NNBSP + ":", text)
    return text


# A text with none of these has nothing to change: it is only escaped (most titles, labels, links).
_TRIGGERS = re.compile(r"[«»;:?!]|\d[er]")


def _text_to_html(text: str) -> str:
    """Plain text → escaped HTML with the typography applied (ordinals as <sup>)."""
    if not _TRIGGERS.search(text):
        return html.escape(text, quote=False)
    out, last = [], 0
    for match in _PROTECTED.finditer(text):
        out.append(_plain_to_html(text[last:match.start()]))
        out.append(html.escape(match.group(0), quote=False))
        last = match.end()
    out.append(_plain_to_html(text[last:]))
    return "".join(out)


def _plain_to_html(text: str) -> str:
    if not text:
        return ""
    text = _punctuation(text)
    out, last = [], 0
    for match in _ORDINAL.finditer(text):
        out.append(html.escape(text[last:match.start()], quote=False))
        number = match.group(1) or match.group(3)
        suffix = match.group(2) or match.group(4)
        out.append(f"{number}<sup>{suffix}</sup>")
        last = match.end()
    out.append(html.escape(text[last:], quote=False))
    return "".join(out)


def typography_html(markup: str) -> str:
    """Apply the typography to the text nodes of an HTML fragment (tags copied as they are)."""
    parts = _TAG.split(markup)
    skipped: list[str] = []
    out = []
    for index, part in enumerate(parts):
        if index % 2:  # a tag or a comment
            out.append(part)
            name = _TAG_NAME.match(part)
            if name and name.group(2).lower() in _SKIPPED_ELEMENTS and not part.rstrip().endswith("/>"):
                tag = name.group(2).lower()
                if name.group(1):
                    if tag in skipped:
                        del skipped[len(skipped) - 1 - skipped[::-1].index(tag)]
                else:
                    skipped.append(tag)
        elif part:
            out.append(part if skipped else _text_to_html(html.unescape(part)))
    return "".join(out)


def french_text(text: str) -> str:
    """Plain text with the spacing rules (no HTML, no superscript): for text that is not HTML,
    such as the messages the AMI's scripts show from a JSON answer. Addresses are left alone."""
    out, last = [], 0
    for match in _PROTECTED.finditer(text):
        out += [_punctuation(text[last:match.start()]), match.group(0)]
        last = match.end()
    out.append(_punctuation(text[last:]))
    return "".join(out)


def plural(count: int, singular: str, plural: str) -> str:
    """« 0 dossier », « 1 dossier », « 2 dossiers »: in French, 0 and 1 take the singular."""
    return f"{count} {singular if count < 2 else plural}"


# Results already computed in this process, by input: the same titles, menus, rich texts and
# block texts come back on every page view. A text's result depends on the text only, so an
# entry never goes stale; the whole memo is dropped when it would hold more than _MEMO_MAX_CHARS.
_memo: dict[tuple[bool, str], str] = {}
_memo_chars = 0
_MEMO_MAX_CHARS = 4_000_000
_MEMO_MAX_TEXT = 200_000


def _memoized(is_html: bool, text: str) -> str:
    global _memo_chars
    key = (is_html, text)
    result = _memo.get(key)
    if result is None:
        result = typography_html(text) if is_html else _text_to_html(text)
        size = len(text) + len(result)
        if size <= _MEMO_MAX_TEXT:
            if _memo_chars + size > _MEMO_MAX_CHARS:
                _memo.clear()
                _memo_chars = 0
            _memo[key] = result
            _memo_chars += size
    return result


def french_typography(value) -> SafeString:
    """Safe HTML: plain text is escaped first, safe HTML (rich text) is changed in its text nodes only."""
    if value is None:
        return mark_safe("")
    if hasattr(value, "__html__"):
        return mark_safe(_memoized(True, str(conditional_escape(value))))
    return mark_safe(_memoized(False, str(value)))
