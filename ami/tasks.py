"""Celery tasks of the AMI. Tasks take ids and are dispatched after commit.

E-mail delivery ("never lost, never twice"):
- every message is an OutboxEmail row written in the business transaction;
- `send_outbox_email(id)` locks the row (SELECT … FOR UPDATE), sends it over SMTP and marks it
  sent in the same transaction: two workers can never both send it, and a sent row is skipped;
- an SMTP failure records `attempts` / `last_error` (committed), leaves `sent_at` empty and
  makes Celery retry with an exponential backoff;
- `send_pending_emails` (periodic task and management command) re-dispatches unsent rows older
  than a minute, so a message whose dispatch was lost (broker down at commit time, worker
  killed, retries exhausted) still leaves.
"""
from __future__ import annotations

import logging
import re
from datetime import timedelta

from celery import shared_task
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from ami.models import DossierVersion, OutboxEmail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
PENDING_GRACE = timedelta(minutes=1)
SUBMISSION_KEY = re.compile(r"^submission:(?P<dossier>\d+):v(?P<number>\d+):")
# A private resume link must not stay readable in the database once it has been sent.
RESUME_LINK = re.compile(r"(/candidater/acces/)[^/\s\"'<>]+/?")
REDACTED = r"\1[lien retiré après envoi]/"


class OutboxSendError(Exception):
    """Raised (after the failure is recorded) so that Celery retries the task."""


def _attachment(email: OutboxEmail) -> tuple[str, bytes] | None:
    """The PDF to attach: the stored file, or the dossier PDF of a submission e-mail."""
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
    message = EmailMultiAlternatives(subject=email.subject, body=email.body, to=list(email.to))
    if email.html_body:
        message.attach_alternative(email.html_body, "text/html")
    attachment = _attachment(email)
    if attachment:
        message.attach(attachment[0], attachment[1], "application/pdf")
    return message


@shared_task(
    bind=True,
    autoretry_for=(OutboxSendError,),
    retry_backoff=30,  # 30 s, 60 s, 120 s… up to an hour between attempts
    retry_backoff_max=3600,
    retry_jitter=False,  # with jitter a retry could come after 0 s, hammering a failing server
    max_retries=8,
    acks_late=True,
)
def send_outbox_email(self, email_id: int) -> bool:
    """Send one outbox e-mail at most once. Returns True when this call sent it."""
    error = None
    with transaction.atomic():
        email = (
            OutboxEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, sent_at__isnull=True)
            .first()
        )
        if email is None:  # already sent, or being sent right now by another worker
            return False
        email.attempts += 1
        try:
            build_message(email).send()
        except Exception as exc:  # SMTP refused, connection lost, PDF failed…: record it, retry later
            error = exc
            email.last_error = f"{timezone.now():%Y-%m-%d %H:%M:%S} {type(exc).__name__}: {exc}"[:2000]
            email.save(update_fields=["attempts", "last_error"])
        else:
            email.sent_at = timezone.now()
            email.last_error = ""
            email.body = RESUME_LINK.sub(REDACTED, email.body)
            email.html_body = RESUME_LINK.sub(REDACTED, email.html_body)
            email.save(update_fields=["sent_at", "attempts", "last_error", "body", "html_body"])
    if error is not None:
        logger.warning("Outbox e-mail %s not sent (attempt %s): %s", email_id, email.attempts, error)
        if self.request.is_eager:
            # No broker (development): do not block the web request with retries;
            # send_pending_emails will pick the row up again.
            return False
        raise OutboxSendError(str(error)) from error
    logger.info("Outbox e-mail %s sent to %s", email_id, ", ".join(email.to))
    return True


def dispatch_outbox_email(email_id: int) -> None:
    """Enqueue the sending task; never raises (the safety net catches lost dispatches)."""
    try:
        send_outbox_email.delay(email_id)
    except Exception:
        logger.exception("Could not enqueue outbox e-mail %s; send_pending_emails will retry", email_id)


def pending_email_ids(now=None, grace: timedelta = PENDING_GRACE) -> list[int]:
    now = now or timezone.now()
    return list(
        OutboxEmail.objects.filter(sent_at__isnull=True, created_at__lte=now - grace, attempts__lt=MAX_ATTEMPTS)
        .order_by("created_at")
        .values_list("pk", flat=True)
    )


@shared_task
def send_pending_emails() -> int:
    """Safety net: re-dispatch every unsent outbox e-mail older than a minute."""
    ids = pending_email_ids()
    for email_id in ids:
        dispatch_outbox_email(email_id)
    if ids:
        logger.info("Re-dispatched %s pending outbox e-mail(s)", len(ids))
    return len(ids)
