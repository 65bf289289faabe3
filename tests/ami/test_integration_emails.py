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
from config.cache import reset_breakers
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
    assert wait_until(lambda: OutboxEmail.objects.filter(status=OutboxEmail.Status.SENT).count() == 2)
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

    # Later: the broker answers again and the breaker's cooldown is over.
    OutboxEmail.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))  # the grace is over
    reset_breakers()
    assert send_pending_emails() == 2  # dispatched to Redis by the sweep
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

    # The refused row waits for its next attempt time; nothing else retries it.
    [waiting] = seen
    assert waiting.next_attempt_at > timezone.now()
    assert send_pending_emails() == 0
    OutboxEmail.objects.filter(pk=waiting.pk).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    assert send_pending_emails() == 1
    assert len(smtp_sink.wait_for(2, timeout=60)) == 2
    assert wait_until(lambda: not OutboxEmail.objects.filter(sent_at__isnull=True).exists())
    time.sleep(1)
    assert len(smtp_sink.messages) == 2
    assert {subject(m) for m in smtp_sink.messages} == {confirmation.subject, notice.subject}


def test_a_failed_attempt_publishes_no_retry_to_the_broker(celery_worker_live, smtp_sink, settings):
    """The row holds the next attempt time: no Celery retry, countdown or ETA message exists
    that a Redis restart or the visibility timeout could lose (or a sweep could duplicate)."""
    import redis
    from celery.signals import after_task_publish

    from ami.services.notifications import queue_resume_link_email
    from tests.integration_fixtures import _free_port, redis_broker_url

    assert not getattr(send_outbox_email, "autoretry_for", ())
    published = []

    def count(sender=None, **kwargs):
        published.append(sender)

    after_task_publish.connect(count, weak=False)
    broker = redis.Redis.from_url(redis_broker_url())
    try:
        dossier = make_complete_dossier(communes=("Lille",), libraries=1)
        settings.EMAIL_PORT = _free_port()  # SMTP down: the worker's attempt is refused
        with transaction.atomic():
            email = queue_resume_link_email(dossier, "tok_" + "C" * 40)
        assert wait_until(lambda: OutboxEmail.objects.get(pk=email.pk).attempts == 1)
        # Once the worker has acknowledged the message, the broker holds nothing for this e-mail.
        assert wait_until(lambda: broker.llen("celery") == 0 and broker.hlen("unacked") == 0, timeout=10)
        assert published == ["ami.tasks.send_outbox_email"]
        email.refresh_from_db()
        assert email.status == OutboxEmail.Status.PENDING and email.next_attempt_at > timezone.now()
        assert smtp_sink.messages == []
    finally:
        after_task_publish.disconnect(count)
        broker.close()
