"""Real services: a Celery worker consuming from Redis, an SMTP server (aiosmtpd), PostgreSQL.

The e-mails are queued in a committed transaction, dispatched on commit to Redis, sent by the
worker over SMTP: the sink must receive exactly the expected messages, the PDF attached.
"""
import datetime as dt
import time

import pytest
from django.db import transaction
from django.utils import timezone

from ami.models import OutboxEmail
from ami.services.notifications import queue_submission_emails
from ami.tasks import send_outbox_email, send_pending_emails
from tests.integration_fixtures import make_complete_dossier, submit_dossier_version

pytestmark = pytest.mark.integration


def wait_until(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def subject(message) -> str:
    return " ".join(str(message["Subject"]).split())


def attachments(message):
    return [part for part in message.iter_attachments()]


def test_submission_emails_go_through_redis_worker_and_smtp(celery_worker_live, smtp_sink):
    dossier = make_complete_dossier()
    with transaction.atomic():
        version = submit_dossier_version(dossier, receipt_number="BNM-2022-0042")
        queue_submission_emails(dossier, version)
        # Nothing leaves before the commit.
        time.sleep(0.3)
        assert smtp_sink.messages == []

    messages = smtp_sink.wait_for(2, timeout=60)
    assert len(messages) == 2
    assert wait_until(lambda: OutboxEmail.objects.filter(sent_at__isnull=False).count() == 2)
    time.sleep(1)  # no duplicate arrives later
    assert len(smtp_sink.messages) == 2

    by_subject = {subject(m): m for m in messages}
    confirmation = by_subject["Candidature BNM déposée – récépissé BNM-2022-0042"]
    recipients = sorted(a.strip() for a in confirmation["To"].split(","))
    assert recipients == ["claire.durand@example.org", "lucas.martin@example.org"]
    text = confirmation.get_body(preferencelist=("plain",)).get_content()
    assert "Numéro de récépissé : BNM-2022-0042" in text
    assert "Roubaix, Wattrelos" in text
    html = confirmation.get_body(preferencelist=("html",)).get_content()
    assert "BNM-2022-0042" in html
    [pdf] = attachments(confirmation)
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_filename() == "candidature-bnm-BNM-2022-0042-v1.pdf"
    assert pdf.get_content().startswith(b"%PDF-")

    notice = next(m for s, m in by_subject.items() if s.startswith("Nouveau dépôt AMI BNM"))
    assert notice["To"] == "equipe-bnm@example.org"
    assert attachments(notice) == []

    # The version PDF was stored once, by the worker.
    version.refresh_from_db()
    assert version.pdf.name.startswith("receipts/")


def test_lost_dispatch_is_resent_by_the_safety_net_through_the_worker(celery_worker_live, smtp_sink):
    dossier = make_complete_dossier(communes=("Lille",), libraries=1)
    version = submit_dossier_version(dossier)
    # Simulate the broker being unreachable at commit time: rows written, nothing enqueued.
    from unittest import mock

    with mock.patch.object(send_outbox_email, "delay", side_effect=ConnectionError("broker down")):
        with transaction.atomic():
            queue_submission_emails(dossier, version)
    time.sleep(1)
    assert smtp_sink.messages == []
    assert OutboxEmail.objects.filter(sent_at__isnull=True).count() == 2

    OutboxEmail.objects.update(created_at=timezone.now() - dt.timedelta(minutes=2))
    assert send_pending_emails() == 2  # re-dispatched to Redis
    messages = smtp_sink.wait_for(2, timeout=60)
    assert len(messages) == 2
    assert wait_until(lambda: not OutboxEmail.objects.filter(sent_at__isnull=True).exists())

    # Running the safety net (and the task) again sends nothing more.
    assert send_pending_emails() == 0
    send_outbox_email.delay(OutboxEmail.objects.first().pk)
    time.sleep(1.5)
    assert len(smtp_sink.messages) == 2


def test_smtp_refusal_is_recorded_then_sent_once_when_the_server_accepts(celery_worker_live, smtp_sink):
    dossier = make_complete_dossier(communes=("Lille",), libraries=1)
    version = submit_dossier_version(dossier)

    original = smtp_sink.handle_DATA
    refused = []

    async def refuse_first(server, session, envelope):
        if not refused:
            refused.append(envelope)
            return "451 Temporary failure, try again later"
        return await original(server, session, envelope)

    smtp_sink.handle_DATA = refuse_first
    with transaction.atomic():
        [confirmation, notice] = queue_submission_emails(dossier, version)
    # One of the two messages was refused once: recorded, not marked sent.
    seen = []

    def refusal_recorded():
        seen.extend(OutboxEmail.objects.filter(attempts__gte=1, sent_at__isnull=True)[:1])
        return bool(seen)

    assert wait_until(refusal_recorded)
    assert "451" in seen[0].last_error
    assert len(smtp_sink.wait_for(1, timeout=30)) == 1

    # "Later": the worker's retry is scheduled with a backoff; the safety net gets there first here.
    OutboxEmail.objects.update(created_at=timezone.now() - dt.timedelta(minutes=2))
    send_pending_emails()
    assert len(smtp_sink.wait_for(2, timeout=60)) == 2
    assert wait_until(lambda: not OutboxEmail.objects.filter(sent_at__isnull=True).exists())
    time.sleep(1)
    assert len(smtp_sink.messages) == 2
    assert {subject(m) for m in smtp_sink.messages} == {confirmation.subject, notice.subject}
