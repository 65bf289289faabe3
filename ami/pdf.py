"""PDF of a whole dossier (WeasyPrint), rendered from a snapshot dict.

- render_dossier_pdf(dossier, version=None) -> bytes
- render_snapshot_pdf(snapshot, *, receipt_number, version_number, submitted_at) -> bytes
- get_or_create_version_pdf(version) -> bytes   (stored once in version.pdf, private storage)
- draft_dossier_pdf(dossier) -> bytes   (the current answers, rendered again only when they change)

Labels are the model fields' verbose names (the paper dossier's wording). Every answer in the
snapshot is printed: fields not placed in a known section land in « Autres réponses ».
No network access: the only URLs WeasyPrint may fetch are data: URLs.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal, InvalidOperation
from functools import cache
from types import SimpleNamespace

from django.core.cache import cache as django_cache
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from ami import questionnaire
from ami.constants import DELEGATION_NOTE, SIGNATURE_NOTE
from ami.forms.fields import YES_NO_CHOICES
from ami.models import Dossier, DossierVersion, Library, WorkingGroupSignup
from core.public_urls import absolute_url
from home.dates import format_date_fr, format_time_fr, to_paris

EMPTY = "—"
# The blank questionnaire's Volet 1 (the source: « dupliquez ce volet pour présenter chacune des
# bibliothèques du réseau »).
BLANK_LIBRARY_NOTE = (
    "Remplissez ce volet pour chaque bibliothèque ; pour un réseau, un volet par bibliothèque du réseau."
)

# Columns that are not answers (ami.questionnaire.UNDECLARED_COLUMNS): never in « Autres réponses »,
# which prints the columns of a snapshot that the declaration does not place (a safety net).
DOSSIER_META = questionnaire.UNDECLARED_COLUMNS["ami.Dossier"]
LIBRARY_META = questionnaire.UNDECLARED_COLUMNS["ami.Library"]


# The questionnaire's answers printed otherwise than by their own column (declared by each
# question's `printed_as`; "@…" rows are built in build_document), for the callers that read it.
PRINTED_AS = {q.name: list(q.printed_as) for q in questionnaire.dossier_questions() if q.printed_as}


def _layout(step_slug: str) -> list[tuple[str, list[str]]]:
    """A step's sections (ami.questionnaire) as (title, [printed names])."""
    return [
        (section.title, [name for q in section.questions for name in q.printed_names])
        for section in questionnaire.step(step_slug).sections
    ]


# --- Formatting ----------------------------------------------------------------


def paris_datetime_label(value: dt.datetime | str | None) -> str:
    """« 30 septembre 2022 à 23 h 59 » in Europe/Paris (value may come from a JSON snapshot)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is None:
        return EMPTY
    local = to_paris(value)
    return f"{format_date_fr(local.date())} à {format_time_fr(local.time())}"


def date_label(value: dt.date | str | None) -> str:
    if isinstance(value, str):
        value = parse_date(value[:10])
    return format_date_fr(value) if value else EMPTY


def _number_fr(value: Decimal, places: int) -> str:
    text = f"{value:,.{places}f}".replace(",", "\u202f").replace(".", ",")
    return text


def number_label(value, *, money: bool = False) -> str:
    """A figure in French: « 1\u202f234,5 », « 12\u202f500 € », « 1\u202f234,50 € » (at most two
    decimals, none shown for a whole number); « — » for no value."""
    if value is None:
        return EMPTY
    number = Decimal(str(value)).quantize(Decimal("0.01"))
    whole = number == number.to_integral_value()
    if money:
        return f"{_number_fr(number, 0 if whole else 2)}\u00a0€"
    text = _number_fr(number, 2)
    return text.rstrip("0").rstrip(",") if not whole else _number_fr(number, 0)


def format_value(field: models.Field, value, labels: dict) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(field, models.BooleanField):
        return "Oui" if value else "Non"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.name.startswith("engagement_") and isinstance(field, models.CharField):
        return labels.get("engagement_choices", {}).get(value, value)
    if isinstance(field, models.DecimalField):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return str(value)
        if field.decimal_places == 2 and field.max_digits == 12:  # amounts in euros
            return f"{_number_fr(number, 2)} €"
        return _number_fr(number, 2).rstrip("0").rstrip(",")
    if isinstance(field, models.DateTimeField):
        return paris_datetime_label(value)
    if isinstance(field, models.DateField):
        return date_label(value)
    if isinstance(field, models.FileField):
        return "Document joint" if value else EMPTY
    return str(value)


def _communes_label(communes) -> str:
    return ", ".join(c["name"] for c in communes or []) or EMPTY


# --- Building the printed structure --------------------------------------------


def _blank_row(model, field: models.Field, labels: dict) -> dict:
    """A question of the blank questionnaire: its paper wording and what a hand fills in, the
    boxes of its choices (« OUI / NON », the campaign's years…), one box, or room to write."""
    q = questionnaire.question(model._meta.label, field.name)
    row = {"label": str(field.verbose_name), "value": "", "help": str(field.help_text or ""),
           "lead": q.lead if q else ""}
    if isinstance(field, models.BooleanField):
        if field.null:
            row["choices"] = [label for _value, label in YES_NO_CHOICES]
        else:
            row["box"] = True
    elif field.choices:
        row["choices"] = [str(label) for value, label in field.flatchoices if value != ""]
    elif q is not None and q.kind == "engagement":
        choices = dict(labels.get("engagement_choices", {}))
        if not q.next_year:
            choices.pop("n+1", None)
        row["choices"] = list(choices.values())
    else:
        row["tall"] = isinstance(field, models.TextField | models.ManyToManyField)
    return row


def _rows(model, data: dict, names: list[str], labels: dict, used: set, extra: dict, blank=False) -> list[dict]:
    rows = []
    for name in names:
        if name.startswith("@"):
            if name in extra:
                rows.append(extra[name])
            continue
        try:
            field = model._meta.get_field(name)
        except Exception:  # a field renamed or removed: printed in « Autres réponses » if still in data
            continue
        if name not in data:
            continue
        used.add(name)
        if blank:
            rows.append(_blank_row(model, field, labels))
            continue
        if isinstance(field, models.ManyToManyField):
            value = _communes_label(data[name])
        else:
            value = format_value(field, data[name], labels)
        rows.append({"label": str(field.verbose_name), "value": value, "help": str(field.help_text or "")})
    return rows


def _leftover_rows(model, data: dict, used: set, skip: set, labels: dict) -> list[dict]:
    rows = []
    for name, value in data.items():
        if name in used or name in skip:
            continue
        try:
            field = model._meta.get_field(name)
        except Exception:
            rows.append({"label": name, "value": str(value) if value not in (None, "") else EMPTY, "help": ""})
            continue
        if isinstance(field, models.ManyToManyField):
            shown = _communes_label(value)
        else:
            shown = format_value(field, value, labels)
        rows.append({"label": str(field.verbose_name), "value": shown, "help": ""})
    return rows


def _sections(model, data, layout, labels, used, extra=None, blank=False, intros=None):
    extra = extra or {}
    intros = intros or {}
    return [
        {"title": title, "intro": intros.get(title, ""), "rows": _rows(model, data, names, labels, used, extra, blank)}
        for title, names in layout
    ]


def _intros(campaign: dict) -> dict[str, str]:
    """Each section's intro (ami.questionnaire), with the campaign's years, by section title; the
    paper's notes on validation and signature above the sections that ask for them."""
    years = SimpleNamespace(statistics_year=campaign.get("statistics_year"),
                            first_engagement_year=campaign.get("first_engagement_year"))
    intros = {s.title: s.intro_for(years) for step in questionnaire.QUESTIONNAIRE for s in step.sections if s.intro}
    for section in questionnaire.step("commune").sections + questionnaire.step("validation").sections:
        kinds = {q.name: q.kind for q in section.questions}
        if "validation_mode" in kinds:
            intros.setdefault(section.title, DELEGATION_NOTE)
        if "file" in kinds.values():
            intros.setdefault(section.title, SIGNATURE_NOTE)
    return intros


def build_document(snapshot: dict, *, blank: bool = False) -> list[dict]:
    """The parts of the printed dossier: [{title, blocks: [{title, level, rows}]}]. `blank`: the
    questionnaire to fill by hand (every question with its boxes or room to write, the sections'
    intros, one library section to copy for each library)."""
    data = snapshot.get("dossier", {})
    labels = snapshot.get("labels", {})
    used: set[str] = set()
    communes = snapshot.get("communes") or []
    signed = snapshot.get("signed_document") or {}
    signed_value = EMPTY
    if signed.get("name"):
        size = signed.get("size")
        signed_value = "Document joint"
        if size:
            signed_value += f" ({max(1, round(size / 1024))} Ko"
            if signed.get("uploaded_at"):
                signed_value += f", déposé le {paris_datetime_label(signed['uploaded_at'])}"
            signed_value += ")"
    head = snapshot.get("head_commune")
    commune = snapshot.get("commune") or {}
    intros = _intros(snapshot.get("campaign") or {}) if blank else {}
    extra = {
        "@commune": {"label": "Nom de la commune", "value": commune.get("name") or EMPTY, "help": ""},
        "@head_commune": {"label": "Commune tête de réseau", "value": head["name"] if head else EMPTY, "help": ""},
        "@communes": {"label": "Communes du réseau", "value": _communes_label(communes), "help": ""},
        "@signed_document": {
            "label": str(Dossier._meta.get_field("signed_document").verbose_name), "value": signed_value, "help": "",
        },
    }
    groups = snapshot.get("working_groups") or []
    groups_section = next(
        section for section in questionnaire.step("objectifs").sections if any(q.kind == "signup" for q in section.questions)
    )
    extra["@groups"] = {
        "title": groups_section.title,
        "intro": groups_section.intro,
        "rows": [
            {"label": g["group"], "value": g.get("agent_names") or "Inscrit (agent non précisé)", "help": ""}
            for g in groups
        ]
        or [{"label": "Inscriptions", "value": "Aucune inscription", "help": ""}],
    }
    if blank:
        agents_label = str(WorkingGroupSignup._meta.get_field("agent_names").verbose_name)
        for key in ("@commune", "@head_commune", "@communes"):
            extra[key].update(value="", tall=key == "@communes")
        extra["@signed_document"].update(value="", signature=True)
        extra["@groups"]["rows"] = [
            {"label": g["group"], "value": "", "help": "", "box": True, "write_in": agents_label} for g in groups
        ]

    def part(step_slugs):
        blocks = []
        for slug in step_slugs:
            for title, names in _layout(slug):
                if names == ["working_groups"]:
                    blocks.append(extra["@groups"])
                else:
                    blocks += _sections(Dossier, data, [(title, names)], labels, used, extra, blank, intros)
        return blocks

    volet_1 = []
    for index, library in enumerate(snapshot.get("libraries") or [], start=1):
        lib_used: set[str] = set()
        name = library.get("name") or f"Bibliothèque n° {index}"
        if blank:
            volet_1.append({"title": "Une bibliothèque", "level": 3, "rows": [], "intro": BLANK_LIBRARY_NOTE})
        else:
            volet_1.append({"title": f"Bibliothèque {index} : {name}", "level": 3, "rows": []})
        for section in _sections(Library, library, questionnaire.library_sections(), labels, lib_used, blank=blank):
            section["level"] = 4
            volet_1.append(section)
        leftovers = _leftover_rows(Library, library, lib_used, LIBRARY_META, labels)
        if leftovers:
            volet_1.append({"title": "Autres réponses", "level": 4, "rows": leftovers})
    if not volet_1:
        volet_1.append({"title": "Aucune bibliothèque renseignée", "level": 3, "rows": []})

    parts = []
    for title, step_slugs in questionnaire.PAPER_PARTS:
        if step_slugs == ("bibliotheques",):
            parts.append({"title": title, "blocks": volet_1})
        else:
            parts.append({"title": title, "blocks": part(step_slugs)})
    leftovers = _leftover_rows(Dossier, data, used, DOSSIER_META, labels)
    if leftovers:
        parts.append({"title": "Autres réponses", "blocks": [{"title": "Autres réponses", "rows": leftovers}]})
    for printed in parts:
        for block in printed["blocks"]:
            block.setdefault("level", 3)
    return parts


# --- Rendering -------------------------------------------------------------------


def _url_fetcher():
    from weasyprint.urls import URLFetcher

    # Only inline data: URLs; never the network, never the file system.
    return URLFetcher(allowed_protocols={"data"})


def render_snapshot_pdf(
    snapshot: dict, *, receipt_number: str | None, version_number: int | None, submitted_at, blank: bool = False
) -> bytes:
    from weasyprint import HTML

    campaign = snapshot.get("campaign") or {}
    communes = snapshot.get("communes") or []
    commune = (snapshot.get("commune") or {}).get("name", "")
    names = [c["name"] for c in communes] or [commune]
    context = {
        "campaign_title": campaign.get("title", ""),
        "commune": commune,
        "communes_label": ", ".join(n for n in names if n),
        "receipt_number": receipt_number,
        "version_number": version_number,
        "submitted_label": paris_datetime_label(submitted_at) if submitted_at else None,
        "closes_label": paris_datetime_label(campaign.get("closes_at")) if campaign.get("closes_at") else None,
        "generated_label": paris_datetime_label(timezone.now()),
        "parts": build_document(snapshot, blank=blank),
        "library_count": len(snapshot.get("libraries") or []),
        "blank": blank,
        "call_url": absolute_url(reverse("ami:home")),
    }
    html = render_to_string("ami/pdf/dossier.html", context)
    return HTML(string=html, base_url=None, url_fetcher=_url_fetcher()).write_pdf()


def render_dossier_pdf(dossier: Dossier, version: DossierVersion | None = None) -> bytes:
    """The whole dossier as a PDF: the submitted `version` if given, else the current answers."""
    from ami.services.snapshot import dossier_snapshot

    if version is not None:
        return render_snapshot_pdf(
            version.data or dossier_snapshot(dossier),
            receipt_number=dossier.receipt_number,
            version_number=version.number,
            submitted_at=version.submitted_at,
        )
    return render_snapshot_pdf(
        dossier_snapshot(dossier),
        receipt_number=dossier.receipt_number if dossier.is_with_mel else None,
        version_number=dossier.version if dossier.is_with_mel else None,
        submitted_at=dossier.submitted_at if dossier.is_with_mel else None,
    )


DRAFT_CACHE_PREFIX = "ami:draft-pdf:"
# At most one copy per dossier (it prints names), for at most an hour after it was rendered.
DRAFT_CACHE_SECONDS = 3600


def draft_dossier_pdf(dossier: Dossier) -> bytes:
    """render_dossier_pdf(dossier) of the current answers, kept in the cache under the dossier's id
    with a digest of everything the PDF prints (the snapshot: answers, libraries, communes, groups,
    campaign; the receipt fields; the questionnaire and template): rendered again only when one of
    them changed. A few queries instead of a WeasyPrint rendering for an unchanged dossier."""
    from ami.services.snapshot import dossier_snapshot

    with_mel = dossier.is_with_mel
    printed = [
        dossier_snapshot(dossier),
        dossier.receipt_number if with_mel else None,
        dossier.version if with_mel else None,
        dossier.submitted_at if with_mel else None,
        _questionnaire_fingerprint(),
    ]
    digest = hashlib.sha256(json.dumps(printed, sort_keys=True, default=str).encode()).hexdigest()
    key = f"{DRAFT_CACHE_PREFIX}{dossier.pk}"
    cached = django_cache.get(key)
    if isinstance(cached, tuple) and len(cached) == 2 and cached[0] == digest:
        return cached[1]
    content = render_dossier_pdf(dossier)
    django_cache.set(key, (digest, content), DRAFT_CACHE_SECONDS)
    return content


def forget_draft_pdf(dossier_pk: int) -> None:
    """Drop the cached draft PDF of a dossier (deleted or anonymised: it prints personal data)."""
    django_cache.delete(f"{DRAFT_CACHE_PREFIX}{dossier_pk}")


def version_pdf_filename(version: DossierVersion) -> str:
    dossier = version.dossier
    slug = (dossier.receipt_number or f"dossier-{dossier.pk}").replace("/", "-")
    return f"candidature-bnm-{slug}-v{version.number}.pdf"


def get_or_create_version_pdf(version: DossierVersion) -> bytes:
    """The PDF of a submitted version, rendered once and kept in private storage."""
    if version.pdf:
        try:
            with version.pdf.open("rb") as f:
                return f.read()
        except FileNotFoundError:
            pass
    content = render_dossier_pdf(version.dossier, version)
    with transaction.atomic():
        locked = DossierVersion.objects.select_for_update().get(pk=version.pk)
        if locked.pdf and locked.pdf.storage.exists(locked.pdf.name):
            with locked.pdf.open("rb") as f:
                content = f.read()
        else:
            locked.pdf.save(version_pdf_filename(version), ContentFile(content), save=True)
        version.pdf = locked.pdf
    return content


# --- The blank questionnaire (/candidater/, to prepare the answers offline) ---------------------

BLANK_CACHE_PREFIX = "ami:blank-questionnaire:"
BLANK_CACHE_SECONDS = 7 * 24 * 3600


@cache
def _questionnaire_fingerprint() -> str:
    """What the blank questionnaire prints apart from the campaign: every question's wording,
    help and choices, the sections, the template. A deployment changing any of them changes it."""
    parts = [get_template("ami/pdf/dossier.html").template.source, BLANK_LIBRARY_NOTE]
    for step in questionnaire.QUESTIONNAIRE:
        for section in step.sections:
            parts += [section.title, section.intro]
            for q in section.questions:
                field = q.model_field
                parts += [q.model, q.name, q.kind, q.label, q.lead, str(q.next_year)]
                if field is not None:
                    parts += [str(field.help_text or ""), repr([(str(k), str(v)) for k, v in field.flatchoices])]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def blank_questionnaire_key(snapshot: dict) -> str:
    """The cache key of the blank questionnaire: one per campaign (title, years, dates, working
    groups) and questionnaire version."""
    campaign = json.dumps(snapshot, sort_keys=True, default=str)
    return BLANK_CACHE_PREFIX + hashlib.sha256((campaign + _questionnaire_fingerprint()).encode()).hexdigest()[:32]


def blank_questionnaire_pdf(campaign) -> tuple[bytes, str]:
    """The questionnaire of `campaign` with no answer, to print and prepare offline, and its cache
    key (also its ETag). The same for everyone: rendered once, then read from the cache."""
    from ami.models import WorkingGroup
    from ami.services.snapshot import blank_snapshot

    snapshot = blank_snapshot(campaign, WorkingGroup.objects.filter(is_active=True).order_by("sort_order", "name"))
    key = blank_questionnaire_key(snapshot)
    content = django_cache.get(key)
    if content is None:
        content = render_snapshot_pdf(snapshot, receipt_number=None, version_number=None, submitted_at=None, blank=True)
        django_cache.set(key, content, BLANK_CACHE_SECONDS)
    return content, key
