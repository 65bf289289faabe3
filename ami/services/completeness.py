"""What a dossier still lacks before it can be submitted, answer by answer, with links.

Drafts may be incomplete; these rules are checked when showing progress and at submission.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, prefetch_related_objects

from ami import questionnaire
from ami.constants import OBJECTIVE_LEVELS
from ami.models import Dossier, DossierCommune, Library, WorkingGroupSignup
from ami.services.steps import FORM_STEPS


@dataclass(frozen=True)
class Missing:
    step: str  # step slug
    field_id: str  # HTML id of the field in that step's page
    label: str
    message: str


def _relations() -> dict[str, Prefetch]:
    """What the step pages, completeness and summary read of a dossier, by relation name."""
    return {
        "libraries": Prefetch(
            "libraries", queryset=Library.objects.order_by("sort_order", "id").prefetch_related("associated_communes"),
        ),
        "commune_links": Prefetch("commune_links", queryset=DossierCommune.objects.select_related("commune")),
        "working_group_signups": Prefetch("working_group_signups", queryset=WorkingGroupSignup.objects.select_related("group")),
    }


def load_dossier(pk: int | None = None, *, public_id: str | None = None, relations: bool = True,
                 columns: tuple[str, ...] | None = None) -> Dossier | None:
    """A dossier (by key or by public id) with everything the step pages, completeness and
    summary read (fixed query count); `relations=False`: the dossier alone, for a save that reads
    only some of them (prefetch_relations); `columns`: only these columns of the dossier (and its
    whole call), for a save that reads only its step's answers and what it checks (any other
    column would cost a query when read)."""
    lookup = {"pk": pk} if public_id is None else {"public_id": public_id}
    if columns is None:
        queryset = Dossier.objects.select_related("campaign", "commune", "head_commune")
    else:
        queryset = Dossier.objects.select_related("campaign").only(*columns)
    if relations:
        queryset = queryset.prefetch_related(*_relations().values())
    return queryset.filter(**lookup).first()


def prefetch_relations(dossier: Dossier, *names: str) -> None:
    """Load the relations `names` (default: all of load_dossier's) not loaded yet, one query each."""
    wanted = [prefetch for name, prefetch in _relations().items() if not names or name in names]
    prefetch_related_objects([dossier], *wanted)


def _label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def _unanswered(q: questionnaire.Question, value) -> bool:
    if q.kind in ("checkbox", "file"):  # a box that must be ticked, a document that must be there
        return not value
    if isinstance(value, str):
        return not value.strip()
    return value is None or value == []


def declared_missing(instance, questions, step: str, *, id_prefix: str = "id_", title: str = "") -> list[Missing]:
    """The declared rules of `questions` on `instance`: every required answer first, then each
    answer required by another one, in paper order."""
    def value(q):
        field = q.model_field
        if field.many_to_many:
            return list(getattr(instance, q.name).all()) or None
        return getattr(instance, q.name)

    def label(q):
        if title:
            return library_scoped(title, q.label)
        return f"{q.group} : {q.label}" if q.group else q.label

    checked = [q for q in questions if q.has_column]
    out = [
        Missing(step, id_prefix + q.name, label(q), q.message or REQUIRED_MESSAGE)
        for q in checked if q.required and _unanswered(q, value(q))
    ]
    for q in checked:
        rule = q.required_if
        if rule and rule.holds(getattr(instance, rule.control)) and _unanswered(q, value(q)):
            message = q.message or (
                f"Réponse nécessaire puisque vous avez répondu « {_display(instance, rule.control)} » "
                f"à « {_label(type(instance), rule.control)} »."
            )
            out.append(Missing(step, id_prefix + q.name, label(q), message))
    return out


# Derived from the declaration (ami.questionnaire); kept for the callers that read them.
LIBRARY_REQUIRED = [q.name for q in questionnaire.library_questions() if q.required]
ENGAGEMENT_FIELDS = questionnaire.step("engagements").form_fields()

REQUIRED_MESSAGE = "Réponse manquante."


def objective_problems(levels: dict[str, str], other_text: str = "") -> list[str]:
    """Rule of the objective grid: exactly three ticks, one +++, one ++, one +, on three objectives."""
    problems = []
    chosen = [lvl for lvl in levels.values() if lvl]
    for level in OBJECTIVE_LEVELS:
        if chosen.count(level) > 1:
            problems.append(f"Le niveau « {level} » ne peut être attribué qu’à un seul objectif.")
    if len(chosen) != 3 or sorted(chosen) != sorted(OBJECTIVE_LEVELS):
        problems.append(
            f"Cochez exactement trois objectifs : un « +++ », un « ++ » et un « + » ({len(chosen)} coché(s) sur 3)."
        )
    if levels.get("other") and not (other_text or "").strip():
        problems.append("Vous avez coché « Autre objectif, précisez » : précisez cet objectif.")
    return problems


def dossier_objective_levels(dossier: Dossier) -> dict[str, str]:
    return {questionnaire.objective_key(q): getattr(dossier, q.name) for q in questionnaire.objective_questions()}


def _step1(dossier: Dossier) -> list[Missing]:
    out = declared_missing(dossier, questionnaire.step("commune").questions, "commune")
    if dossier.is_network:
        members = [link.commune_id for link in dossier.commune_links.all()]
        if len(members) < 2:
            out.append(Missing("commune", "id_network_communes", "Communes du réseau",
                               "Un dossier de réseau couvre au moins deux communes : cochez les communes du réseau."))
        if dossier.has_head_commune is None or (dossier.has_head_commune and not dossier.head_commune_id):
            out.append(Missing("commune", "id_head_choice", "Commune tête de réseau",
                               "Indiquez la commune tête de réseau, ou qu’aucune n’est désignée officiellement."))
    return out


def library_heading(index: int, name: str | None) -> str:
    """How a message about one library names it: its name, or « Bibliothèque 2 » while it has none."""
    return (name or "").strip() or f"Bibliothèque {index}"


def library_scoped(heading: str, label: str) -> str:
    """« Médiathèque X – Nombre de bénévoles »: an answer of one library, in every list of errors."""
    return f"{heading} – {label}"


def library_missing(library: Library, index: int) -> list[Missing]:
    title = library_heading(index, library.name)
    return declared_missing(
        library, questionnaire.library_questions(), "bibliotheques", id_prefix=f"id_bib{library.pk}-", title=title
    )


def _display(instance, name):
    value = getattr(instance, name)
    if value is True:
        return "OUI"
    if value is False:
        return "NON"
    getter = getattr(instance, f"get_{name}_display", None)
    return str(getter() if getter else value)


def _step2(dossier: Dossier) -> list[Missing]:
    libraries = list(dossier.libraries.all())
    if not libraries:
        return [Missing("bibliotheques", "bibliotheques", "Bibliothèques", "Ajoutez au moins une bibliothèque.")]
    out = []
    for index, library in enumerate(libraries, start=1):
        out += library_missing(library, index)
    return out


def _step3(dossier: Dossier) -> list[Missing]:
    return declared_missing(dossier, questionnaire.step("projet").questions, "projet")


def _step4(dossier: Dossier) -> list[Missing]:
    return declared_missing(dossier, questionnaire.step("engagements").questions, "engagements")


def _step5(dossier: Dossier) -> list[Missing]:
    out = [
        Missing("objectifs", "objectifs", "Objectifs", message)
        for message in objective_problems(dossier_objective_levels(dossier), dossier.objective_other_text)
    ]
    out += declared_missing(dossier, questionnaire.step("objectifs").questions, "objectifs")
    for signup in dossier.working_group_signups.all():
        if not signup.agent_names.strip():
            out.append(Missing("objectifs", f"id_group_{signup.group_id}_agents", f"{signup.group.name} : Agent(s) proposé(s)",
                               "Indiquez le nom du ou des agents proposés pour ce groupe."))
    return out


def _step6(dossier: Dossier) -> list[Missing]:
    return declared_missing(dossier, questionnaire.step("validation").questions, "validation")


RULES = {"commune": _step1, "bibliotheques": _step2, "projet": _step3, "engagements": _step4,
         "objectifs": _step5, "validation": _step6}


def missing_answers(dossier: Dossier) -> list[Missing]:
    """Every missing answer, in step order. Empty list = the dossier can be submitted."""
    out = []
    for step in FORM_STEPS:
        out += RULES[step.slug](dossier)
    return out


def _answered(instance, q: questionnaire.Question) -> bool:
    """Whether `q` has an answer on `instance` (a box counts when ticked, « Non » counts)."""
    if q.kind == "signup":
        return bool(instance.working_group_signups.all())
    if not q.has_column:
        return False
    value = getattr(instance, q.name)
    if q.model_field.many_to_many:
        return bool(value.all())
    if q.kind in ("checkbox", "file"):
        return bool(value)
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None


def _started(dossier: Dossier, slug: str) -> bool:
    """A step is started once one of its declared questions has an answer (on any library for Volet 1;
    step 1 always is: its commune is chosen when the dossier is started)."""
    questions = questionnaire.step(slug).questions
    if questionnaire.step(slug).model == "ami.Library":
        return any(_answered(library, q) for library in dossier.libraries.all() for q in questions)
    return any(_answered(dossier, q) for q in questions)


STATE_LABELS = {"not_started": "non commencé", "incomplete": "incomplet", "complete": "complet"}


def step_states(dossier: Dossier, missing: list[Missing] | None = None) -> dict[str, str]:
    """State of each form step: "not_started", "incomplete" or "complete"."""
    missing = missing_answers(dossier) if missing is None else missing
    by_step = {m.step for m in missing}
    states = {}
    for step in FORM_STEPS:
        if step.slug not in by_step:
            states[step.slug] = "complete"
        elif _started(dossier, step.slug):
            states[step.slug] = "incomplete"
        else:
            states[step.slug] = "not_started"
    return states
