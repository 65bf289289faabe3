"""Helpers of the AMI browser tests: the answers a referent types, how to type them (by label,
as a user would), how to read them back from the database, and small page utilities.

Each answer knows its label, how it is entered (text, radio, checkbox, multiple checkboxes,
select) and the value the database must hold afterwards, so the tests can fill a step from a
dict and then check every single answer against what was typed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from playwright.sync_api import expect

from tests.text import normalise_spaces, pdf_text  # noqa: F401 (the browser tests import them from here)

from .helpers import assert_no_axe_violations

TEAM_EMAIL = "equipe-bnm@example.org"
NETWORK_COMMUNES = ("Roubaix", "Wattrelos")
ACCESS_PATH = re.compile(r"/candidater/acces/[A-Za-z0-9_\-]+/")


@dataclass
class Answer:
    label: str  # the visible label (or legend of the group)
    kind: str  # "text", "radio", "checkbox", "multi", "select", "date"
    typed: Any  # what the user types / the choice label(s) clicked / checked or not
    expected: Any  # what the database must hold
    field_id: str = ""  # the control's id, when the label is not unique on the page


# --- Campaigns & dossiers (test setup only: never the user's actions) -----------------------


def only_campaign(**fields):
    """Replace the campaign of ``load_bnm_content`` by a factory campaign (open by default)."""
    from ami.models import Campaign
    from tests.ami.factories import make_campaign

    Campaign.objects.filter(dossiers__isnull=True).delete()
    fields.setdefault("team_email", TEAM_EMAIL)
    return make_campaign(**fields)


def open_dossier_link(dossier) -> str:
    """A fresh private link for ``dossier`` (what the resume e-mail contains), as a path."""
    from ami.services.tokens import issue_token

    return f"/candidater/acces/{issue_token(dossier)}/"


def dossier_path(dossier, name: str = "ami:dossier", **kwargs) -> str:
    """The path of one of ``dossier``'s pages (they all name it by its public id)."""
    from django.urls import reverse

    return reverse(name, kwargs={"public_id": dossier.public_id, **kwargs})


def step_path(dossier, slug: str) -> str:
    return dossier_path(dossier, "ami:step", slug=slug)


def open_dossier(page, dossier) -> None:
    """Open ``dossier`` in ``page``'s browser context through a private link (GET, then the button)."""
    page.goto(open_dossier_link(dossier))
    page.get_by_role("button", name="Ouvrir mon dossier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Dossier de candidature de {dossier.commune.name}")


def access_path_from_email(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    match = ACCESS_PATH.search(body)
    assert match, f"no private link in the e-mail:\n{body}"
    return match.group(0)


# --- Pages ------------------------------------------------------------------------------------


def h1(page):
    return page.get_by_role("heading", level=1)


def expect_step(page, number: int, title: str):
    expect(h1(page)).to_have_text(f"Étape {number} sur 7 : {title}")


def save(page, button="Enregistrer"):
    """Click a save button (a full form submission) and wait for the next page."""
    with page.expect_navigation():
        page.locator(".save-bar").get_by_role("button", name=button, exact=True).click()


def expect_saved(page):
    expect(page.locator(".ami-messages")).to_contain_text("Vos réponses ont été enregistrées.")


def expect_error_state(page, label: str, field_ids: list[str]):
    """The step was refused: error summary at the top (role=alert, one link per field in error),
    each field marked invalid and its message next to it. Then axe-core on that state."""
    summary = page.locator(".error-summary[role=alert]")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Vos réponses n’ont pas été enregistrées")
    for field_id in field_ids:
        expect(summary.locator(f'a[href="#{field_id}"]').first).to_be_visible()
        expect(page.locator(f"#{field_id}-error").first).to_be_visible()
    assert_no_axe_violations(page, f"{label} (error state)")


def fill_answers(scope, answers: dict[str, Answer]) -> None:
    """Type every answer into ``scope`` (a page or a library section), by label when it is unique."""
    for name, answer in answers.items():
        fill_one(scope, name, answer)


def _control(scope, answer: Answer):
    if answer.field_id:
        return scope.locator(f"#{answer.field_id}")
    return scope.get_by_label(answer.label, exact=True)


def fill_one(scope, name: str, answer: Answer) -> None:
    kind = answer.kind
    if kind in ("text", "date"):
        control = _control(scope, answer)
        expect(control).to_have_count(1)
        control.fill(answer.typed)
    elif kind == "checkbox":
        _control(scope, answer).set_checked(bool(answer.typed))
    elif kind == "select":
        _control(scope, answer).select_option(label=answer.typed)
    elif kind == "radio":
        group = scope.get_by_role("group", name=answer.label, exact=True)
        expect(group).to_have_count(1)
        group.get_by_label(answer.typed, exact=True).check()
    elif kind == "multi":
        group = scope.get_by_role("group", name=answer.label, exact=True)
        expect(group).to_have_count(1)
        for choice in answer.typed:
            group.get_by_label(choice, exact=True).check()
    else:  # pragma: no cover
        raise AssertionError(f"unknown kind {kind} for {name}")


def axe(page, label: str) -> None:
    assert_no_axe_violations(page, label)


# --- The answers of the journey ---------------------------------------------------------------


def start_answers(agent_email: str) -> dict[str, Answer]:
    return {
        "commune": Answer("Nom de la commune", "select", NETWORK_COMMUNES[0], NETWORK_COMMUNES[0]),
        "is_network": Answer("Dossier déposé pour un réseau de bibliothèques", "radio", "OUI", True),
        "agent_email": Answer("Votre adresse e-mail (agent référent)", "text", agent_email, agent_email),
    }


def step1_answers() -> dict[str, Answer]:
    def text(name, value, expected=None):
        return Answer(name, "text", value, value if expected is None else expected, field_id=f"id_{name}")

    return {
        "is_network": Answer("Dossier déposé pour un réseau de bibliothèques", "radio", "OUI", True),
        "network_communes": Answer("Communes du réseau", "multi", list(NETWORK_COMMUNES), set(NETWORK_COMMUNES)),
        "head_choice": Answer("Commune tête de réseau", "select", NETWORK_COMMUNES[0], NETWORK_COMMUNES[0]),
        "elected_last_name": text("elected_last_name", "Durand-Lefèvre"),
        "elected_first_name": text("elected_first_name", "Claire"),
        "elected_delegation": text("elected_delegation", "Culture, lecture publique et numérique"),
        "elected_email": text("elected_email", "claire.durand@ville-roubaix.example.fr"),
        "agent_last_name": text("agent_last_name", "Martin"),
        "agent_first_name": text("agent_first_name", "Lucas"),
        "agent_position": text("agent_position", "Directeur de la médiathèque"),
        "agent_department": text("agent_department", "Direction de la culture – service lecture publique"),
        "agent_email": text("agent_email", "lucas.martin@ville-roubaix.example.fr"),
        # Typed without spaces, stored in the French national format.
        "agent_phone": text("agent_phone", "0320123456", "03 20 12 34 56"),
        "validation_mode": Answer(
            "Dépôt du dossier AMI validé par signature de l'élu référent ou délibération", "radio", "délibération",
            "deliberation",
        ),
        "deliberation_date": Answer("Date", "date", "2026-10-12", "2026-10-12", field_id="id_deliberation_date"),
        "deliberation_number": text("deliberation_number", "DEL-2026-117"),
    }


# Library answers that depend on others: chosen so that every answer is kept (an intercommunal
# network keeps the network fields, « autre » keeps its detail, OUI keeps the « si oui » fields).
LIBRARY_NAMES = ("Médiathèque La Grand-Plage", "Bibliothèque Jean-Lévy")
LIBRARY_FIXED = {
    "network": "intercommunal",
    "management_mode": "other",
    "free_for_all": "false",
}


def library_answers(index: int) -> dict[str, Answer]:
    """Every field of library ``index`` (0 or 1) with a distinct value, built from the form itself,
    so a field added to the form is covered without touching this test."""
    from django import forms

    from ami.forms.fields import CountField, FrenchDecimalField, MoneyField, PhoneField, YearField, YesNoField
    from ami.forms.steps import LIBRARY_FIELDS, LibraryForm
    from ami.models import Library

    form = LibraryForm(instance=Library(), communes=[(name, name) for name in NETWORK_COMMUNES])
    answers = {}
    for position, name in enumerate(LIBRARY_FIELDS):
        field = form.fields[name]
        label = str(field.label)
        seed = position + 1 + 100 * index
        if name == "associated_communes":
            answers[name] = Answer(label, "multi", list(NETWORK_COMMUNES), set(NETWORK_COMMUNES))
        elif isinstance(field, YesNoField):
            value = LIBRARY_FIXED.get(name) or ("true" if (index == 0 or position % 2) else "false")
            if name.endswith("_lendable") or name in ("has_digital_advisors", "offers_online_resources",
                                                       "facebook", "instagram", "tiktok"):
                value = "true"  # keeps the dependent answers
            answers[name] = Answer(label, "radio", dict(field.choices)[value], value == "true")
        elif isinstance(field, forms.ChoiceField) and isinstance(field.widget, forms.RadioSelect):
            choices = [c for c in field.choices if c[0]]
            value = LIBRARY_FIXED.get(name) or choices[(index + position) % len(choices)][0]
            answers[name] = Answer(label, "radio", dict(choices)[value], value)
        elif isinstance(field, forms.BooleanField):
            checked = index == 0 or position % 2 == 0
            answers[name] = Answer(label, "checkbox", checked, checked)
        elif isinstance(field, YearField):
            year = 2012 + position % 10 + index
            answers[name] = Answer(label, "text", str(year), year)
        elif isinstance(field, CountField):
            number = 1000 * (index + 1) + seed if position % 3 == 0 else seed
            typed = f"{number:,}".replace(",", " ")  # « 1 013 »: the French way of writing it
            answers[name] = Answer(label, "text", typed, number)
        elif isinstance(field, MoneyField):
            euros = Decimal(f"{12000 + 37 * seed}.{seed % 100:02d}")
            typed = f"{euros:,.2f}".replace(",", " ").replace(".", ",")  # « 12 481,45 »
            answers[name] = Answer(label, "text", typed, euros)
        elif isinstance(field, FrenchDecimalField):
            number = Decimal(f"{seed % 40 + 2}.5")
            answers[name] = Answer(label, "text", str(number).replace(".", ","), number)
        elif isinstance(field, PhoneField):
            typed, stored = [("0320664500", "03 20 66 45 00"), ("03.20.75.12.34", "03 20 75 12 34")][index]
            answers[name] = Answer(label, "text", typed, stored)
        elif isinstance(field, forms.EmailField):
            value = f"bibliotheque{index + 1}@ville-exemple.fr"
            answers[name] = Answer(label, "text", value, value)
        elif isinstance(field, forms.URLField):
            value = f"https://bibliotheque{index + 1}.ville-exemple.fr/catalogue"
            answers[name] = Answer(label, "text", value, value)
        elif isinstance(field, forms.CharField):
            if name == "name":
                value = LIBRARY_NAMES[index]
            elif isinstance(field.widget, forms.Textarea):
                value = f"Cafeyn, Tout apprendre (bibliothèque {index + 1})\nPhilharmonie de Paris, Médiathèque numérique"
                # A browser submits the line breaks of a textarea as CRLF (HTML form encoding).
                answers[name] = Answer(label, "text", value, value.replace("\n", "\r\n"))
                continue
            else:
                value = f"Réponse « {label[:40]} » n° {index + 1}"[: field.max_length or 255]
            answers[name] = Answer(label, "text", value, value)
        else:  # pragma: no cover - a new kind of field: make the test say so
            raise AssertionError(f"library field {name}: unknown kind {type(field).__name__}")
    return answers


PROJECT_STATEMENT = (
    "La BNM s’inscrit dans notre projet de lecture publique : mise en réseau des deux médiathèques,\n"
    "ressources en ligne pour tous les habitants, médiation numérique avec les conseillers numériques.\n"
    "Atouts : équipe formée, RFID. Freins : postes publics vieillissants."
)


def engagement_answers(campaign) -> dict[str, Answer]:
    from ami.models import Dossier

    year1, year2 = campaign.first_engagement_year + 1, campaign.first_engagement_year + 2

    def label(name):
        return str(Dossier._meta.get_field(name).verbose_name)

    def radio(name, choice_label, value):
        return Answer(label(name), "radio", choice_label, value)

    return {
        "engagement_sigb": radio("engagement_sigb", "OUI", "oui"),
        "engagement_portal_link": radio("engagement_portal_link", f"Envisagé en {year1}", "n+1"),
        "compatible_software": radio("compatible_software", "Nanook", "nanook"),
        "engagement_double_sso": radio("engagement_double_sso", "NON", "non"),
        "engagement_federated_search": radio("engagement_federated_search", f"Envisagé en {year2}", "n+2"),
        "engagement_ebooks": radio("engagement_ebooks", "OUI", "oui"),
        "engagement_mediation_design": radio("engagement_mediation_design", "OUI", True),
        "engagement_mediation_programme": radio("engagement_mediation_programme", f"Envisagé en {year2}", "n+2"),
    }


def objective_answers() -> dict[str, Answer]:
    from ami.constants import OBJECTIVES

    chosen = {"public_service": "+++", "networking": "++", "modernise": "+"}
    return {
        f"objective_{key}": Answer(OBJECTIVES[key], "radio", chosen.get(key, "non retenu"), chosen.get(key, ""))
        for key in OBJECTIVES
    }


TRAINING_LABEL = "La formation : le numérique en bibliothèque, remise à niveau informatique"


def working_group_answers() -> dict[str, str]:
    """group name -> agent names, for the first two active groups (the others stay unticked)."""
    from ami.models import WorkingGroup

    groups = list(WorkingGroup.objects.filter(is_active=True).order_by("sort_order", "name"))
    assert len(groups) >= 2, "the migrations seed four working groups"
    return {groups[0].name: "Lucas Martin", groups[1].name: "Inès Petit, Paul Leroy"}


def fill_working_groups(page, wanted: dict[str, str]) -> None:
    from ami.models import WorkingGroup

    for name, agents in wanted.items():
        group = WorkingGroup.objects.get(name=name)
        page.get_by_label(name, exact=True).check()
        agents_input = page.locator(f"#id_group_{group.pk}_agents")
        # The label is « Agent(s) proposé(s) » for every group: check it is the one of this group.
        expect(page.locator(f'label[for="id_group_{group.pk}_agents"]')).to_have_text("Agent(s) proposé(s)")
        agents_input.fill(agents)


# --- Reading back ----------------------------------------------------------------------------


def _db_value(instance, name):
    value = getattr(instance, name)
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return value.isoformat()
    return value


def compare(instance, answers: dict[str, Answer], what: str, *, skip=()) -> list[str]:
    """Every answer that the database does not hold as typed (empty list = all there)."""
    problems = []
    for name, answer in answers.items():
        if name in skip:
            continue
        if name == "associated_communes":
            actual = {c.name for c in instance.associated_communes.all()}
        else:
            actual = _db_value(instance, name)
        if actual != answer.expected:
            problems.append(f"{what}.{name} ({answer.label!r}): typed {answer.typed!r}, "
                            f"expected {answer.expected!r}, database holds {actual!r}")
    return problems
