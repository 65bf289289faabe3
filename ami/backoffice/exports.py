"""Exports of the dossier list (back-office « AMI › Dossiers »): XLSX and CSV of the filtered list.

The columns follow the paper dossier: the dossier-level questions in the printed layout of
`ami.pdf` (the same sections, the same order), the libraries' in `LIBRARY_SECTIONS`, every
header being the question's wording (the model field's verbose name). No list of labels
lives here.

- XLSX (openpyxl, write-only): sheets « Dossiers » (one row per dossier), « Bibliothèques »
  (one row per library, with its dossier's receipt and commune), « Objectifs »,
  « Engagements » and « Groupes de travail » (one row per dossier and answer). Numbers are
  numbers, dates are dates (Europe/Paris, naive as Excel wants), yes/no answers « Oui » /
  « Non », the header row is frozen and columns have a width.
- CSV: the « Dossiers » sheet only, `;`-separated, UTF-8 with a BOM, decimal comma and
  dd/mm/yyyy dates, so that a French Excel opens it as it is. The other sheets are in the XLSX.

Built in memory in one pass with a constant number of queries (500 dossiers × 3 libraries in
about 1.3 s of CPU, under the 3 s budget: see `make bench`). Private resume links are never read.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Prefetch
from django.http import HttpResponse, HttpResponseForbidden
from django.utils import timezone
from django.utils.text import capfirst
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.compat import safe_string
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from wagtail_modeladmin.views import IndexView

from ami import questionnaire
from ami.models import Commune, Dossier, Library, WorkingGroupSignup
from home.dates import to_paris

EXPORT_PERMISSION = "ami.view_dossier"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
# A header shorter than this (« Nom », « Le », « Date »…) is prefixed with its section title.
SHORT_LABEL = 12
OBJECTIVES_SECTION = "Objectifs"


def can_export_dossiers(user) -> bool:
    """Exports hold every answer and personal data: the same people who may read dossiers."""
    return bool(user and user.is_active and user.has_perm(EXPORT_PERMISSION))


# --- Columns ------------------------------------------------------------------------------


@dataclass
class Column:
    header: str
    value: Callable[[Any], Any]
    width: float = 20


def _label(model, name: str) -> str:
    return capfirst(str(model._meta.get_field(name).verbose_name))


def _headed(section: str, label: str, ambiguous: set[str]) -> str:
    if label in ambiguous or len(label) < SHORT_LABEL:
        return f"{section} – {label}"
    return label


def _width(field: models.Field | None, header: str) -> float:
    if isinstance(field, models.TextField):
        base = 60
    elif isinstance(field, models.DateTimeField):
        base = 17
    elif isinstance(field, models.DateField):
        base = 12
    elif isinstance(field, models.IntegerField | models.DecimalField | models.BooleanField):
        base = 12
    else:
        base = 24
    return float(min(60, max(base, len(header) // 3)))


def _yes_no(value):
    return None if value is None or value == "" else ("Oui" if value else "Non")


def converter(field: models.Field, engagement: bool = False) -> Callable[[Any, dict | None], Any]:
    """How a field's value becomes a cell: numbers and dates typed, « Oui » / « Non », choices
    by their label, engagements by the campaign's wording (`labels`). Computed once per column."""
    if isinstance(field, models.BooleanField | models.FileField):
        return lambda value, labels=None: _yes_no(value)
    if field.choices:
        choices = {key: str(label) for key, label in field.flatchoices}
        return lambda value, labels=None: None if value in (None, "") else choices.get(value, value)
    if engagement:
        return lambda value, labels=None: None if value in (None, "") else (labels or {}).get(value, value)
    if isinstance(field, models.DateTimeField):
        return lambda value, labels=None: None if value is None else to_paris(value).replace(tzinfo=None)
    if isinstance(field, models.IntegerField | models.DecimalField | models.DateField):
        return lambda value, labels=None: value
    return lambda value, labels=None: None if value in (None, "") else str(value)


def field_value(field: models.Field, value, engagement_labels: dict | None = None):
    """A cell value (see `converter`)."""
    engagement = engagement_labels is not None and field.name.startswith("engagement_")
    return converter(field, engagement)(value, engagement_labels)


def _engagement_labels(dossier: Dossier) -> dict:
    cache = _engagement_labels.cache  # type: ignore[attr-defined]
    campaign = dossier.campaign
    if campaign.pk not in cache:
        cache[campaign.pk] = dict(campaign.engagement_choices())
    return cache[campaign.pk]


_engagement_labels.cache = {}  # type: ignore[attr-defined]


def _names(communes) -> str | None:
    return ", ".join(c.name for c in communes) or None


def _model_column(model, name: str, section: str, ambiguous: set[str], getter=None) -> Column:
    field = model._meta.get_field(name)
    header = _headed(section, _label(model, name), ambiguous)
    if getter is None:
        if isinstance(field, models.ManyToManyField):
            def getter(obj, name=name):
                return _names(getattr(obj, name).all())
        elif model is Dossier and name.startswith("engagement_"):
            convert, attname = converter(field, engagement=True), field.attname

            def getter(obj):
                return convert(getattr(obj, attname), _engagement_labels(obj))
        else:
            convert, attname = converter(field), field.attname

            def getter(obj):
                return convert(getattr(obj, attname))
    return Column(header, getter, _width(field, header))


def _ambiguous(model, layout) -> set[str]:
    seen, twice = set(), set()
    for _title, names in layout:
        for name in names:
            if name.startswith("@"):
                continue
            label = _label(model, name)
            (twice if label in seen else seen).add(label)
    return twice


def _is_column(model, name: str) -> bool:
    try:
        model._meta.get_field(name)
    except Exception:
        return False
    return True


def _dossier_sections():
    """The dossier-level sections of ami.questionnaire, in paper order, as (title, [names]):
    the answers stored on the dossier plus the « @… » rows the PDF prints for the others."""
    layout = []
    for step in questionnaire.QUESTIONNAIRE:
        if step.model != "ami.Dossier":
            continue
        for section in step.sections:
            names = [n for q in section.questions for n in q.printed_names]
            names = [n for n in names if n.startswith("@") or _is_column(Dossier, n)]
            if names:
                layout.append((section.title, names))
    return layout


def _dossier_layout():
    return [(t, [n for n in names if n != "@commune"]) for t, names in _dossier_sections()]


def _library_sections():
    return questionnaire.library_sections()


def _specials() -> dict[str, Column]:
    return {
        "@head_commune": Column(
            _label(Dossier, "head_commune"), lambda d: d.head_commune.name if d.head_commune else None, 24
        ),
        "@communes": Column(_label(Dossier, "communes"), lambda d: _names(d.communes.all()), 40),
        "@signed_document": Column(
            _label(Dossier, "signed_document"), lambda d: "Oui" if d.signed_document else "Non", 16
        ),
    }


def dossier_columns() -> list[Column]:
    def submitted(d):
        return field_value(Dossier._meta.get_field("submitted_at"), d.submitted_at)

    columns = [
        Column(_label(Dossier, "receipt_number"), lambda d: d.receipt_number or None, 18),
        Column(_label(Dossier, "campaign"), lambda d: d.campaign.title, 30),
        Column(_label(Dossier, "commune"), lambda d: d.commune.name, 24),
        Column(_label(Dossier, "status"), lambda d: d.get_status_display(), 12),
        Column(_label(Dossier, "submitted_at"), submitted, 17),
        Column(_label(Dossier, "version"), lambda d: d.version, 10),
    ]
    layout = _dossier_layout()
    ambiguous = _ambiguous(Dossier, layout)
    specials = _specials()
    for title, names in layout:
        for name in names:
            if name.startswith("@"):
                if name in specials:
                    columns.append(specials[name])
                continue
            columns.append(_model_column(Dossier, name, title, ambiguous))
    return columns


def _dossier_keys() -> list[Column]:
    return [
        Column(_label(Dossier, "receipt_number"), lambda d: d.receipt_number or None, 18),
        Column(_label(Dossier, "commune"), lambda d: d.commune.name, 24),
    ]


def library_columns() -> list[Column]:
    sections = [(t, [n for n in names if _is_column(Library, n)]) for t, names in _library_sections()]
    ambiguous = _ambiguous(Library, sections)
    return [_model_column(Library, name, title, ambiguous) for title, names in sections for name in names]


def _answer_sections() -> list[tuple[str, list[str]]]:
    engagements = {section.title for section in questionnaire.step("engagements").sections} | {"Engagements obligatoires"}
    return [
        (title, [n for n in names if not n.startswith("@")])
        for title, names in _dossier_sections()
        if title in engagements and title != OBJECTIVES_SECTION
    ]


# --- Rows -----------------------------------------------------------------------------------


def export_queryset(queryset):
    """The filtered dossiers with everything the sheets read, in a constant number of queries."""
    return (
        queryset.select_related("campaign", "commune", "head_commune")
        .prefetch_related(None)
        .prefetch_related(
            Prefetch("communes", queryset=Commune.objects.order_by("name")),
            Prefetch(
                "libraries",
                queryset=Library.objects.order_by("sort_order", "id").prefetch_related(
                    Prefetch("associated_communes", queryset=Commune.objects.order_by("name"))
                ),
            ),
            Prefetch(
                "working_group_signups",
                queryset=WorkingGroupSignup.objects.select_related("group").order_by("group__sort_order", "group__name"),
            ),
        )
    )


@dataclass
class Sheet:
    title: str
    headers: list[str]
    widths: list[float]
    rows: list[list]


def build_sheets(queryset) -> list[Sheet]:
    _engagement_labels.cache = {}  # type: ignore[attr-defined]
    dossiers = list(export_queryset(queryset))
    keys = _dossier_keys()
    d_cols = dossier_columns()
    l_cols = library_columns()
    objective_label = "Objectif"
    level_label = "Niveau"

    libraries_rows, objective_rows, engagement_rows, group_rows = [], [], [], []
    dossier_rows = []
    answer_fields = [
        (capfirst(str(field.verbose_name)), field.attname, converter(field, field.name.startswith("engagement_")))
        for field in (Dossier._meta.get_field(name) for _title, names in _answer_sections() for name in names)
    ]
    signup_group = _label(WorkingGroupSignup, "group")
    signup_agents = _label(WorkingGroupSignup, "agent_names")
    other_text = Dossier._meta.get_field("objective_other_text")
    objective_questions = questionnaire.objective_questions()
    for dossier in dossiers:
        key = [c.value(dossier) for c in keys]
        dossier_rows.append([c.value(dossier) for c in d_cols])
        for library in dossier.libraries.all():
            libraries_rows.append(key + [library.sort_order + 1] + [c.value(library) for c in l_cols])
        for q in objective_questions:
            level = getattr(dossier, q.name)
            if level:
                detail = dossier.objective_other_text or None if q.name == "objective_other" else None
                objective_rows.append(key + [q.label, level, detail])
        labels = _engagement_labels(dossier)
        for label, attname, convert in answer_fields:
            engagement_rows.append(key + [label, convert(getattr(dossier, attname), labels)])
        for signup in dossier.working_group_signups.all():
            group_rows.append(key + [signup.group.name, signup.agent_names or None])

    key_headers = [c.header for c in keys]
    key_widths = [c.width for c in keys]
    return [
        Sheet("Dossiers", [c.header for c in d_cols], [c.width for c in d_cols], dossier_rows),
        Sheet(
            "Bibliothèques",
            key_headers + ["Bibliothèque n°"] + [c.header for c in l_cols],
            key_widths + [12] + [c.width for c in l_cols],
            libraries_rows,
        ),
        Sheet(
            "Objectifs",
            key_headers + [objective_label, level_label, capfirst(str(other_text.verbose_name))],
            key_widths + [60, 8, 40],
            objective_rows,
        ),
        Sheet("Engagements", key_headers + ["Engagement", "Réponse"], key_widths + [80, 24], engagement_rows),
        Sheet("Groupes de travail", key_headers + [signup_group, signup_agents], key_widths + [40, 40], group_rows),
    ]


# --- Writers --------------------------------------------------------------------------------


def build_xlsx(queryset) -> bytes:
    return write_xlsx(build_sheets(queryset))


def write_xlsx(sheets: list[Sheet]) -> bytes:
    """A workbook of `sheets`: bold wrapped header row, frozen; column widths; dates formatted.

    openpyxl (write-only) writes the package: workbook, styles, sheet views, column widths and
    each sheet's header row. The data rows, some 200,000 cells for 500 dossiers × 3 libraries,
    are then written into each sheet's `<sheetData>` by `_data_rows`, in the very XML openpyxl
    writes for a cell (inline strings, numbers, dates as serials with a date style openpyxl
    registered): openpyxl's per-cell objects cost 15 µs a cell, three times the export's budget.
    """
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    worksheets = []
    for sheet in sheets:
        ws = workbook.create_sheet(sheet.title)
        ws.freeze_panes = "A2"
        for index, width in enumerate(sheet.widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        header = []
        for text in sheet.headers:
            cell = WriteOnlyCell(ws, value=text)
            cell.font = bold
            cell.alignment = wrap
            header.append(cell)
        ws.append(header)
        worksheets.append(ws)
    styles = {}
    for kind, number_format in ((dt.date, DATE_FORMAT), (dt.datetime, DATETIME_FORMAT)):
        cell = WriteOnlyCell(worksheets[0])
        cell.number_format = number_format
        styles[kind] = cell.style_id  # registers the style in the workbook's styles.xml
    skeleton = io.BytesIO()
    workbook.save(skeleton)
    rows_by_path = {ws.path.lstrip("/"): sheet.rows for ws, sheet in zip(worksheets, sheets, strict=True)}
    return _with_data_rows(skeleton.getvalue(), rows_by_path, styles, workbook.epoch)


def _with_data_rows(package: bytes, rows_by_path: dict[str, list[list]], styles: dict, epoch) -> bytes:
    """`package` (openpyxl's workbook, header rows only) with each sheet's data rows appended."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename not in rows_by_path:
                target.writestr(info, data)
                continue
            head, tail = data.split(b"</sheetData>", 1)
            part = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            part.compress_type = zipfile.ZIP_DEFLATED
            with target.open(part, "w", force_zip64=True) as stream:
                stream.write(head)
                for chunk in _data_rows(rows_by_path[info.filename], styles, epoch):
                    stream.write(chunk.encode("utf-8"))
                stream.write(b"</sheetData>" + tail)
    return out.getvalue()


# Text as lxml escapes it for openpyxl; the control characters that XML 1.0 forbids (openpyxl
# refuses them with IllegalCharacterError, a 500) are dropped.
_XML_TEXT = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;", "\ufffe": None, "\uffff": None}
    | {chr(code): None for code in [*range(0, 9), 11, 12, *range(14, 32)]}
)
_XML_SPECIAL = re.compile(r"[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_MAX_TEXT = 32767  # Excel's limit for a cell; openpyxl truncates too
_CHUNK_ROWS = 500


def _data_rows(rows: list[list], styles: dict, epoch):
    """The `<row>` elements from row 2 on, a few hundred rows a chunk."""
    letters: list[str] = []
    chunk: list[str] = []
    for row_number, row in enumerate(rows, start=2):
        if len(row) > len(letters):
            letters = [get_column_letter(index) for index in range(1, len(row) + 1)]
        cells = "".join(
            _cell(f"{letter}{row_number}", value, styles, epoch)
            for letter, value in zip(letters, row, strict=False)
            if value is not None and value != ""
        )
        chunk.append(f'<row r="{row_number}">{cells}</row>')
        if len(chunk) == _CHUNK_ROWS:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def _cell(ref: str, value, styles: dict, epoch) -> str:
    """One cell: str → inline string (never a formula, even when it starts with « = »), bool →
    boolean, numbers, date and datetime → Excel serial with its date style."""
    kind = type(value)
    if kind not in _CELL_KINDS:
        kind = next((base for base in _CELL_KINDS if isinstance(value, base)), kind)
    if kind is str:
        text = value[:_MAX_TEXT]
        space = ' xml:space="preserve"' if text != text.strip() else ""
        if _XML_SPECIAL.search(text):
            text = text.translate(_XML_TEXT)
        return f'<c r="{ref}" t="inlineStr"><is><t{space}>{text}</t></is></c>'
    if kind is bool:
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if kind is int or kind is float or kind is Decimal:
        return f'<c r="{ref}" t="n"><v>{value if kind is int else safe_string(value)}</v></c>'
    if kind is dt.datetime or kind is dt.date:
        return f'<c r="{ref}" s="{styles[kind]}" t="n"><v>{to_excel(value, epoch)}</v></c>'
    raise TypeError(f"No spreadsheet cell for {kind.__name__}: {value!r}")


# bool before int, datetime before date: the first base class that matches a subclass wins.
_CELL_KINDS = (str, bool, int, float, Decimal, dt.datetime, dt.date)


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal | float):
        return format(value, "f").replace(".", ",")
    return str(value)


def build_csv(queryset) -> bytes:
    """The « Dossiers » sheet as CSV for a French Excel: `;`, UTF-8 with a BOM, decimal comma."""
    return write_csv(build_sheets(queryset)[0])


def write_csv(sheet: Sheet) -> bytes:
    """One sheet as CSV for a French Excel: `;`, UTF-8 with a BOM, decimal comma, dd/mm/yyyy."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(sheet.headers)
    for row in sheet.rows:
        writer.writerow([_csv_value(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def export_filename(extension: str) -> str:
    return f"dossiers-ami-{timezone.localdate():%Y-%m-%d}.{extension}"


def export_response(queryset, export_format: str) -> HttpResponse:
    if export_format == "xlsx":
        return attachment_response(build_xlsx(queryset), XLSX_CONTENT_TYPE, export_filename(export_format))
    return attachment_response(build_csv(queryset), "text/csv; charset=utf-8", export_filename(export_format))


def attachment_response(content: bytes, content_type: str, filename: str) -> HttpResponse:
    """A file to download, never cached (it holds the campaign's answers)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


class DossierIndexView(IndexView):
    """The dossier list, whose ?export=xlsx / ?export=csv give the filtered list as a file.

    The buttons « Exporter (XLSX) » / « Exporter (CSV) » (template
    modeladmin/ami/dossier/index.html) link to the current URL plus `export=`: the same
    filters, search and ordering as the list on screen."""

    def can_export(self) -> bool:
        return can_export_dossiers(self.request.user)

    def dispatch(self, request, *args, **kwargs):
        # A plain 403 (Wagtail turns a raised PermissionDenied into a redirect to the dashboard).
        if request.GET.get(self.EXPORT_VAR) in self.FORMATS and not can_export_dossiers(request.user):
            return HttpResponseForbidden(
                "Vous n’avez pas l’autorisation d’exporter les dossiers.", content_type="text/plain; charset=utf-8"
            )
        return super().dispatch(request, *args, **kwargs)

    def get_filters_params(self, params=None):
        """Only the list's own filters read the query string: an unknown key (a hand-typed lookup such
        as ?access_tokens__token_hash__startswith=…) is ignored, never passed to the ORM."""
        params = super().get_filters_params(params)
        known = {spec.parameter_name for spec in self.list_filter if hasattr(spec, "parameter_name")}
        return {key: value for key, value in params.items() if key in known}

    def get_search_results(self, request, queryset, search_term):
        # A NUL character cannot be sent to PostgreSQL: it separates words like a space.
        return super().get_search_results(request, queryset, search_term.replace("\x00", " "))

    def as_spreadsheet(self, queryset, spreadsheet_format):
        if not self.can_export():
            raise PermissionDenied
        return export_response(queryset, spreadsheet_format)
