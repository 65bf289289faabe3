"""« État des lieux »: the figures of the submitted dossiers of one campaign, side by side.

What is reported is read from the questionnaire (ami.questionnaire), never listed here:
- Volet 1 (once per library), section by section, in paper order:
  every number (kinds count, decimal, money; year without a total) → total, median and number
  of answers; every choice and yes/no question → libraries per answer; every free-text answer
  the questionnaire marks `tally` (SIGB and portal vendors) → libraries per distinct answer
  (spelling and case ignored); a section's checkboxes (training needs, workshops, portal uses)
  → libraries ticking each;
- Partie 2 (once per dossier): engagements and other choices → dossiers per answer, the
  mandatory checkboxes → dossiers ticking them, objectives → ranked by their +++, then ++,
  then + counts.
Labels are the paper's wording (the question's label, the field's choices, the campaign's
engagement choices).

Queries: a constant number whatever the number of dossiers: one aggregate (Sum, Count,
filtered Count) over the libraries, one `values_list` of their numbers and tallied answers for
the medians and the vendors, one aggregate over the dossiers.
"""
from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models import Q as Where

from ami import questionnaire
from ami.constants import OBJECTIVE_LEVELS
from ami.models import Campaign, Dossier, Library

NUMBER_KINDS = {"count", "decimal", "money", "year"}
SUMMED_KINDS = {"count", "decimal", "money"}
CHOICE_KINDS = {"choice", "yes_no", "engagement"}
DOSSIER_STEPS = ("engagements", "objectifs")
NO_ANSWER = "Sans réponse"
# The dossiers the report reads: those whose submitted version stands (déposé, en instruction,
# retenu, non retenu); not the ones being edited (a reopened draft, one « à compléter »).
REPORTED_STATES = (Dossier.Status.SUBMITTED, Dossier.Status.IN_REVIEW, Dossier.Status.ACCEPTED,
                   Dossier.Status.REJECTED)
YES_NO = ((True, "Oui"), (False, "Non"))


@dataclass
class NumberRow:
    label: str
    kind: str
    total: int | Decimal | None  # None for years (a sum of years means nothing)
    median: int | Decimal | None
    answers: int

    @property
    def money(self) -> bool:
        return self.kind == "money"


@dataclass
class CountRow:
    label: str
    count: int


@dataclass
class Block:
    """What a section shows: `numbers` (NumberRow), `counts` (CountRow per answer of one
    question), `ticks` (CountRow per checkbox of a section) or `objectives` (ObjectiveRow)."""

    kind: str
    title: str
    rows: list = field(default_factory=list)
    out_of: int = 0  # libraries or dossiers the counts are out of
    unit: str = ""  # « bibliothèques » / « dossiers »


@dataclass
class ObjectiveRow:
    rank: int
    label: str
    levels: tuple[int, ...]  # counts at +++, ++, +

    @property
    def chosen(self) -> int:
        return sum(self.levels)


@dataclass
class ReportSection:
    part: str
    title: str
    blocks: list[Block]


@dataclass
class Report:
    campaign: Campaign
    dossiers: int
    libraries: int
    sections: list[ReportSection]


# --- What is asked (from the questionnaire) ---------------------------------------------------


def _options(q: questionnaire.Question, campaign: Campaign) -> list[tuple[object, str]]:
    if q.kind == "yes_no":
        return list(YES_NO)
    if q.kind == "engagement":
        return campaign.engagement_choices(with_next_year=q.next_year)
    return [(key, str(label)) for key, label in q.model_field.flatchoices if key != ""]


def _part_title(slug: str) -> str:
    return next(title for title, slugs in questionnaire.PAPER_PARTS if slug in slugs)


def _is_number(q) -> bool:
    return q.has_column and q.kind in NUMBER_KINDS


def _is_choice(q) -> bool:
    return q.has_column and q.kind in CHOICE_KINDS


def _is_tick(q) -> bool:
    return q.has_column and q.kind == "checkbox"


def _counts_aggregates(questions, campaign) -> dict:
    aggregates = {}
    for q in questions:
        if _is_choice(q):
            for index, (value, _label) in enumerate(_options(q, campaign)):
                aggregates[f"{q.name}__{index}"] = Count("pk", filter=Where(**{q.name: value}))
        elif _is_tick(q):
            aggregates[f"{q.name}__ticked"] = Count("pk", filter=Where(**{q.name: True}))
    return aggregates


def _median(values: list):
    if not values:
        return None
    middle = statistics.median(values)
    return Decimal(str(middle)) if isinstance(middle, float) else middle


def _tallied(values: list[str]) -> list[CountRow]:
    """Libraries per distinct answer, ignoring case and spacing; each shown in its most frequent
    spelling; most frequent first."""
    spellings: dict[str, Counter] = {}
    for value in values:
        text = " ".join((value or "").split())
        if text:
            spellings.setdefault(text.casefold(), Counter())[text] += 1
    rows = [CountRow(c.most_common(1)[0][0], sum(c.values())) for c in spellings.values()]
    return sorted(rows, key=lambda r: (-r.count, r.label.casefold()))


def _choice_block(q, campaign, totals: dict, out_of: int, unit: str) -> Block:
    rows = [CountRow(label, totals[f"{q.name}__{index}"]) for index, (_v, label) in enumerate(_options(q, campaign))]
    missing = out_of - sum(r.count for r in rows)
    if missing > 0:
        rows.append(CountRow(NO_ANSWER, missing))
    return Block("counts", q.label, rows, out_of, unit)


# --- The report -----------------------------------------------------------------------------


def build_report(campaign: Campaign) -> Report:
    dossiers = Dossier.objects.filter(campaign=campaign, status__in=REPORTED_STATES)
    libraries = Library.objects.filter(dossier__in=dossiers)
    library_step = questionnaire.step("bibliotheques")
    library_qs = list(library_step.questions)
    numbers = [q for q in library_qs if _is_number(q)]
    tallies = [q for q in library_qs if q.tally and q.has_column]

    aggregates = {"_libraries": Count("pk")}
    for q in numbers:
        aggregates[f"{q.name}__n"] = Count(q.name)
        if q.kind in SUMMED_KINDS:
            aggregates[f"{q.name}__sum"] = Sum(q.name)
    aggregates.update(_counts_aggregates(library_qs, campaign))
    totals = libraries.aggregate(**aggregates)
    library_count = totals["_libraries"]

    columns: dict[str, list] = {q.name: [] for q in numbers + tallies}
    names = list(columns)
    for row in libraries.values_list(*names):
        for name, value in zip(names, row, strict=True):
            if value is not None:
                columns[name].append(value)

    part = _part_title(library_step.slug)
    sections = []
    for section in library_step.sections:
        blocks = []
        rows = [
            NumberRow(q.label, q.kind, (totals[f"{q.name}__sum"] or 0) if q.kind in SUMMED_KINDS else None,
                      _median(columns[q.name]), totals[f"{q.name}__n"])
            for q in section.questions if _is_number(q)
        ]
        if rows:
            blocks.append(Block("numbers", section.title, rows, library_count, "bibliothèques"))
        for q in section.questions:
            if _is_choice(q):
                blocks.append(_choice_block(q, campaign, totals, library_count, "bibliothèques"))
            elif q.tally and q.has_column:
                blocks.append(Block("counts", q.label, _tallied(columns[q.name]), library_count, "bibliothèques"))
        ticks = [CountRow(q.label, totals[f"{q.name}__ticked"]) for q in section.questions if _is_tick(q)]
        if ticks:
            blocks.append(Block("ticks", section.title, ticks, library_count, "bibliothèques"))
        if blocks:
            sections.append(ReportSection(part, section.title, blocks))

    dossier_qs = [q for slug in DOSSIER_STEPS for q in questionnaire.step(slug).questions]
    aggregates = {"_dossiers": Count("pk")}
    aggregates.update(_counts_aggregates(dossier_qs, campaign))
    objectives = [q for q in dossier_qs if q.kind == "objective"]
    for q in objectives:
        for level in OBJECTIVE_LEVELS:
            aggregates[f"{q.name}__{level}"] = Count("pk", filter=Where(**{q.name: level}))
    totals = dossiers.aggregate(**aggregates)
    dossier_count = totals["_dossiers"]
    for slug in DOSSIER_STEPS:
        step = questionnaire.step(slug)
        part = _part_title(slug)
        for section in step.sections:
            blocks = [_choice_block(q, campaign, totals, dossier_count, "dossiers")
                      for q in section.questions if _is_choice(q)]
            ticks = [CountRow(q.label, totals[f"{q.name}__ticked"]) for q in section.questions if _is_tick(q)]
            if ticks:
                blocks.append(Block("ticks", section.title, ticks, dossier_count, "dossiers"))
            ranked = [
                (q.label, tuple(totals[f"{q.name}__{level}"] for level in OBJECTIVE_LEVELS))
                for q in section.questions if q.kind == "objective"
            ]
            if ranked:
                ranked.sort(key=lambda item: tuple(-n for n in item[1]))
                rows = [ObjectiveRow(rank, label, levels) for rank, (label, levels) in enumerate(ranked, start=1)]
                blocks.append(Block("objectives", section.title, rows, dossier_count, "dossiers"))
            if blocks:
                sections.append(ReportSection(part, section.title, blocks))
    return Report(campaign, dossier_count, library_count, sections)



# --- XLSX ------------------------------------------------------------------------------------


def report_sheets(report: Report) -> list:
    """« Chiffres » (total, median, answers per number), « Réponses » (count per answer, vendor
    or ticked box), « Objectifs » (ranked): numbers as numbers, the paper's wording."""
    from ami.backoffice.exports import Sheet

    figures, answers, objectives = [], [], []
    for section in report.sections:
        for block in section.blocks:
            if block.kind == "numbers":
                figures += [[section.part, section.title, r.label, r.total, r.median, r.answers,
                             "€" if r.money else None] for r in block.rows]
            elif block.kind == "counts":
                answers += [[section.part, section.title, block.title, r.label, r.count, block.out_of]
                            for r in block.rows]
            elif block.kind == "ticks":
                answers += [[section.part, section.title, r.label, "Coché", r.count, block.out_of] for r in block.rows]
            elif block.kind == "objectives":
                objectives += [[r.rank, r.label, *r.levels, r.chosen] for r in block.rows]
    head = ["Partie", "Rubrique", "Question"]
    widths = [30, 30, 60]
    return [
        Sheet("Chiffres", head + ["Total", "Médiane", "Nombre de réponses", "Unité"], widths + [14, 14, 14, 8],
              figures),
        Sheet("Réponses", head + ["Réponse", "Nombre", "Sur"], widths + [40, 12, 12], answers),
        Sheet("Objectifs", ["Rang", "Objectif", *OBJECTIVE_LEVELS, "Total des dossiers l’ayant choisi"],
              [8, 70, 8, 8, 8, 16], objectives),
    ]
