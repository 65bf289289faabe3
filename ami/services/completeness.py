"""What a dossier still lacks before it can be submitted, answer by answer, with links.

Drafts may be incomplete; these rules are checked when showing progress and at submission.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from ami.constants import OBJECTIVE_LEVELS, OBJECTIVES
from ami.models import Dossier, DossierCommune, Library, WorkingGroupSignup
from ami.services.steps import FORM_STEPS


@dataclass(frozen=True)
class Missing:
    step: str  # step slug
    field_id: str  # HTML id of the field in that step's page
    label: str
    message: str


def load_dossier(pk: int | None = None, *, public_id: str | None = None) -> Dossier | None:
    """A dossier (by key or by public id) with everything the step pages, completeness and
    summary read (fixed query count)."""
    lookup = {"pk": pk} if public_id is None else {"public_id": public_id}
    return (
        Dossier.objects.select_related("campaign", "commune", "head_commune")
        .prefetch_related(
            Prefetch(
                "libraries",
                queryset=Library.objects.order_by("sort_order", "id").prefetch_related("associated_communes"),
            ),
            Prefetch("commune_links", queryset=DossierCommune.objects.select_related("commune")),
            Prefetch("working_group_signups", queryset=WorkingGroupSignup.objects.select_related("group")),
        )
        .filter(**lookup)
        .first()
    )


def _label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def _empty(value) -> bool:
    return value is None or value == ""


DOSSIER_REQUIRED_STEP1 = [
    "is_network",
    "elected_last_name", "elected_first_name", "elected_delegation", "elected_email",
    "agent_last_name", "agent_first_name", "agent_position", "agent_department", "agent_email", "agent_phone",
    "validation_mode",
]
STEP1_GROUPS = {
    "elected_last_name": "Élu référent", "elected_first_name": "Élu référent", "elected_delegation": "Élu référent",
    "elected_email": "Élu référent", "agent_last_name": "Agent référent", "agent_first_name": "Agent référent",
    "agent_position": "Agent référent", "agent_department": "Agent référent", "agent_email": "Agent référent",
    "agent_phone": "Agent référent",
}
ENGAGEMENT_FIELDS = [
    "engagement_sigb", "engagement_portal_link", "compatible_software", "engagement_double_sso",
    "engagement_federated_search", "engagement_ebooks", "engagement_mediation_design",
    "engagement_mediation_programme",
]
LIBRARY_REQUIRED = [
    "name", "manager_name", "address", "phone", "email", "network", "management_mode", "surface_m2",
    "staff_category_a", "staff_category_b", "staff_category_c", "staff_fte", "volunteers",
    "active_members", "active_members_adults", "active_members_youth", "daily_visitors",
    "budget_acquisitions", "budget_digital_resources", "budget_cultural_action", "budget_communication",
    "documents_total", "books", "dvds", "cds", "periodicals", "games",
    "free_for_all", "weekly_opening_hours",
    "public_computers", "staff_computers", "public_wifi", "ereaders", "tablets", "has_digital_advisors",
    "has_rfid", "has_return_box", "offers_online_resources", "facebook", "instagram", "tiktok",
    "mel_library_nights", "mel_libre2lire", "mel_professional_days", "mel_uses_portal", "mel_open_agenda",
    "mel_equipment_fund", "mel_digital_call", "mel_cultural_partnerships",
]
# (controlling field, predicate on its value, dependent field)
LIBRARY_CONDITIONAL = [
    ("management_mode", lambda v: v == "other", "management_mode_other"),
    ("network", lambda v: v in ("communal", "intercommunal"), "network_name"),
    ("network", lambda v: v in ("communal", "intercommunal"), "network_library_count"),
    ("network", lambda v: v == "intercommunal", "associated_communes"),
    ("free_for_all", lambda v: v is False, "fee_adults_resident"),
    ("free_for_all", lambda v: v is False, "fee_children_resident"),
    ("free_for_all", lambda v: v is False, "fee_adults_non_resident"),
    ("free_for_all", lambda v: v is False, "fee_children_non_resident"),
    ("ereaders", lambda v: bool(v), "ereaders_lendable"),
    ("tablets", lambda v: bool(v), "tablets_lendable"),
    ("has_digital_advisors", lambda v: v is True, "digital_advisors"),
    ("offers_online_resources", lambda v: v is True, "online_resources"),
    ("facebook", lambda v: v is True, "facebook_account"),
    ("instagram", lambda v: v is True, "instagram_account"),
    ("tiktok", lambda v: v is True, "tiktok_account"),
]
# Answers that must be cleared when their controlling answer says they do not apply.
LIBRARY_CLEARED_UNLESS = [
    ("management_mode", lambda v: v == "other", ["management_mode_other"]),
    ("network", lambda v: v in ("communal", "intercommunal"), ["network_name", "network_library_count", "associated_communes"]),
    ("has_digital_advisors", lambda v: v is True, ["digital_advisors"]),
    ("offers_online_resources", lambda v: v is True, ["online_resources"]),
    ("facebook", lambda v: v is True, ["facebook_account"]),
    ("instagram", lambda v: v is True, ["instagram_account"]),
    ("tiktok", lambda v: v is True, ["tiktok_account"]),
]

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
    return {key: getattr(dossier, f"objective_{key}") for key in OBJECTIVES}


def _step1(dossier: Dossier) -> list[Missing]:
    out = []
    for name in DOSSIER_REQUIRED_STEP1:
        if _empty(getattr(dossier, name)):
            label = _label(Dossier, name)
            if name in STEP1_GROUPS:
                label = f"{STEP1_GROUPS[name]} : {label}"
            out.append(Missing("commune", f"id_{name}", label, REQUIRED_MESSAGE))
    if dossier.validation_mode == "deliberation":
        for name in ("deliberation_date", "deliberation_number"):
            if _empty(getattr(dossier, name)):
                out.append(
                    Missing("commune", f"id_{name}", f"Délibération : {_label(Dossier, name)}",
                            "Indiquez la date et le numéro de la délibération.")
                )
    if dossier.is_network:
        members = [link.commune_id for link in dossier.commune_links.all()]
        if len(members) < 2:
            out.append(Missing("commune", "id_network_communes", "Communes du réseau",
                               "Un dossier de réseau couvre au moins deux communes : cochez les communes du réseau."))
        if dossier.has_head_commune is None or (dossier.has_head_commune and not dossier.head_commune_id):
            out.append(Missing("commune", "id_head_choice", "Commune tête de réseau",
                               "Indiquez la commune tête de réseau, ou qu’aucune n’est désignée officiellement."))
    return out


def library_missing(library: Library, index: int) -> list[Missing]:
    out = []
    title = f"Bibliothèque {index}" + (f" ({library.name})" if library.name else "")
    prefix = f"id_bib{library.pk}-"

    def value(name):
        if name == "associated_communes":
            return list(library.associated_communes.all()) or None
        return getattr(library, name)

    for name in LIBRARY_REQUIRED:
        if _empty(value(name)):
            out.append(Missing("bibliotheques", prefix + name, f"{title} : {_label(Library, name)}", REQUIRED_MESSAGE))
    for control, applies, name in LIBRARY_CONDITIONAL:
        if applies(getattr(library, control)) and _empty(value(name)):
            out.append(
                Missing("bibliotheques", prefix + name, f"{title} : {_label(Library, name)}",
                        f"Réponse nécessaire puisque vous avez répondu « {_display(library, control)} » "
                        f"à « {_label(Library, control)} ».")
            )
    return out


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
    if not dossier.project_statement.strip():
        return [Missing("projet", "id_project_statement", _label(Dossier, "project_statement"), REQUIRED_MESSAGE)]
    return []


def _step4(dossier: Dossier) -> list[Missing]:
    return [
        Missing("engagements", f"id_{name}", _label(Dossier, name), REQUIRED_MESSAGE)
        for name in ENGAGEMENT_FIELDS
        if _empty(getattr(dossier, name))
    ]


def _step5(dossier: Dossier) -> list[Missing]:
    out = [
        Missing("objectifs", "objectifs", "Objectifs", message)
        for message in objective_problems(dossier_objective_levels(dossier), dossier.objective_other_text)
    ]
    if not dossier.training_commitment:
        out.append(Missing("objectifs", "id_training_commitment", _label(Dossier, "training_commitment"),
                           "Cet engagement est obligatoire : cochez la case."))
    for signup in dossier.working_group_signups.all():
        if not signup.agent_names.strip():
            out.append(Missing("objectifs", f"id_group_{signup.group_id}_agents", f"{signup.group.name} : Agent(s) proposé(s)",
                               "Indiquez le nom du ou des agents proposés pour ce groupe."))
    return out


def _step6(dossier: Dossier) -> list[Missing]:
    out = []
    for name in ("signed_place", "signed_on"):
        if _empty(getattr(dossier, name)):
            out.append(Missing("validation", f"id_{name}", _label(Dossier, name), REQUIRED_MESSAGE))
    if not dossier.signed_document:
        out.append(Missing("validation", "id_signed_document", _label(Dossier, "signed_document"),
                           "Déposez le document signé (PDF)."))
    return out


RULES = {"commune": _step1, "bibliotheques": _step2, "projet": _step3, "engagements": _step4,
         "objectifs": _step5, "validation": _step6}


def missing_answers(dossier: Dossier) -> list[Missing]:
    """Every missing answer, in step order. Empty list = the dossier can be submitted."""
    out = []
    for step in FORM_STEPS:
        out += RULES[step.slug](dossier)
    return out


def _started(dossier: Dossier, slug: str) -> bool:
    if slug == "commune":
        return True  # the commune is chosen when the dossier is started
    if slug == "bibliotheques":
        return any(
            not _empty(getattr(lib, name)) for lib in dossier.libraries.all() for name in LIBRARY_REQUIRED
        )
    if slug == "projet":
        return bool(dossier.project_statement.strip())
    if slug == "engagements":
        return any(not _empty(getattr(dossier, name)) for name in ENGAGEMENT_FIELDS)
    if slug == "objectifs":
        return (any(dossier_objective_levels(dossier).values()) or dossier.training_commitment
                or bool(dossier.working_group_signups.all()))
    if slug == "validation":
        return bool(dossier.signed_place or dossier.signed_on or dossier.signed_document)
    return False


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
