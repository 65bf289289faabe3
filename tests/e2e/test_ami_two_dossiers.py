"""One browser, two dossiers: a referent (or a staff member helping) has the dossiers of two
communes open in two tabs of the same browser. Every save, by button or by autosave, lands in
the dossier its tab shows; a save forged for a dossier this browser has not opened is refused."""
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from ami.models import Dossier
from tests.ami.factories import commune, make_dossier

from .ami_helpers import axe, h1, only_campaign, open_dossier, step_path

pytestmark = pytest.mark.e2e

PROJECT_LABEL = "Comment intégrez-vous la Bibliothèque Numérique Métropolitaine (BNM) dans votre projet communal ?"


def test_two_tabs_two_dossiers_each_save_lands_in_its_own(context, request_guard):
    campaign = only_campaign()
    roubaix = make_dossier(campaign, commune("Roubaix"))
    wattrelos = make_dossier(campaign, commune("Wattrelos"))
    stranger = make_dossier(campaign, commune("Tourcoing"))
    Dossier.objects.filter(pk=stranger.pk).update(project_statement="Texte de Tourcoing")

    # Tab 1 opens Roubaix and shows its step 3; then tab 2 opens Wattrelos' private link.
    tab1 = context.new_page()
    open_dossier(tab1, roubaix)
    tab1.goto(step_path(roubaix, "projet"))
    expect(tab1.locator(".dossier-head")).to_contain_text("Dossier de la commune de Roubaix")
    assert "dossier de la commune de Roubaix" in tab1.title()
    tab2 = context.new_page()
    open_dossier(tab2, wattrelos)
    tab2.goto(step_path(wattrelos, "commune"))
    expect(tab2.locator(".dossier-head")).to_contain_text("Dossier de la commune de Wattrelos")
    expect(tab2.locator(".dossier-head")).to_contain_text("autres dossiers ouverts (1)")

    # Tab 1 (opened first) saves with the button; tab 2 saves its agent with the button too.
    tab1.get_by_label(PROJECT_LABEL, exact=True).fill("Projet de Roubaix, onglet 1.")
    with tab1.expect_navigation():
        tab1.locator(".save-bar").get_by_role("button", name="Enregistrer", exact=True).click()
    expect(tab1.locator(".ami-messages")).to_contain_text("Vos réponses ont été enregistrées.")
    assert tab1.url.endswith(step_path(roubaix, "projet"))
    tab2.locator("#id_agent_email").fill("agent@ville-wattrelos.example.fr")
    with tab2.expect_navigation():
        tab2.locator(".save-bar").get_by_role("button", name="Enregistrer", exact=True).click()
    assert tab2.url.endswith(step_path(wattrelos, "commune"))

    # Autosave in both tabs: tab 1 on Roubaix's step 1, tab 2 on Wattrelos' step 3.
    tab1.goto(step_path(roubaix, "commune"))
    tab2.goto(step_path(wattrelos, "projet"))
    tab1.locator("#id_agent_email").fill("agent@ville-roubaix.example.fr")
    tab2.get_by_label(PROJECT_LABEL, exact=True).fill("Projet de Wattrelos, onglet 2.")
    for tab in (tab1, tab2):
        expect(tab.locator("[data-autosave-status]")).to_have_text(re.compile(r"^Enregistré à "), timeout=10_000)

    roubaix.refresh_from_db()
    wattrelos.refresh_from_db()
    assert (roubaix.project_statement, roubaix.agent_email) == (
        "Projet de Roubaix, onglet 1.", "agent@ville-roubaix.example.fr")
    assert (wattrelos.project_statement, wattrelos.agent_email) == (
        "Projet de Wattrelos, onglet 2.", "agent@ville-wattrelos.example.fr")

    # The generic entry lists both dossiers to choose from.
    tab2.goto(reverse("ami:dossiers"))
    expect(h1(tab2)).to_have_text("Vos dossiers ouverts")
    expect(tab2.get_by_role("link", name="Dossier de la commune de Roubaix")).to_be_visible()
    expect(tab2.get_by_role("link", name="Dossier de la commune de Wattrelos")).to_be_visible()
    axe(tab2, "open dossiers chooser")

    # A save forged from this browser (with its valid CSRF token) for a dossier it never opened.
    status = tab1.evaluate(
        """async (url) => {
            const token = document.querySelector('input[name=csrfmiddlewaretoken]').value;
            const body = new FormData();
            body.append('csrfmiddlewaretoken', token);
            body.append('project_statement', 'forgé');
            const response = await fetch(url, {method: 'POST', body, credentials: 'same-origin',
                                               headers: {'X-Requested-With': 'fetch'}});
            return response.status;
        }""",
        step_path(stranger, "projet"),
    )
    assert status == 403
    request_guard.broken_resources.clear()  # that 403 is the expected answer
    stranger.refresh_from_db()
    assert stranger.project_statement == "Texte de Tourcoing"
    response = tab1.goto(step_path(stranger, "projet"))
    assert response.status == 403
    expect(h1(tab1)).to_have_text("Accès au dossier")
    expect(tab1.get_by_role("link", name="Demander un nouveau lien")).to_be_visible()
    axe(tab1, "dossier not open in this browser")
