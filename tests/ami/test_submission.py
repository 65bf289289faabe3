"""Submission: completeness, deadline, idempotence, receipt numbers, reopening, read-only after close."""
import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client

from ami.models import Dossier, DossierVersion, OutboxEmail
from ami.services.submission import submit_dossier

from .factories import (
    commune,
    complete_dossier,
    dossier_path,
    make_campaign,
    make_dossier,
    open_dossier_in_session,
    step_post_data,
    step_url,
)


def submit(client, callbacks, dossier):
    with callbacks(execute=True):
        return client.post(dossier_path("ami:submit", dossier))


def test_incomplete_dossier_lists_missing_answers_with_links(referent, dossier, django_capture_on_commit_callbacks):
    page = referent.get(step_url(dossier, "recapitulatif")).content.decode()
    assert "Réponses manquantes" in page
    assert f'href="{step_url(dossier, "commune")}?manquantes=1#id_elected_last_name"' in page
    assert f'href="{step_url(dossier, "validation")}?manquantes=1#id_signed_document"' in page
    assert "Déposez le document signé (PDF)." in page
    response = submit(referent, django_capture_on_commit_callbacks, dossier)
    # Refused: POST, redirect, GET (a reload of the recap never sends the refused POST again).
    assert response.status_code == 302 and response["Location"] == step_url(dossier, "recapitulatif")
    recap = referent.get(response["Location"]).content.decode()
    assert "Le dossier est incomplet" in recap and "Réponses manquantes" in recap
    reloaded = referent.get(response["Location"]).content.decode()
    assert "Le dossier est incomplet" not in reloaded and "Réponses manquantes" in reloaded
    dossier.refresh_from_db()
    assert dossier.status == "draft" and dossier.receipt_number is None and not mail.outbox


def test_deliberation_needs_date_and_number(referent, complete):
    Dossier.objects.filter(pk=complete.pk).update(validation_mode="deliberation")
    page = referent.get(step_url(complete, "recapitulatif")).content.decode()
    assert "Indiquez la date et le numéro de la délibération." in page


def test_network_dossier_needs_communes_and_head(referent, complete):
    Dossier.objects.filter(pk=complete.pk).update(is_network=True)
    page = referent.get(step_url(complete, "recapitulatif")).content.decode()
    assert "Un dossier de réseau couvre au moins deux communes" in page
    assert "Indiquez la commune tête de réseau" in page


def test_submit_complete_dossier(referent, complete, django_capture_on_commit_callbacks):
    page = referent.get(step_url(complete, "recapitulatif")).content.decode()
    assert "Réponses manquantes" not in page and "Déposer ma candidature" in page
    assert "Médiathèque La Grand-Plage" in page  # summary of the answers
    response = submit(referent, django_capture_on_commit_callbacks, complete)
    assert response.status_code == 302 and response["Location"] == dossier_path("ami:confirmation", complete)
    complete.refresh_from_db()
    assert complete.status == "submitted" and complete.version == 1
    assert complete.receipt_number == f"BNM-{complete.campaign.opens_at.year}-0001"
    version = DossierVersion.objects.get(dossier=complete)
    assert version.number == 1
    assert version.data["libraries"][0]["name"] == "Médiathèque La Grand-Plage"
    assert version.data["working_groups"] and version.data["commune"]["name"] == "Roubaix"
    confirmation = referent.get(dossier_path("ami:confirmation", complete)).content.decode()
    assert "Votre candidature a été déposée" in confirmation
    assert complete.receipt_number in confirmation and dossier_path("ami:receipt_pdf", complete) in confirmation
    recipients = sorted(tuple(m.to) for m in mail.outbox)
    assert ("agent@example.fr", "elue@example.fr") in recipients or len(mail.outbox) >= 2
    assert any(complete.receipt_number in m.subject for m in mail.outbox)
    # Steps are read-only while submitted.
    step = referent.get(step_url(complete, "projet")).content.decode()
    assert "Votre candidature est déposée" in step and "disabled" in step
    data = step_post_data(complete, "projet")
    data["project_statement"] = "changement"
    refused = referent.post(step_url(complete, "projet"), data)
    assert refused.status_code == 403 and "Modifier ma candidature" in refused.content.decode()
    assert Dossier.objects.get(pk=complete.pk).project_statement != "changement"


def test_receipt_pdf_download(referent, complete, django_capture_on_commit_callbacks):
    assert referent.get(dossier_path("ami:receipt_pdf", complete)).status_code == 404
    submit(referent, django_capture_on_commit_callbacks, complete)
    response = referent.get(dossier_path("ami:receipt_pdf", complete))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_double_submission_gives_one_version_and_one_set_of_emails(referent, complete,
                                                                   django_capture_on_commit_callbacks):
    submit(referent, django_capture_on_commit_callbacks, complete)
    first_mails = len(mail.outbox)
    second = submit(referent, django_capture_on_commit_callbacks, complete)
    assert second.status_code == 302
    assert DossierVersion.objects.filter(dossier=complete).count() == 1
    assert len(mail.outbox) == first_mails and first_mails >= 1
    assert Dossier.objects.get(pk=complete.pk).version == 1


def test_reopen_and_resubmit_keeps_receipt(referent, complete, django_capture_on_commit_callbacks):
    submit(referent, django_capture_on_commit_callbacks, complete)
    receipt = Dossier.objects.get(pk=complete.pk).receipt_number
    mails_v1 = len(mail.outbox)
    response = referent.post(dossier_path("ami:reopen", complete))
    assert response.status_code == 302
    page = referent.get(step_url(complete, "projet")).content.decode()
    assert "déposée, en cours de modification\u202f: pensez à déposer à nouveau" in page
    data = step_post_data(complete, "projet")
    data["project_statement"] = "Version 2 du projet"
    assert referent.post(step_url(complete, "projet"), data).status_code == 302
    submit(referent, django_capture_on_commit_callbacks, complete)
    complete.refresh_from_db()
    assert complete.receipt_number == receipt and complete.version == 2 and complete.status == "submitted"
    versions = list(DossierVersion.objects.filter(dossier=complete).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].data["dossier"]["project_statement"] == "Version 2 du projet"
    assert len(mail.outbox) == 2 * mails_v1


def test_receipt_numbers_are_sequential_per_campaign(campaign):
    first = complete_dossier(make_dossier(campaign, commune("Roubaix")))
    second = complete_dossier(make_dossier(campaign, commune("Lille")))
    submit_dossier(first.pk)
    submit_dossier(second.pk)
    numbers = sorted(Dossier.objects.values_list("receipt_number", flat=True))
    year = campaign.opens_at.year
    assert numbers == [f"BNM-{year}-0001", f"BNM-{year}-0002"]


def test_deadline_minus_one_second_accepted(db, django_capture_on_commit_callbacks):
    campaign = make_campaign()
    dossier = complete_dossier(make_dossier(campaign))
    client = Client()
    with time_machine.travel(campaign.closes_at - timedelta(seconds=1), tick=False):
        open_dossier_in_session(client, dossier)  # sessions last two weeks: open it "now"
        response = submit(client, django_capture_on_commit_callbacks, dossier)
    assert response.status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).status == "submitted"


def test_deadline_plus_one_second_refused(db, django_capture_on_commit_callbacks):
    campaign = make_campaign()
    dossier = complete_dossier(make_dossier(campaign))
    client = Client()
    with time_machine.travel(campaign.closes_at + timedelta(seconds=1), tick=False):
        open_dossier_in_session(client, dossier)
        response = submit(client, django_capture_on_commit_callbacks, dossier)
        assert response.status_code == 302 and response["Location"] == step_url(dossier, "recapitulatif")
        text = client.get(response["Location"]).content.decode()
    assert "La date limite de dépôt est passée" in text
    assert Dossier.objects.get(pk=dossier.pk).status == "draft"
    assert not OutboxEmail.objects.filter(key__startswith="submission").exists()
    with time_machine.travel(campaign.closes_at, tick=False):  # exactly at closing: refused
        assert submit(client, django_capture_on_commit_callbacks, dossier).status_code == 302
        assert "La date limite de dépôt est passée" in client.get(step_url(dossier, "recapitulatif")).content.decode()
    assert Dossier.objects.get(pk=dossier.pk).status == "draft"


def test_every_write_refused_after_close_even_from_an_old_page(db, django_capture_on_commit_callbacks):
    campaign = make_campaign()
    dossier = complete_dossier(make_dossier(campaign))
    Dossier.objects.filter(pk=dossier.pk).update(project_statement="Avant la clôture")
    client = Client()
    data = step_post_data(dossier, "projet")  # the page was loaded before closing
    library_data = step_post_data(dossier, "bibliotheques")
    with time_machine.travel(campaign.closes_at + timedelta(seconds=1), tick=False):
        open_dossier_in_session(client, dossier)
        data["project_statement"] = "Après la clôture"
        response = client.post(step_url(dossier, "projet"), data)
        assert response.status_code == 403
        assert "La date limite de dépôt est passée" in response.content.decode()
        assert client.post(step_url(dossier, "bibliotheques"),
                           dict(library_data, library_action="add")).status_code == 403
        assert client.post(step_url(dossier, "projet"), data,
                           HTTP_X_REQUESTED_WITH="fetch").status_code == 403
        assert client.post(dossier_path("ami:reopen", dossier)).status_code == 302  # to the recap, which says why
        page = client.get(step_url(dossier, "projet")).content.decode()
        assert "le dossier est en lecture seule" in page and "Enregistrer et continuer" not in page
        # The read-only network list shows the communes of the dossier, not all 95.
        page = client.get(step_url(dossier, "commune")).content.decode()
        assert '<ul class="field__answers"><li>Roubaix</li></ul>' in page
    dossier.refresh_from_db()
    assert dossier.project_statement == "Avant la clôture" and dossier.libraries.count() == 1


@pytest.mark.django_db(transaction=True)
def test_ten_parallel_submissions_give_one(django_capture_on_commit_callbacks):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (CI runs this test on PostgreSQL)")
    from django.contrib.contenttypes.models import ContentType
    from django.db import connections

    from ami.communes import load_mel_communes
    from ami.models import Commune

    # An earlier transactional test may have flushed the seeded rows and the content types.
    ContentType.objects.clear_cache()
    load_mel_communes(Commune)
    campaign = make_campaign()
    dossier = complete_dossier(make_dossier(campaign))
    barrier = threading.Barrier(10)
    results, errors = [], []

    def worker():
        try:
            client = Client()
            open_dossier_in_session(client, dossier)
            barrier.wait()
            results.append(client.post(dossier_path("ami:submit", dossier)).status_code)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert results == [302] * 10
    dossier.refresh_from_db()
    assert dossier.status == "submitted" and dossier.version == 1
    assert DossierVersion.objects.filter(dossier=dossier).count() == 1
    submission_mails = [m for m in mail.outbox if dossier.receipt_number in m.subject]
    assert OutboxEmail.objects.filter(key__startswith=f"submission:{dossier.pk}:").count() == len(submission_mails)
    assert len({tuple(m.to) for m in submission_mails}) == len(submission_mails)
