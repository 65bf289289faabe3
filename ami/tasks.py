"""Celery tasks of the AMI. Tasks take ids and are dispatched after commit."""
from celery import shared_task
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from ami.models import OutboxEmail


@shared_task(bind=True, max_retries=8, default_retry_delay=30)
def send_outbox_email(self, email_id: int) -> bool:
    """Send one outbox e-mail at most once: the row is locked and marked sent in one transaction."""
    with transaction.atomic():
        email = OutboxEmail.objects.select_for_update().filter(pk=email_id, sent_at__isnull=True).first()
        if email is None:
            return False
        message = EmailMessage(subject=email.subject, body=email.body, to=email.to)
        if email.attachment:
            with email.attachment.open("rb") as f:
                message.attach(email.attachment_name or "dossier.pdf", f.read(), "application/pdf")
        message.send()
        email.sent_at = timezone.now()
        email.attempts += 1
        email.save(update_fields=["sent_at", "attempts"])
    return True
