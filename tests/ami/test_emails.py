"""AMI e-mails: content (French, link, PDF attachment) and the outbox (never lost, never twice)."""
import datetime as dt
import smtplib
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from ami.models import Campaign, OutboxEmail
from ami.services.notifications import queue_resume_link_email, queue_submission_emails
from ami.tasks import send_outbox_email
from config.cache import reset_breakers
from tests.integration_fixtures import make_complete_dossier, submit_dossier_version

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
TOKEN = "tok_" + "A" * 40


@pytest.fixture
def campaign():
    return Campaign.objects.create(
        title="AMI BNM 2022",
        statistics_year=2021,
        first_engagement_year=2023,
        opens_at=dt.datetime(2022, 6, 1, 9, 0, tzinfo=PARIS),
        closes_at=dt.datetime(2022, 9, 30, 23, 59, 59, tzinfo=PARIS),
        team_email="equipe-bnm@example.org",
    )


@pytest.fixture
def dossier(campaign):
    return make_complete_dossier(campaign=campaign)


def html_of(message):
    return next(content for content, mimetype in message.alternatives if mimetype == "text/html")


def test_resume_link_email(dossier, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queue_resume_link_email(dossier, TOKEN)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lucas.martin@example.org"]
    assert message.subject == "Votre lien privé pour la candidature BNM – Roubaix"
    url = f"{settings.SITE_BASE_URL}/candidater/acces/{TOKEN}/"
    assert url in message.body
    assert "valable jusqu’au 30 septembre 2022 à 23 h 59, heure de Paris" in message.body
    assert "/candidater/reprendre/" in message.body
    html = html_of(message)
    assert f'href="{url}"' in html
    assert "30 septembre 2022 à 23 h 59, heure de Paris" in html


def test_resume_link_to_another_recipient_and_token_not_kept_after_sending(dossier, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_resume_link_email(dossier, TOKEN, recipient="autre@example.org")
    assert mail.outbox[0].to == ["autre@example.org"]
    email.refresh_from_db()
    assert email.sent_at is not None
    # The raw token (stored only hashed elsewhere) does not stay readable in the outbox.
    assert TOKEN not in email.body
    assert TOKEN not in email.html_body
    assert TOKEN not in email.key


def test_submission_emails_confirmation_with_pdf_and_team_notice(dossier, django_capture_on_commit_callbacks):
    submitted_at = dt.datetime(2022, 9, 28, 16, 5, tzinfo=dt.UTC)  # 18 h 05 in Paris (summer time)
    version = submit_dossier_version(dossier, receipt_number="BNM-2022-0042", submitted_at=submitted_at)
    with django_capture_on_commit_callbacks(execute=True):
        emails = queue_submission_emails(dossier, version)
    assert len(emails) == 2
    assert len(mail.outbox) == 2
    confirmation, notice = sorted(mail.outbox, key=lambda m: "equipe-bnm@example.org" in m.to)

    assert sorted(confirmation.to) == ["claire.durand@example.org", "lucas.martin@example.org"]
    assert confirmation.subject == "Candidature BNM déposée – récépissé BNM-2022-0042"
    body = confirmation.body
    for expected in [
        "a bien été déposée",
        "Numéro de récépissé : BNM-2022-0042",
        "Déposée le : 28 septembre 2022 à 18 h 05 (heure de Paris)",
        "Commune(s) : Roubaix, Wattrelos",
        "jusqu’au 30 septembre 2022 à 23 h 59, heure de Paris",
        "utilisez le lien privé reçu lors de la création du dossier ou demandez-en un nouveau sur /candidater/reprendre/",
        "equipe-bnm@example.org",
    ]:
        assert expected in body, expected
    assert "/candidater/acces/" not in body  # the private link is never re-sent
    assert "BNM-2022-0042" in html_of(confirmation)
    [(name, content, mimetype)] = confirmation.attachments
    assert mimetype == "application/pdf"
    assert name == "candidature-bnm-BNM-2022-0042-v1.pdf"
    assert content.startswith(b"%PDF-")

    assert notice.to == ["equipe-bnm@example.org"]
    assert "BNM-2022-0042" in notice.subject and "Roubaix" in notice.subject
    assert f"{settings.SITE_BASE_URL}/admin/ami/dossier/inspect/{dossier.pk}/" in notice.body
    assert notice.attachments == []


def test_resubmission_sends_a_new_confirmation_with_the_same_receipt(dossier, django_capture_on_commit_callbacks):
    v1 = submit_dossier_version(dossier, receipt_number="BNM-2022-0042")
    v2 = submit_dossier_version(dossier)
    with django_capture_on_commit_callbacks(execute=True):
        queue_submission_emails(dossier, v1)
        queue_submission_emails(dossier, v2)
    assert len(mail.outbox) == 4
    subjects = [m.subject for m in mail.outbox]
    assert subjects.count("Candidature BNM déposée – récépissé BNM-2022-0042") == 2
    second = [m for m in mail.outbox if "La nouvelle version de la candidature de Roubaix" in m.body]
    assert len(second) == 1
    assert second[0].attachments[0][0].endswith("-v2.pdf")


def test_queueing_twice_creates_no_duplicate(dossier, django_capture_on_commit_callbacks):
    version = submit_dossier_version(dossier)
    with django_capture_on_commit_callbacks(execute=True):
        queue_submission_emails(dossier, version)
        queue_submission_emails(dossier, version)
    assert OutboxEmail.objects.count() == 2
    assert len(mail.outbox) == 2


def test_task_called_twice_sends_once(dossier):
    email = queue_resume_link_email(dossier, TOKEN)  # on_commit not run: nothing sent yet
    assert mail.outbox == []
    assert send_outbox_email(email.pk) is True
    assert send_outbox_email(email.pk) is False
    assert send_outbox_email.apply(args=[email.pk]).get() is False
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.attempts == 1


def test_smtp_failure_is_recorded_not_marked_sent_and_sent_on_a_later_attempt(dossier):
    email = queue_resume_link_email(dossier, TOKEN)
    refused = smtplib.SMTPRecipientsRefused({"lucas.martin@example.org": (451, b"Try again later")})
    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=refused):
        # One attempt, recorded; no exception for Celery to retry on.
        assert send_outbox_email(email.pk) is False
        assert send_outbox_email.apply(args=[email.pk]).get() is False
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.PENDING and email.sent_at is None
    assert email.attempts == 2
    assert "SMTPRecipientsRefused" in email.last_error
    assert mail.outbox == []

    assert send_outbox_email(email.pk) is True
    assert send_outbox_email(email.pk) is False
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.SENT
    assert email.sent_at is not None and email.last_error == ""
    assert len(mail.outbox) == 1


def test_lost_dispatch_is_sent_by_the_safety_net(dossier, django_capture_on_commit_callbacks):
    # The broker is down when the transaction commits: the request must not fail.
    with mock.patch.object(send_outbox_email, "delay", side_effect=ConnectionError("broker down")):
        with django_capture_on_commit_callbacks(execute=True):
            queue_resume_link_email(dossier, TOKEN)
    assert mail.outbox == []
    # Too recent: a normal dispatch may still be on its way.
    call_command("send_pending_emails")
    assert mail.outbox == []
    # Minutes later: the broker answers again and the breaker's cooldown is over.
    reset_breakers()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=1, seconds=1)):
        call_command("send_pending_emails")
    assert len(mail.outbox) == 1
    call_command("send_pending_emails")  # sent rows are never re-sent
    assert len(mail.outbox) == 1
