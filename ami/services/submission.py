"""« Déposer ma candidature »: one submission, one version, one set of e-mails, never after the deadline."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from ami.models import Campaign, Dossier, DossierEvent, DossierVersion
from ami.services.completeness import Missing, load_dossier, missing_answers
from ami.services.deadlines import dossier_is_open
from ami.services.dossiers import CampaignClosed, DossierError, lock_dossier
from ami.services.notifications import queue_submission_emails
from ami.services.snapshot import dossier_snapshot

logger = logging.getLogger("ami")


class IncompleteDossier(DossierError):
    message = "Le dossier est incomplet : complétez les réponses signalées avant de déposer votre candidature."

    def __init__(self, missing: list[Missing]):
        super().__init__()
        self.missing = missing


@dataclass
class SubmissionResult:
    dossier: Dossier
    version: DossierVersion
    created: bool  # False when the dossier was already submitted (double click, second tab)


def next_receipt_number(campaign: Campaign) -> str:
    """BNM-<year>-<n>: must be called inside a transaction holding the campaign row lock.

    The year is the campaign's opening year; numbers already given for that year (by any
    campaign) are never reused.
    """
    prefix = f"BNM-{timezone.localtime(campaign.opens_at).year}-"
    pattern = re.compile(rf"{re.escape(prefix)}(\d+)")
    given = Dossier.objects.filter(receipt_number__startswith=prefix).values_list("receipt_number", flat=True)
    highest = max((int(m.group(1)) for n in given if (m := pattern.fullmatch(n or ""))), default=0)
    return f"{prefix}{highest + 1:04d}"


def submit_dossier(dossier_id: int, now=None) -> SubmissionResult:
    """Submit the dossier. Idempotent: an already submitted dossier returns its current version.

    Raises CampaignClosed after the deadline, IncompleteDossier when answers are missing.
    """
    with transaction.atomic():
        locked = lock_dossier(dossier_id)
        now = now or timezone.now()
        if not dossier_is_open(locked, now):
            raise CampaignClosed()
        if locked.is_with_mel:  # double click, second tab, or already with the MEL team
            version = locked.versions.order_by("-number").first()
            if version is not None:
                return SubmissionResult(locked, version, created=False)
        dossier = load_dossier(dossier_id)
        missing = missing_answers(dossier)
        if missing:
            raise IncompleteDossier(missing)
        if not locked.receipt_number:
            Campaign.objects.select_for_update().get(pk=locked.campaign_id)
            locked.receipt_number = next_receipt_number(locked.campaign)
        from_state = locked.status
        locked.status = Dossier.Status.SUBMITTED
        locked.submitted_at = now
        locked.version += 1
        # A dossier sent back « à compléter » is back with the team: no longer writable after its campaign.
        locked.completion_due_at = None
        locked.save(update_fields=["status", "submitted_at", "receipt_number", "version", "completion_due_at",
                                   "updated_at"])
        DossierEvent.objects.create(dossier=locked, at=now, from_state=from_state, to_state=locked.status)
        dossier.status, dossier.submitted_at = locked.status, locked.submitted_at
        dossier.receipt_number, dossier.version = locked.receipt_number, locked.version
        dossier.completion_due_at = None
        version = DossierVersion.objects.create(
            dossier=locked, number=locked.version, submitted_at=now, data=dossier_snapshot(dossier)
        )
        queue_submission_emails(locked, version)
    logger.info("AMI dossier %s submitted: %s v%s", dossier_id, locked.receipt_number, version.number)
    return SubmissionResult(locked, version, created=True)
