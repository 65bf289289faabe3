"""The AMI questionnaire, declared once: steps → sections → questions, in the paper dossier's order.

Each question names its model field (or, for the few answers a step form builds itself, the form
field), its kind, and its rules:
- `required`: the answer is needed to submit (ami.services.completeness);
- `required_if`: needed only when another answer of the same form says so;
- `clear_unless`: emptied when another answer says it does not apply (the step forms);
- `asked_if`: both at once (the usual « Si oui, … » question);
- `tally`: a free-text answer the « État des lieux » counts per distinct value (vendors).
The paper wording is the model field's verbose name (ami.models), read here through `label`;
questions without a model field carry their own label.

The step forms (`Meta.fields`, field kinds, clearing), completeness, the PDF sections and the
recap's order all read this module; back-office code reads `dossier_questions()` and
`library_questions()`. Adding a question for a next campaign: a model field (and its migration)
plus one `Q(...)` line below.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cache, cached_property

from django.utils.text import capfirst

from ami.constants import OBJECTIVES, WORKING_GROUP_TIME_NOTE

# Kinds of answer (what an export or a display needs to know about a value).
KINDS = {
    "text", "longtext", "email", "phone", "url", "count", "year", "decimal", "money", "yes_no", "checkbox",
    "choice", "engagement", "objective", "date", "file", "commune", "communes", "signup",
}


@dataclass(frozen=True)
class When:
    """A condition on another answer of the same form: it is one of `values`, or (positive) above zero."""

    control: str
    values: tuple = ()
    positive: bool = False

    def holds(self, value) -> bool:
        if self.positive:
            return bool(value)
        # Booleans by identity: a count of 1 is not « OUI ».
        return any(value is v if isinstance(v, bool) else value == v for v in self.values)


def when(control: str, *values) -> When:
    return When(control, tuple(values))


def when_positive(control: str) -> When:
    return When(control, positive=True)


@dataclass(frozen=True)
class Question:
    name: str  # model field name (or the step form's own field for custom answers without a column)
    kind: str
    required: bool = False
    required_if: When | None = None
    clear_unless: When | None = None
    group: str = ""  # who the answer is about, prefixed in the list of missing answers
    message: str = ""  # shown when the answer is missing, instead of the usual one
    own_label: str = ""  # only for answers without a model field
    custom_field: bool = False  # the step form builds this answer's field itself (not in Meta.fields)
    has_column: bool = True  # stored in a model field of that name
    next_year: bool = True  # engagement: offers « Envisagé en N+1 » (the paper omits it on one line)
    # What the PDF and the exports print for an answer that is not a column of the snapshot's
    # "dossier" dict: snapshot keys, or "@…" rows that ami.pdf builds. Empty: the answer's own column.
    printed_as: tuple[str, ...] = ()
    lead: str = ""  # the paper's question above a list of boxes, shown before this (the first) box
    model: str = ""  # "ami.Dossier" or "ami.Library", set from the step
    tally: bool = False  # free text counted per distinct answer in the « État des lieux » (vendors)

    @property
    def printed_names(self) -> tuple[str, ...]:
        return self.printed_as or (self.name,)

    @cached_property
    def model_field(self):
        from django.apps import apps

        return apps.get_model(self.model)._meta.get_field(self.name) if self.has_column else None

    @cached_property
    def label(self) -> str:
        """The paper wording."""
        if self.own_label:
            return self.own_label
        return capfirst(str(self.model_field.verbose_name))


def Q(name: str, kind: str, *, asked_if: When | None = None, **options) -> Question:  # noqa: N802
    assert kind in KINDS, kind
    if asked_if is not None:
        options.setdefault("required_if", asked_if)
        options.setdefault("clear_unless", asked_if)
    return Question(name, kind, **options)


def Qs(kind: str, *names: str, **options) -> tuple[Question, ...]:  # noqa: N802
    """Questions of one kind under the same rules, in this order (a grid of figures, a list of boxes)."""
    return tuple(Q(name, kind, **options) for name in names)


@dataclass(frozen=True)
class Section:
    """A section of the paper dossier. On the step page (templates/ami/steps/sections.html) it is
    a heading (`page_title` when the page words it otherwise than the paper's section title), its
    `intro` ({statistics_year} and {first_engagement_year} are the campaign's) and one field per
    question, or the `template` that lays out questions needing more (conditions, grids)."""

    title: str
    questions: tuple[Question, ...]
    intro: str = ""
    page_title: str = ""
    template: str = ""  # under templates/ami/steps/sections/

    @property
    def heading(self) -> str:
        return self.page_title or self.title

    def intro_for(self, campaign) -> str:
        if not self.intro or campaign is None:
            return self.intro
        return self.intro.format(
            statistics_year=campaign.statistics_year, first_engagement_year=campaign.first_engagement_year
        )


@dataclass(frozen=True)
class StepQuestions:
    slug: str  # ami.services.steps slug
    model: str
    sections: tuple[Section, ...] = field(default=())

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for section in self.sections for q in section.questions)

    def form_fields(self) -> list[str]:
        """`Meta.fields` of the step's ModelForm: the answers stored in a column, in paper order."""
        return [q.name for q in self.questions if q.has_column and not q.custom_field]


ELECTED = "Élu référent"
AGENT = "Agent référent"
DELIBERATION = when("validation_mode", "deliberation")
ON_A_NETWORK = when("network", "communal", "intercommunal")
NOT_FREE = when("free_for_all", False)
DELIBERATION_MISSING = "Indiquez la date et le numéro de la délibération."
OTHER_OBJECTIVE = when("objective_other", "+++", "++", "+")



def _software_section(title: str, software: str, *more: Question) -> Section:
    """The SIGB and the portal are asked alike: vendor, product, version, since, hosting, cost."""
    return Section(title, (
        *Qs("text", f"{software}_vendor", f"{software}_name", tally=True),
        Q(f"{software}_version", "text"),
        Q(f"{software}_since", "year"),
        Q(f"{software}_hosting", "choice"),
        Q(f"{software}_annual_cost", "money"),
        *more,
    ))


def _with_account(network: str) -> tuple[Question, ...]:
    """Whether the library is on a social network and, if so, its account there."""
    return Q(network, "yes_no", required=True), Q(f"{network}_account", "text", asked_if=when(network, True))


_STEPS = (
    StepQuestions("commune", "ami.Dossier", (
        Section("Commune candidate", (
            Q("commune", "commune", own_label="Nom de la commune", custom_field=True, printed_as=("@commune",)),
        ), template="commune_name.html"),
        Section("Réseau", template="network.html", questions=(
            Q("is_network", "yes_no", required=True),
            Q("network_communes", "communes", own_label="Communes du réseau", custom_field=True, has_column=False,
              printed_as=("@communes",)),
            Q("head_choice", "choice", own_label="Commune tête de réseau", custom_field=True, has_column=False,
              printed_as=("has_head_commune", "@head_commune")),
        )),
        Section("Élu référent du dossier", (
            Q("elected_last_name", "text", required=True, group=ELECTED),
            Q("elected_first_name", "text", required=True, group=ELECTED),
            Q("elected_delegation", "text", required=True, group=ELECTED),
            Q("elected_email", "email", required=True, group=ELECTED),
        )),
        Section("Agent référent identifié pour la mise en œuvre et le suivi du projet", (
            Q("agent_last_name", "text", required=True, group=AGENT),
            Q("agent_first_name", "text", required=True, group=AGENT),
            Q("agent_position", "text", required=True, group=AGENT),
            Q("agent_department", "text", required=True, group=AGENT),
            Q("agent_email", "email", required=True, group=AGENT),
            Q("agent_phone", "phone", required=True, group=AGENT),
        )),
        Section("Validation du dépôt", template="validation_mode.html", questions=(
            Q("validation_mode", "choice", required=True),
            Q("deliberation_date", "date", asked_if=DELIBERATION, group="Délibération", message=DELIBERATION_MISSING),
            Q("deliberation_number", "text", asked_if=DELIBERATION, group="Délibération",
              message=DELIBERATION_MISSING),
        )),
    )),
    StepQuestions("bibliotheques", "ami.Library", (
        Section("Présentation de la bibliothèque municipale", (
            *Qs("text", "name", "manager_name", "address", required=True),
            Q("phone", "phone", required=True),
            Q("email", "email", required=True),
            Q("portal_url", "url"),
            Q("network", "choice", required=True),
            Q("network_name", "text", asked_if=ON_A_NETWORK),
            Q("associated_communes", "communes", asked_if=when("network", "intercommunal"), custom_field=True),
            Q("network_library_count", "count", asked_if=ON_A_NETWORK),
            Q("management_mode", "choice", required=True),
            Q("management_mode_other", "text", asked_if=when("management_mode", "other")),
            Q("surface_m2", "count", required=True),
        )),
        Section("Équipe", (
            *Qs("count", "staff_category_a", "staff_category_b", "staff_category_c", required=True),
            Q("staff_fte", "decimal", required=True),
            Q("volunteers", "count", required=True),
        )),
        Section("Public", Qs(
            "count", "active_members", "active_members_adults", "active_members_youth", "daily_visitors", required=True,
        )),
        Section("Budget", Qs(
            "money", "budget_acquisitions", "budget_digital_resources", "budget_cultural_action",
            "budget_communication", required=True,
        )),
        Section("Collections", Qs(
            "count", "documents_total", "books", "dvds", "cds", "periodicals", "games", required=True,
        )),
        Section("Tarifs annuels", (
            Q("free_for_all", "yes_no", required=True),
            *Qs(
                "money", "fee_adults_resident", "fee_children_resident", "fee_adults_non_resident",
                "fee_children_non_resident", required_if=NOT_FREE,
            ),
            Q("fee_specifics", "text"),
        )),
        Section("Horaires", (
            Q("weekly_opening_hours", "decimal", required=True),
        )),
        Section("Équipement", (
            *Qs("count", "public_computers", "staff_computers", required=True),
            Q("public_wifi", "yes_no", required=True),
            Q("ereaders", "count", required=True),
            Q("ereaders_lendable", "yes_no", required_if=when_positive("ereaders")),
            Q("tablets", "count", required=True),
            Q("tablets_lendable", "yes_no", required_if=when_positive("tablets")),
            Q("has_digital_advisors", "yes_no", required=True),
            Q("digital_advisors", "count", asked_if=when("has_digital_advisors", True)),
            *Qs("yes_no", "has_rfid", "has_return_box", required=True),
        )),
        _software_section("SIGB", "sigb"),
        _software_section("Portail", "portal", Q("portal_unique_users", "count")),
        Section("Ressources en ligne", (
            Q("offers_online_resources", "yes_no", required=True),
            Q("online_resources", "longtext", asked_if=when("offers_online_resources", True)),
        )),
        Section("Réseaux sociaux", (
            *_with_account("facebook"),
            *_with_account("instagram"),
            *_with_account("tiktok"),
            Q("social_other", "text"),
        )),
        Section("Besoins de formation (informatique)", (
            *Qs(
                "checkbox", "training_computer_basics", "training_office", "training_internet",
                "training_social_media", "training_media_software",
            ),
            Q("training_it_other", "text"),
        )),
        Section("Besoins de formation (numérique)", (
            *Qs(
                "checkbox", "training_digital_tools", "training_online_resources", "training_digital_activities",
                "training_tablets", "training_ereaders", "training_coding", "training_maker_tools",
            ),
            Q("training_digital_other", "text"),
        )),
        Section("Ateliers numériques proposés", (
            *Qs(
                "checkbox", "workshop_computer_intro", "workshop_online_resources", "workshop_admin_help",
                "workshop_media_literacy", "workshop_digital_storytelling", "workshop_coding",
                "workshop_specific_tools",
            ),
            Q("workshop_other", "text"),
        )),
        Section("Liens avec la MEL", (
            *Qs("yes_no", "mel_library_nights", "mel_libre2lire", "mel_professional_days", "mel_uses_portal",
                required=True),
            Q("portal_use_pro_days", "checkbox", lead="Si vous utilisez le portail, qu’y recherchez-vous le plus ?"),
            *Qs(
                "checkbox", "portal_use_newsletters", "portal_use_exchange_platform", "portal_use_reference_texts",
                "portal_use_news", "portal_use_catalogue", "portal_use_mel_actions",
            ),
            Q("portal_use_other", "text"),
            *Qs(
                "yes_no", "mel_open_agenda", "mel_equipment_fund", "mel_digital_call", "mel_cultural_partnerships",
                required=True,
            ),
        )),
    )),
    StepQuestions("projet", "ami.Dossier", (
        Section("Projet communal", (
            Q("project_statement", "longtext", required=True),
        ), page_title="Volet 2 : projet communal"),
    )),
    StepQuestions("engagements", "ami.Dossier", (
        Section("Engagements", page_title="Fiche d’engagement", intro=(
            "Pour chaque service, indiquez si la commune souhaite s’engager dès {first_engagement_year} ou plus tard."
        ), questions=(
            Q("engagement_sigb", "engagement", required=True),
            Q("engagement_portal_link", "engagement", required=True),
            Q("compatible_software", "choice", required=True),
            Q("engagement_double_sso", "engagement", required=True),
            Q("engagement_federated_search", "engagement", required=True),
            Q("engagement_ebooks", "engagement", required=True),
            Q("engagement_mediation_design", "yes_no", required=True),
            Q("engagement_mediation_programme", "engagement", required=True, next_year=False),
        )),
    )),
    StepQuestions("objectifs", "ami.Dossier", (
        # Exactly three objectives, one +++, one ++, one + (completeness.objective_problems).
        Section("Objectifs", tuple(Q(f"objective_{key}", "objective") for key in OBJECTIVES) + (
            Q("objective_other_text", "text", clear_unless=OTHER_OBJECTIVE),
        ), template="objectives.html", intro=(
            "Parmi les objectifs ci-dessous, cochez-en exactement trois : un « +++ » (le plus important), "
            "un « ++ » et un « + »."
        )),
        Section("Engagements obligatoires", (
            Q("training_commitment", "checkbox", required=True,
              message="Cet engagement est obligatoire : cochez la case."),
        ), intro=(
            "La commune s’engage à suivre la formation : au minimum un agent pour huit agents et bénévoles, "
            "par bibliothèque, opérationnel sur les outils."
        )),
        Section("Groupes de travail", (
            Q("working_groups", "signup", own_label="Groupes de travail", custom_field=True, has_column=False),
        ), template="working_groups.html", intro=WORKING_GROUP_TIME_NOTE),
    )),
    StepQuestions("validation", "ami.Dossier", (
        Section("Signature", template="signature.html", questions=(
            Q("signed_place", "text", required=True),
            Q("signed_on", "date", required=True),
            Q("signed_document", "file", required=True, custom_field=True, message="Déposez le document signé (PDF).",
              printed_as=("@signed_document",)),
        )),
    )),
)

# Columns that no question declares: bookkeeping (state, dates, receipt number, counters, the public id
# of the dossier's URLs) and the columns a custom question writes (the network's communes and head).
# Never printed nor exported as answers (ami.pdf); every other column is a declared question's.
UNDECLARED_COLUMNS = {
    "ami.Dossier": frozenset({
        "id", "campaign", "public_id", "step_revisions", "status", "created_at", "updated_at", "submitted_at",
        "receipt_number", "version", "completion_due_at", "communes", "head_commune", "has_head_commune",
        "signed_document_uploaded_at", "signed_document_size",
    }),
    "ami.Library": frozenset({"id", "dossier", "sort_order"}),
}

# The paper dossier's parts and the steps answering each (the PDF and the inspect view follow them).
PAPER_PARTS = (
    ("Présentation de la commune candidate", ("commune",)),
    ("Partie 1 – Volet 1 : état des lieux de la bibliothèque", ("bibliotheques",)),
    ("Partie 1 – Volet 2 : projet communal", ("projet",)),
    ("Partie 2 – Fiche d’engagement", ("engagements", "objectifs", "validation")),
)


def _with_model(step: StepQuestions) -> StepQuestions:
    sections = tuple(
        replace(s, questions=tuple(replace(q, model=step.model) for q in s.questions)) for s in step.sections
    )
    return replace(step, sections=sections)


QUESTIONNAIRE: tuple[StepQuestions, ...] = tuple(_with_model(step) for step in _STEPS)
_BY_SLUG = {step.slug: step for step in QUESTIONNAIRE}


def step(slug: str) -> StepQuestions:
    return _BY_SLUG[slug]


def dossier_questions() -> Iterator[Question]:
    """Every question answered on the dossier (not per library), in paper order.
    Each has .name (field), .label (paper wording), .kind."""
    for s in QUESTIONNAIRE:
        if s.model == "ami.Dossier":
            yield from s.questions


def library_questions() -> Iterator[Question]:
    """Every question of Volet 1, asked once per library, in paper order."""
    yield from step("bibliotheques").questions


def objective_questions() -> list[Question]:
    """The objective grid (« +++ / ++ / + » on three objectives), in paper order. Each question's
    name is « objective_<key> » and its label the objective's wording."""
    return [q for q in step("objectifs").questions if q.kind == "objective"]


def objective_key(q: Question) -> str:
    """« public_service » for the question « objective_public_service »."""
    return q.name.removeprefix("objective_")


def library_sections() -> list[tuple[str, list[str]]]:
    """Volet 1 as (section title, [Library field names])."""
    return [(s.title, [q.name for q in s.questions]) for s in step("bibliotheques").sections]


@cache
def _by_field() -> dict[tuple[str, str], Question]:
    return {(q.model, q.name): q for s in QUESTIONNAIRE for q in s.questions}


def question(model: str, name: str) -> Question | None:
    """The declared question of model field `name` ("ami.Dossier" / "ami.Library"), if any."""
    return _by_field().get((model, name))


def questions_of_model(model: str) -> list[Question]:
    """Every question stored on `model` ("ami.Dossier" / "ami.Library"), in paper order."""
    return [q for s in QUESTIONNAIRE if s.model == model for q in s.questions]


def kind_of(model_field) -> str | None:
    """The declared kind of a model field's question (None for a field outside the questionnaire)."""
    model = getattr(model_field, "model", None)
    q = question(model._meta.label, model_field.name) if model is not None else None
    return q.kind if q else None
