"""E-mails of the AMI. Every message is written to the OutboxEmail table inside the
business transaction and sent by a Celery task dispatched after commit.

Interface used by the dossier flow (keep these signatures):
- queue_resume_link_email(dossier, raw_token, recipient=None) -> OutboxEmail
- queue_submission_emails(dossier, version) -> list[OutboxEmail]
"""
from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string

from ami.models import Dossier, DossierVersion, OutboxEmail


def _dispatch(email: OutboxEmail) -> None:
    from ami.tasks import send_outbox_email

    transaction.on_commit(lambda: send_outbox_email.delay(email.pk))


def resume_url(raw_token: str) -> str:
    return f"{settings.SITE_BASE_URL}/candidater/acces/{raw_token}/"


def queue_resume_link_email(dossier: Dossier, raw_token: str, recipient: str | None = None) -> OutboxEmail:
    recipient = recipient or dossier.agent_email
    context = {"dossier": dossier, "campaign": dossier.campaign, "url": resume_url(raw_token)}
    email = OutboxEmail.objects.create(
        key=f"resume-link:{dossier.pk}:{raw_token[:16]}",
        to=[recipient],
        subject=f"Votre lien privé pour la candidature BNM – {dossier.commune.name}",
        body=render_to_string("emails/resume_link.txt", context),
        dossier=dossier,
    )
    _dispatch(email)
    return email


def queue_submission_emails(dossier: Dossier, version: DossierVersion) -> list[OutboxEmail]:
    context = {"dossier": dossier, "campaign": dossier.campaign, "version": version}
    recipients = sorted({e for e in (dossier.agent_email, dossier.elected_email) if e})
    emails = [
        OutboxEmail.objects.create(
            key=f"submission:{dossier.pk}:v{version.number}:referents",
            to=recipients,
            subject=f"Candidature BNM déposée – récépissé {dossier.receipt_number}",
            body=render_to_string("emails/submission_confirmation.txt", context),
            dossier=dossier,
        ),
        OutboxEmail.objects.create(
            key=f"submission:{dossier.pk}:v{version.number}:team",
            to=[dossier.campaign.team_email],
            subject=f"Nouveau dépôt AMI BNM – {dossier.commune.name} ({dossier.receipt_number})",
            body=render_to_string("emails/submission_team_notice.txt", context),
            dossier=dossier,
        ),
    ]
    for email in emails:
        _dispatch(email)
    return emails
