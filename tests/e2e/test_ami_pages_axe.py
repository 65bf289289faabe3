"""axe-core (WCAG A/AA + best practices, zero violations) on every AMI page and state that is not
a step of the dossier (those are covered, with their error states, by test_ami_journey.py):
the call page before / during / after the campaign, start (empty, errors, "already exists"),
resume (form, errors, confirmation), private link (valid, invalid, replaced, expired), overview,
read-only dossier after the deadline (including a write refused from a page loaded before it),
confirmation, submitted and reopened dossier."""
import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from ami.models import AccessToken
from ami.services.uploads import store_signed_document
from tests.ami.factories import commune, make_dossier, valid_pdf_bytes
from tests.integration_fixtures import make_complete_dossier

from .ami_helpers import (
    axe,
    dossier_path,
    expect_step,
    h1,
    only_campaign,
    open_dossier,
    open_dossier_link,
    save,
    step_path,
)

pytestmark = pytest.mark.e2e


def set_campaign_times(campaign, opens_in, closes_in):
    """The team moves the call's dates (saved as the admin does: the page cache forgets the call page)."""
    now = timezone.now()
    campaign.refresh_from_db()
    campaign.opens_at, campaign.closes_at = now + opens_in, now + closes_in
    campaign.save(update_fields=["opens_at", "closes_at"])


def test_call_start_and_resume_pages_in_every_state(page):
    campaign = only_campaign(opens_in=dt.timedelta(days=5), closes_in=dt.timedelta(days=60))
    page.goto("/candidater/")
    expect(page.locator(".call-state--upcoming")).to_contain_text("il ouvre le")
    expect(page.get_by_role("link", name="Commencer")).to_have_count(0)
    axe(page, "/candidater/ (upcoming)")

    set_campaign_times(campaign, dt.timedelta(days=-1), dt.timedelta(days=20))
    page.reload()
    expect(page.locator(".call-state--open")).to_contain_text("Il reste 19 jours.")
    axe(page, "/candidater/ (open)")

    page.goto("/candidater/commencer/")
    axe(page, "start form")
    with page.expect_navigation():
        page.get_by_role("button", name="Créer le dossier").click()
    summary = page.locator(".error-summary[role=alert]")
    for field_id in ("id_commune", "id_is_network", "id_agent_email"):
        expect(summary.locator(f'a[href="#{field_id}"]')).to_have_count(1)
    axe(page, "start form (errors)")
    page.get_by_label("Nom de la commune").select_option(label="Lille")
    page.get_by_role("radio", name="NON").check()
    page.get_by_label("Votre adresse e-mail (agent référent)").fill("pas-une-adresse")
    with page.expect_navigation():
        page.get_by_role("button", name="Créer le dossier").click()
    expect(page.locator("#id_agent_email-error")).to_contain_text("Saisissez une adresse e-mail valide")
    axe(page, "start form (bad e-mail)")

    # The commune already has a dossier: no second one, offer the resume link.
    make_dossier(campaign, commune("Lille"), agent_email="referent.lille@example.fr")
    page.get_by_label("Votre adresse e-mail (agent référent)").fill("autre.agent@example.fr")
    with page.expect_navigation():
        page.get_by_role("button", name="Créer le dossier").click()
    expect(h1(page)).to_have_text("Un dossier existe déjà pour Lille")
    axe(page, "start: a dossier already exists")
    mail.outbox.clear()
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer le lien de reprise à l’agent référent").click()
    expect(h1(page)).to_have_text("Demande enregistrée")
    axe(page, "link sent to the referent")
    assert [m.to for m in mail.outbox] == [["referent.lille@example.fr"]]

    page.goto("/candidater/reprendre/")
    axe(page, "resume form")
    with page.expect_navigation():
        page.get_by_role("button", name="Recevoir un nouveau lien").click()
    expect(page.locator(".error-summary[role=alert]")).to_contain_text("Saisissez une adresse e-mail ou choisissez une commune")
    axe(page, "resume form (error)")
    page.get_by_label("Adresse e-mail de l’agent ou de l’élu référent").fill("referent.lille@example.fr")
    with page.expect_navigation():
        page.get_by_role("button", name="Recevoir un nouveau lien").click()
    expect(h1(page)).to_have_text("Demande enregistrée")
    axe(page, "resume: link sent")

    set_campaign_times(campaign, dt.timedelta(days=-30), dt.timedelta(minutes=-1))
    page.goto("/candidater/")
    expect(page.locator(".call-state--closed")).to_contain_text("est clos depuis le")
    axe(page, "/candidater/ (closed)")


def test_private_link_pages(page):
    campaign = only_campaign()
    dossier = make_dossier(campaign, commune("Villeneuve-d'Ascq"))
    link = open_dossier_link(dossier)

    page.goto(link)
    expect(page.get_by_role("button", name="Ouvrir mon dossier")).to_be_visible()
    axe(page, "private link (valid)")

    response = page.goto(link[:-5] + "xxxx/")
    assert response.status == 404
    expect(h1(page)).to_have_text("Ce lien n’est pas valide")
    axe(page, "private link (invalid)")

    newer = open_dossier_link(dossier)  # revokes `link`
    response = page.goto(link)
    assert response.status == 410
    expect(h1(page)).to_have_text("Ce lien a été remplacé")
    axe(page, "private link (replaced by a newer one)")

    AccessToken.objects.filter(dossier=dossier).update(created_at=timezone.now() - dt.timedelta(days=31))
    response = page.goto(newer)
    assert response.status == 410
    expect(h1(page)).to_have_text("Ce lien a expiré")
    axe(page, "private link (expired after its lifetime)")
    page.get_by_role("link", name="Recevoir un nouveau lien").click()
    expect(h1(page)).to_have_text("Reprendre ma candidature")

    set_campaign_times(campaign, dt.timedelta(days=-30), dt.timedelta(minutes=-1))
    response = page.goto(link)
    assert response.status == 410
    expect(h1(page)).to_have_text("Ce lien a expiré")
    axe(page, "private link (expired)")

    response = page.goto(dossier_path(dossier, "ami:dossier"))
    assert response.status == 403
    axe(page, "dossier without access")


def test_overview_and_read_only_dossier_after_the_deadline(page):
    campaign = only_campaign()
    dossier = make_dossier(campaign, commune("Roubaix"))
    open_dossier(page, dossier)
    axe(page, "overview (draft)")

    # A page loaded before the deadline…
    page.goto(step_path(dossier, "projet"))
    page.get_by_role("textbox").first.fill("Trop tard ?")
    set_campaign_times(campaign, dt.timedelta(days=-30), dt.timedelta(seconds=-1))
    # …cannot write after it: the server refuses, says why, and shows the dossier read-only.
    save(page)
    expect(page.locator(".error-summary[role=alert]")).to_contain_text("La date limite de dépôt est passée")
    expect(page.get_by_role("textbox").first).to_have_value("Trop tard ?")  # what was typed is still there
    axe(page, "write refused after the deadline")
    dossier.refresh_from_db()
    assert dossier.project_statement == ""

    for slug, number, title in (("commune", 1, "Commune et référents"), ("bibliotheques", 2, "Bibliothèque(s)"),
                                ("recapitulatif", 7, "Récapitulatif et dépôt")):
        page.goto(step_path(dossier, slug))
        expect_step(page, number, title)
        expect(page.locator(".banner--closed")).to_contain_text("La date limite de dépôt est passée")
        expect(page.get_by_role("button", name="Enregistrer")).to_have_count(0)
        axe(page, f"step {number} read-only after the deadline")
    page.goto(dossier_path(dossier, "ami:dossier"))
    expect(page.locator(".banner--closed")).to_be_visible()
    axe(page, "overview after the deadline")


def test_confirmation_submitted_and_reopened_dossier(page):
    campaign = only_campaign()
    dossier = make_complete_dossier(campaign=campaign)
    store_signed_document(dossier, valid_pdf_bytes())
    open_dossier(page, dossier)

    page.goto(step_path(dossier, "recapitulatif"))
    with page.expect_navigation():
        page.get_by_role("button", name="Déposer ma candidature").click()
    expect(h1(page)).to_have_text("Votre candidature a été déposée")
    axe(page, "confirmation")

    page.goto(step_path(dossier, "bibliotheques"))
    expect(page.locator(".banner--submitted")).to_contain_text("Votre candidature est déposée")
    axe(page, "step 2 of a submitted dossier (read-only)")
    page.goto(dossier_path(dossier, "ami:dossier"))
    axe(page, "overview (submitted)")

    with page.expect_navigation():
        page.locator(".banner--submitted, form[action$='/modifier/']").get_by_role(
            "button", name="Modifier ma candidature").first.click()
    expect_step(page, 1, "Commune et référents")
    expect(page.locator(".banner--reopened")).to_contain_text("pensez à déposer à nouveau")
    axe(page, "step 1 of a reopened dossier")
