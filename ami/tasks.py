"""Celery tasks of the AMI. Tasks take ids and are dispatched after commit.

E-mail delivery ("never lost, never twice"), scheduled by the database, not by Celery:
- every message is an OutboxEmail row written in the business transaction and dispatched
  once on commit (`dispatch_outbox_email`);
- `send_outbox_email(id)` makes ONE attempt: it locks the row (SELECT … FOR UPDATE SKIP
  LOCKED), sends it over SMTP and marks it « envoyé » in the same transaction, so two workers
  can never both send it and a sent row is skipped. On failure it records `attempts`,
  `last_error` and `next_attempt_at` (capped exponential backoff: OUTBOX_RETRY_DELAY, twice
  that, four times… at most OUTBOX_RETRY_MAX_DELAY) and returns: no Celery retry, countdown
  or ETA is ever published, so nothing is lost with the broker's visibility timeout or a
  Redis restart, and no retry chain runs on top of another;
- `send_pending_emails` (beat, every OUTBOX_SWEEP_SECONDS; also a management command) is the
  only scheduler of retries: it dispatches the pending rows whose `next_attempt_at` has come
  and moves that time forward by one backoff step (a lease), so a lost message is
  dispatched again later and a slow queue is not flooded with copies;
- each message carries the number of attempts already made when it was dispatched: a copy
  that arrives after that attempt was made (a duplicate dispatch) is dropped, so an e-mail
  is never attempted twice for one due time;
- retries go on for OUTBOX_RETRY_HOURS from the row's creation (or from « Renvoyer » in the
  admin); the first failure after that period makes the row « échec », shown on the admin
  dashboard and in /sante/;
- each message has a deterministic Message-ID (`outbox_message_id`): the one duplicate that
  cannot be prevented (SMTP accepted the message, then the worker died before the commit)
  is recognisable by the receiving side.
"""
from __future__ import annotations

import hashlib
import logging
import mimetypes
import re
from datetime import timedelta
from email.utils import parseaddr
from urllib.parse import urlparse

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from ami.models import DossierVersion, Heartbeat, OutboxEmail
from config.cache import publish_or_skip

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500
SUBMISSION_KEY = re.compile(r"^submission:(?P<dossier>\d+):v(?P<number>\d+):")
# A private resume link must not stay readable in the database once it has been sent.
RESUME_LINK = re.compile(r"(/candidater/acces/)[^/\s\"'<>]+/?")
REDACTED = r"\1[lien retiré après envoi]/"


def retry_delay(failed_attempts: int) -> timedelta:
    """Wait after `failed_attempts` failures: base, 2×base, 4×base… capped (1 min … 1 h by default)."""
    base = settings.OUTBOX_RETRY_DELAY
    exponent = min(max(failed_attempts - 1, 0), 30)
    return timedelta(seconds=min(base * 2**exponent, settings.OUTBOX_RETRY_MAX_DELAY))


def retry_deadline(email: OutboxEmail):
    """After this time, a failed attempt makes the row « échec » instead of scheduling another."""
    return email.retry_since + timedelta(hours=settings.OUTBOX_RETRY_HOURS)


def _message_id_domain() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    if "@" in address:
        return address.rsplit("@", 1)[1].strip().lower()
    return urlparse(settings.SITE_BASE_URL).hostname or "localhost"


def outbox_message_id(email: OutboxEmail) -> str:
    """The same Message-ID for every attempt of a row: `<outbox-<pk>-<hash of key>@<domain>>`."""
    digest = hashlib.sha256(email.key.encode()).hexdigest()[:16]
    return f"<outbox-{email.pk}-{digest}@{_message_id_domain()}>"


def attachment_mimetype(name: str) -> str:
    """The attachment's type from its name (« invitation.ics » → text/calendar); PDF by default."""
    return mimetypes.guess_type(name)[0] or "application/pdf"


def _attachment(email: OutboxEmail) -> tuple[str, bytes] | None:
    """The file to attach: the stored file (PDF, meeting invitation), or the dossier PDF of a submission e-mail."""
    if email.attachment:
        with email.attachment.open("rb") as f:
            return email.attachment_name or "dossier.pdf", f.read()
    if email.attachment_name and (match := SUBMISSION_KEY.match(email.key)):
        from ami.pdf import get_or_create_version_pdf

        version = DossierVersion.objects.select_related("dossier", "dossier__campaign").get(
            dossier_id=int(match["dossier"]), number=int(match["number"])
        )
        return email.attachment_name, get_or_create_version_pdf(version)
    return None


def build_message(email: OutboxEmail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject, body=email.body, to=list(email.to), headers={"Message-ID": outbox_message_id(email)}
    )
    if email.html_body:
        message.attach_alternative(email.html_body, "text/html")
    attachment = _attachment(email)
    if attachment:
        message.attach(attachment[0], attachment[1], attachment_mimetype(attachment[0]))
    return message


@shared_task(acks_late=True, ignore_result=True)
def send_outbox_email(email_id: int, attempt: int | None = None) -> bool:
    """One attempt at sending one outbox e-mail. Returns True when this call sent it.

    `attempt` is the row's number of attempts when the message was dispatched; a copy arriving
    after that attempt was made is dropped. Never raises for a delivery failure: the failure is
    recorded on the row and the sweep dispatches the next attempt when it is due.
    """
    with transaction.atomic():
        email = (
            OutboxEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status=OutboxEmail.Status.PENDING)
            .first()
        )
        if email is None:  # sent, « échec », or being sent right now by another worker
            return False
        if attempt is not None and email.attempts != attempt:
            return False  # a duplicate dispatch: this attempt was already made
        email.attempts += 1
        try:
            build_message(email).send()
        except Exception as exc:  # SMTP refused, connection lost, PDF failed…: record it, retry later
            now = timezone.now()
            email.last_error = f"{timezone.localtime(now):%Y-%m-%d %H:%M:%S} {type(exc).__name__}: {exc}"[:2000]
            deadline = retry_deadline(email)
            if now >= deadline:
                email.status = OutboxEmail.Status.FAILED
                email.failed_at = now
            else:
                email.next_attempt_at = min(now + retry_delay(email.attempts), deadline)
            email.save(update_fields=["attempts", "last_error", "status", "failed_at", "next_attempt_at"])
        else:
            email.status = OutboxEmail.Status.SENT
            email.sent_at = timezone.now()
            email.last_error = ""
            email.body = RESUME_LINK.sub(REDACTED, email.body)
            email.html_body = RESUME_LINK.sub(REDACTED, email.html_body)
            email.save(update_fields=["status", "sent_at", "attempts", "last_error", "body", "html_body"])
            logger.info("Outbox e-mail %s sent (attempt %s)", email_id, email.attempts)
            return True
    if email.status == OutboxEmail.Status.FAILED:
        logger.error("Outbox e-mail %s failed for good after %s attempts: %s", email_id, email.attempts, email.last_error)
    else:
        logger.warning(
            "Outbox e-mail %s not sent (attempt %s), next attempt at %s: %s",
            email_id, email.attempts, email.next_attempt_at.isoformat(), email.last_error,
        )
    return False


def dispatch_outbox_email(email_id: int, attempt: int = 0) -> None:
    """Enqueue one attempt; never raises, never waits long on a down or hung broker
    (config.cache.publish_or_skip): a row not enqueued stays pending and the sweep dispatches it again."""
    if not publish_or_skip(send_outbox_email.delay, email_id, attempt):
        logger.warning("Outbox e-mail %s not enqueued (broker unavailable); the sweep will dispatch it again", email_id)


def due_email_rows(now=None, limit: int = SWEEP_BATCH) -> list[tuple[int, int]]:
    """(id, attempts) of the due rows, their next sweep time moved one backoff step ahead."""
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(
            OutboxEmail.objects.due(now)
            .select_for_update(skip_locked=True)
            .order_by("next_attempt_at")
            .values_list("pk", "attempts")[:limit]
        )
        for attempts in {attempts for _, attempts in rows}:
            OutboxEmail.objects.filter(pk__in=[pk for pk, n in rows if n == attempts]).update(
                next_attempt_at=now + retry_delay(attempts)
            )
    return rows


@shared_task(ignore_result=True)
def send_pending_emails() -> int:
    """The scheduler of retries: dispatch every pending outbox e-mail whose next attempt is due."""
    rows = due_email_rows()
    for email_id, attempts in rows:
        dispatch_outbox_email(email_id, attempts)
    if rows:
        logger.info("Dispatched %s due outbox e-mail(s)", len(rows))
    return len(rows)


def resend_failed_email(email: OutboxEmail) -> None:
    """« Renvoyer »: back to pending with a new retry period, dispatched after commit."""
    now = timezone.now()
    email.status = OutboxEmail.Status.PENDING
    email.failed_at = None
    email.retry_since = now
    email.next_attempt_at = now + retry_delay(0)
    email.save(update_fields=["status", "failed_at", "retry_since", "next_attempt_at"])
    email_id, attempts = email.pk, email.attempts
    transaction.on_commit(lambda: dispatch_outbox_email(email_id, attempts), robust=True)


@shared_task(ignore_result=True)
def heartbeat() -> None:
    """Scheduled by beat; running it proves the path beat → broker → worker → database works."""
    from ami.heartbeat import record

    record(Heartbeat.Source.WORKER)


@shared_task(ignore_result=True)
def send_deadline_reminders() -> int:
    """Beat, every REMINDER_SWEEP_SECONDS: the J−7, J−2 and closing-day reminders due now
    (ami.services.reminders). Safe to run twice or from two beats at once: each reminder is an
    outbox row with a unique key, so it is queued once per dossier, kind and deadline."""
    from ami.services.reminders import send_due_reminders

    return send_due_reminders()


@shared_task(ignore_result=True)
def purge_personal_data() -> dict:
    """Beat, once a day: warn the referents of drafts about to be deleted, delete the drafts whose
    retention period is over, anonymise the submitted dossiers whose period is over
    (ami.services.personal_data). Idempotent: a second run the same day does nothing more."""
    from ami.services.personal_data import purge_personal_data as purge

    report = purge()
    return {"warned": len(report.warned), "deleted": len(report.deleted), "anonymised": len(report.anonymised)}
