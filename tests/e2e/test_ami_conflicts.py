"""Nothing typed is lost, in a real browser: two tabs on the same step (the autosave of the older
one is refused as a conflict, the page keeps the text and the conflict page lets the user choose),
and a save refused because the dossier was submitted in another tab."""
import re

import pytest
from playwright.sync_api import expect

from ami.models import Dossier
from ami.services.uploads import store_signed_document
from tests.ami.factories import commune, make_dossier, valid_pdf_bytes
from tests.integration_fixtures import make_complete_dossier

from .ami_helpers import axe, expect_step, h1, only_campaign, open_dossier, step_path

pytestmark = pytest.mark.e2e

PROJECT_LABEL = "Comment intégrez-vous la Bibliothèque Numérique Métropolitaine (BNM) dans votre projet communal ?"


def statement(dossier):
    return Dossier.objects.get(pk=dossier.pk).project_statement


def test_stale_tab_autosave_conflict_keeps_the_text_and_lets_the_user_choose(context, request_guard):
    campaign = only_campaign()
    dossier = make_dossier(campaign, commune("Croix"))
    tab1 = context.new_page()
    open_dossier(tab1, dossier)
    tab1.goto(step_path(dossier, "projet"))
    tab2 = context.new_page()
    tab2.goto(step_path(dossier, "projet"))

    tab2.get_by_label(PROJECT_LABEL, exact=True).fill("Version de l’onglet 2.")
    with tab2.expect_navigation():
        tab2.locator(".save-bar").get_by_role("button", name="Enregistrer", exact=True).click()
    assert statement(dossier) == "Version de l’onglet 2."

    # Tab 1 still shows the older page: its autosave is refused, the text stays in the page.
    field = tab1.get_by_label(PROJECT_LABEL, exact=True)
    field.fill("Version de l’onglet 1.")
    status = tab1.locator("[data-autosave-status]")
    expect(status).to_contain_text("cette étape a été modifiée entre-temps", timeout=10_000)
    expect(field).to_have_value("Version de l’onglet 1.")
    assert statement(dossier) == "Version de l’onglet 2."
    assert [r.split(" ", 2)[:2] for r in request_guard.broken_resources] == [["409", "fetch"]]
    request_guard.broken_resources.clear()  # the expected answer to that autosave

    # « Enregistrer »: the conflict page shows both values; the form holds what was typed.
    with tab1.expect_navigation():
        tab1.locator(".save-bar").get_by_role("button", name="Enregistrer", exact=True).click()
    conflict = tab1.locator(".error-summary.conflict")
    expect(conflict).to_contain_text("cette étape a été modifiée entre-temps")
    row = conflict.get_by_role("row").filter(has_text="Comment intégrez-vous")
    expect(row.get_by_role("cell").nth(0)).to_have_text("Version de l’onglet 2.")
    expect(row.get_by_role("cell").nth(1)).to_have_text("Version de l’onglet 1.")
    expect(tab1.get_by_label(PROJECT_LABEL, exact=True)).to_have_value("Version de l’onglet 1.")
    axe(tab1, "step 3: conflict with a save made in another tab")
    assert statement(dossier) == "Version de l’onglet 2."
    request_guard.broken_resources.clear()  # the conflict page answers 409

    with tab1.expect_navigation():
        tab1.get_by_role("button", name="Enregistrer mes saisies").click()
    expect(tab1.locator(".ami-messages")).to_contain_text("Vos réponses ont été enregistrées.")
    assert statement(dossier) == "Version de l’onglet 1."

    # Autosave, twice in a row, never conflicts with itself (each answer carries the new revision).
    field = tab1.get_by_label(PROJECT_LABEL, exact=True)
    for text in ("Suite, enregistrée toute seule.", "Suite et fin, enregistrées toutes seules."):
        field.fill(text)
        expect(tab1.locator("[data-autosave-status]")).to_have_text(re.compile(r"^Enregistré à "), timeout=10_000)
        assert statement(dossier) == text
        tab1.evaluate("document.querySelector('[data-autosave-status]').textContent = ''")


def test_save_refused_because_submitted_in_another_tab_keeps_the_text(context, request_guard):
    campaign = only_campaign()
    dossier = make_complete_dossier(campaign=campaign)
    store_signed_document(dossier, valid_pdf_bytes())
    tab1 = context.new_page()
    open_dossier(tab1, dossier)
    tab1.goto(step_path(dossier, "projet"))
    tab2 = context.new_page()
    tab2.goto(step_path(dossier, "recapitulatif"))
    with tab2.expect_navigation():
        tab2.get_by_role("button", name="Déposer ma candidature").click()
    expect(h1(tab2)).to_have_text("Votre candidature a été déposée")
    submitted_text = statement(dossier)

    tab1.get_by_label(PROJECT_LABEL, exact=True).fill("Ajout tapé dans l’onglet 1.")
    with tab1.expect_navigation():
        tab1.locator(".save-bar").get_by_role("button", name="Enregistrer", exact=True).click()
    request_guard.broken_resources.clear()  # the refused save answers 403
    alert = tab1.locator(".error-summary[role=alert]").first
    expect(alert).to_contain_text("Vos saisies n’ont pas été enregistrées")
    expect(tab1.get_by_label(PROJECT_LABEL, exact=True)).to_have_value("Ajout tapé dans l’onglet 1.")
    axe(tab1, "step 3: save refused, dossier submitted in another tab")
    assert statement(dossier) == submitted_text

    with tab1.expect_navigation():
        tab1.get_by_role("button", name="Rouvrir ma candidature et enregistrer ces réponses").click()
    expect_step(tab1, 3, "Projet communal")
    expect(tab1.locator(".ami-messages")).to_contain_text("Votre candidature est rouverte")
    dossier.refresh_from_db()
    assert dossier.project_statement == "Ajout tapé dans l’onglet 1." and dossier.status == "draft"
