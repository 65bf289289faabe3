"""E-mails of the AMI. Every message is written to the OutboxEmail table inside the
business transaction and sent by a Celery task dispatched after commit (ami.tasks).

Interface used by the dossier flow (keep these signatures):
- queue_resume_link_email(dossier, raw_token, recipient=None) -> OutboxEmail
- queue_submission_emails(dossier, version) -> list[OutboxEmail]

Both must be called inside the transaction that creates the token / the version: the rows
commit (or roll back) with it, and the unique `key` makes a second call a no-op.
"""
from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

from ami.models import Dossier, DossierVersion, OutboxEmail
from core.public_urls import absolute_url, base_url

SIGNATURE = "L’équipe livre et lecture de la Métropole Européenne de Lille"


def dispatch_after_commit(email: OutboxEmail) -> None:
    """Hand `email` to the worker once the current transaction commits (at once outside one)."""
    from ami.tasks import dispatch_outbox_email

    email_id = email.pk
    transaction.on_commit(lambda: dispatch_outbox_email(email_id), robust=True)


def _queue(key: str, **fields) -> tuple[OutboxEmail, bool]:
    """Create the outbox row once per key; a second call returns the existing row, unsent twice never."""
    email, created = OutboxEmail.objects.get_or_create(key=key, defaults=fields)
    if created:
        dispatch_after_commit(email)
    return email, created


def resume_url(raw_token: str) -> str:
    return absolute_url(reverse("ami:access", kwargs={"token": raw_token}))


def restart_url() -> str:
    return absolute_url(reverse("ami:resume"))


def admin_dossier_url(dossier: Dossier) -> str:
    try:
        path = reverse("ami_dossier_modeladmin_inspect", args=[dossier.pk])
    except NoReverseMatch:
        path = f"/admin/ami/dossier/inspect/{dossier.pk}/"
    return absolute_url(path)


def communes_label(dossier: Dossier) -> str:
    names = list(dossier.communes.order_by("name").values_list("name", flat=True))
    if dossier.commune.name not in names:
        names.insert(0, dossier.commune.name)
    return ", ".join(names)


def _base_context(dossier: Dossier) -> dict:
    from ami.pdf import paris_datetime_label
    from ami.services.deadlines import dossier_closes_at

    campaign = dossier.campaign
    deadline = dossier_closes_at(dossier)  # the dossier's own (an extension for its commune counts)
    return {
        "dossier": dossier,
        "campaign": campaign,
        "communes": communes_label(dossier),
        "closes_label": paris_datetime_label(deadline),
        "own_deadline": deadline != campaign.closes_at,
        "campaign_closes_label": paris_datetime_label(campaign.closes_at),
        "team_email": campaign.team_email or settings.BNM_TEAM_EMAIL,
        "signature": SIGNATURE,
        "restart_url": restart_url(),
        "site_url": base_url(),
    }


def _render(name: str, context: dict) -> tuple[str, str]:
    return (
        render_to_string(f"emails/{name}.txt", context).strip() + "\n",
        render_to_string(f"emails/{name}.html", context),
    )


def queue_resume_link_email(dossier: Dossier, raw_token: str, recipient: str | None = None) -> OutboxEmail:
    """The private link to open (and resume) the dossier; it replaces the links sent before."""
    from django.utils import timezone

    from ami.pdf import paris_datetime_label
    from ami.services.deadlines import dossier_closes_at
    from ami.services.tokens import link_expires_at, link_lifetime

    recipient = recipient or dossier.agent_email
    expires_at = link_expires_at(timezone.now(), dossier)
    context = {
        **_base_context(dossier),
        "url": resume_url(raw_token),
        "expires_label": paris_datetime_label(expires_at),
        "expires_at_deadline": expires_at == dossier_closes_at(dossier),
        "lifetime_days": link_lifetime().days,
    }
    body, html = _render("resume_link", context)
    token_digest = hashlib.sha256(raw_token.encode()).hexdigest()[:32]
    email, _ = _queue(
        f"resume-link:{dossier.pk}:{token_digest}",
        to=[recipient],
        subject=f"Votre lien privé pour la candidature BNM – {dossier.commune.name}",
        body=body,
        html_body=html,
        dossier=dossier,
    )
    return email


def queue_submission_emails(dossier: Dossier, version: DossierVersion) -> list[OutboxEmail]:
    """Confirmation with the PDF to the agent and the elected referent, and a notice to the MEL team.

    The PDF is rendered by the sending task (from version.data) and attached then.
    """
    from ami.pdf import paris_datetime_label, version_pdf_filename

    context = {
        **_base_context(dossier),
        "version": version,
        "submitted_label": paris_datetime_label(version.submitted_at),
        "is_resubmission": version.number > 1,
        "admin_url": admin_dossier_url(dossier),
        "library_count": dossier.libraries.count(),
    }
    recipients = sorted({e.strip().lower() for e in (dossier.agent_email, dossier.elected_email) if e})
    emails = []
    if recipients:
        body, html = _render("submission_confirmation", context)
        emails.append(
            _queue(
                f"submission:{dossier.pk}:v{version.number}:referents",
                to=recipients,
                subject=f"Candidature BNM déposée – récépissé {dossier.receipt_number}",
                body=body,
                html_body=html,
                attachment_name=version_pdf_filename(version),
                dossier=dossier,
            )[0]
        )
    body, html = _render("submission_team_notice", context)
    verb = "Nouveau dépôt" if version.number == 1 else f"Nouvelle version ({version.number})"
    emails.append(
        _queue(
            f"submission:{dossier.pk}:v{version.number}:team",
            to=[context["team_email"]],
            subject=f"{verb} AMI BNM – {context['communes']} ({dossier.receipt_number})",
            body=body,
            html_body=html,
            dossier=dossier,
        )[0]
    )
    return emails


def call_page_url() -> str:
    return absolute_url(reverse("ami:home"))


def queue_invitation_email(campaign, commune, recipient: str, now) -> tuple[OutboxEmail, bool]:
    """« Inviter » from the communes tracker: ask a commune with no dossier to apply.

    The key holds the commune, the address and the day (Paris): one invitation a day per address."""
    from ami.pdf import paris_datetime_label
    from ami.services.deadlines import commune_closes_at
    from home.dates import to_paris

    context = {
        "campaign": campaign,
        "commune": commune,
        "url": call_page_url(),
        "closes_label": paris_datetime_label(commune_closes_at(campaign, commune)),  # its extension counts
        "team_email": campaign.team_email or settings.BNM_TEAM_EMAIL,
        "signature": SIGNATURE,
    }
    body, html = _render("invitation", context)
    address = recipient.strip().lower()
    digest = hashlib.sha256(address.encode()).hexdigest()[:16]
    return _queue(
        f"invitation:{campaign.pk}:{commune.pk}:{digest}:{to_paris(now).date().isoformat()}",
        to=[address],
        subject=f"Invitation à candidater à l’AMI « {campaign.title} » – {commune.name}",
        body=body,
        html_body=html,
    )


def _group_context(group) -> dict:
    return {
        "group": group,
        "team_email": settings.BNM_TEAM_EMAIL,
        "signature": SIGNATURE,
        "site_url": base_url(),
    }


def queue_group_message_email(group, address: str, subject: str, message: str, key: str) -> tuple[OutboxEmail, bool]:
    """« Écrire au groupe »: the team's message to one address of the group's members."""
    body, html = _render("group_message", {**_group_context(group), "message": message})
    return _queue(key, to=[address], subject=f"{subject} – {group.name}", body=body, html_body=html)


def queue_meeting_invitation_email(meeting, address: str, ics: bytes, key: str) -> tuple[OutboxEmail, bool]:
    """The invitation to a group's meeting, with its .ics (stored with the row, sent as text/calendar)."""
    from django.core.files.base import ContentFile

    from ami.pdf import paris_datetime_label
    from ami.services.working_groups import meeting_end, meeting_location
    from home.dates import format_time_fr, to_paris

    start, end = to_paris(meeting.starts_at), to_paris(meeting_end(meeting))
    same_day = start.date() == end.date()
    context = {
        **_group_context(meeting.group),
        "meeting": meeting,
        "when": (
            f"le {paris_datetime_label(meeting.starts_at)}, jusqu’à {format_time_fr(end.time())}"
            if same_day
            else f"du {paris_datetime_label(meeting.starts_at)} au {paris_datetime_label(end)}"
        ),
        "location": meeting_location(meeting),
        "is_update": meeting.sequence > 0,
    }
    body, html = _render("meeting_invitation", context)
    verb = "Réunion modifiée" if meeting.sequence else "Invitation"
    return _queue(
        key,
        to=[address],
        subject=f"{verb} – {meeting.group.name}, {paris_datetime_label(meeting.starts_at)}",
        body=body,
        html_body=html,
        attachment=ContentFile(ics, name=f"invitations/{uuid.uuid4().hex}.ics"),
        attachment_name="invitation.ics",
    )


def _queue_once_to_referent(dossier: Dossier, *, key: str, subject: str, template: str, context) -> bool:
    """One e-mail to the dossier's referent, once per `key` (reminders, purge warnings): the row is
    inserted first, and only a row this call created gets its body — `context()`, added to the
    dossier's base context, is called then (it may issue a private link) — and is dispatched.
    A second run, or a second beat process racing this one on the unique key, changes nothing.
    False when there is no address or the key exists."""
    from ami.services.dossiers import referent_email

    recipient = referent_email(dossier)
    if not recipient:
        return False
    email, created = OutboxEmail.objects.get_or_create(
        key=key, defaults={"to": [recipient], "subject": subject, "body": "", "dossier": dossier}
    )
    if not created:
        return False
    email.body, email.html_body = _render(template, {**_base_context(dossier), **context()})
    email.save(update_fields=["body", "html_body"])
    dispatch_after_commit(email)
    return True


def queue_reminder_email(dossier: Dossier, *, key: str, deadline, now) -> bool:
    """A deadline reminder to the draft's referent (ami.services.reminders), once per `key`.

    Like « Relancer », it carries a new private link (older ones revoked), issued only when this
    call created the row, in the caller's transaction."""
    from ami.pdf import paris_datetime_label
    from ami.services.tokens import issue_token, link_expires_at
    from home.dates import days_until, format_time_fr, to_paris

    days = days_until(deadline, now)
    commune = dossier.commune.name
    pending, action = ("à compléter", "compléter") if dossier.is_to_complete else ("non déposée", "déposer")
    if days == 0:
        subject = f"Clôture aujourd’hui à {format_time_fr(to_paris(deadline).time())}\u202f: candidature BNM de {commune} {pending}"
    else:
        subject = f"Rappel\u202f: plus que {days} jour{'s' if days > 1 else ''} pour {action} la candidature BNM de {commune}"
    return _queue_once_to_referent(
        dossier, key=key, subject=subject, template="reminder",
        context=lambda: {
            "days": days,
            "url": resume_url(issue_token(dossier, now)),
            "expires_label": paris_datetime_label(link_expires_at(now, dossier)),
        },
    )


REVIEW_SUBJECTS = {
    Dossier.Status.TO_COMPLETE: "Candidature BNM à compléter avant le {due} – récépissé {receipt}",
    Dossier.Status.ACCEPTED: "Candidature BNM retenue – récépissé {receipt}",
    Dossier.Status.REJECTED: "Candidature BNM non retenue – récépissé {receipt}",
}


def referent_recipients(dossier: Dossier) -> list[str]:
    """The agent and the elected referents (one e-mail to both, as for the submission)."""
    return sorted({e.strip().lower() for e in (dossier.agent_email, dossier.elected_email) if e})


def queue_review_email(dossier: Dossier, event) -> OutboxEmail | None:
    """The team's decision (« à compléter », « retenu », « non retenu ») with its message, once per
    decision (key: the DossierEvent). « À compléter » carries a new private link to the dossier,
    valid until the date to complete it. Call it in the transaction that records `event`."""
    from ami.pdf import paris_datetime_label
    from ami.services.tokens import issue_token

    recipients = referent_recipients(dossier)
    if not recipients:
        return None
    due_label = paris_datetime_label(event.due_at) if event.due_at else ""
    context = {
        **_base_context(dossier),
        "event": event,
        "state": event.to_state,
        "message": event.message,
        "due_label": due_label,
        "url": resume_url(issue_token(dossier)) if event.to_state == Dossier.Status.TO_COMPLETE else "",
    }
    body, html = _render("review_decision", context)
    subject = REVIEW_SUBJECTS[event.to_state].format(due=due_label, receipt=dossier.receipt_number or "")
    email, _ = _queue(
        f"review:{dossier.pk}:{event.pk}",
        to=recipients,
        subject=subject,
        body=body,
        html_body=html,
        dossier=dossier,
    )
    return email


def queue_purge_warning_email(dossier: Dossier, *, key: str, delete_at) -> bool:
    """One month before a draft never submitted is deleted (ami.services.personal_data): tell its
    referent the date, once per `key`. No private link: the call is closed."""
    from home.dates import format_date_fr, to_paris

    delete_label = format_date_fr(to_paris(delete_at).date())
    return _queue_once_to_referent(
        dossier, key=key, template="purge_warning", context=lambda: {"delete_label": delete_label},
        subject=f"Suppression le {delete_label} de la candidature BNM non déposée de {dossier.commune.name}",
    )
