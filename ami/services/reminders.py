"""Deadline reminders to the referent of each dossier not yet submitted (a draft): seven days
before its deadline (« J−7 »), two days before (« J−2 ») and on the closing day (« clôture
aujourd’hui »), counted in calendar days in Paris from THE DOSSIER'S deadline
(ami.services.deadlines: an extension for its commune moves its reminders with it).

Each reminder is an outbox row whose unique key is ``reminder:<dossier>:<kind>:<deadline>``:
a second run, a second beat process or two runs at once insert nothing more (the unique index
decides; the loser of a race sees the winner's row and does nothing). Like « Relancer »
(ami.backoffice.tracker.remind), the e-mail carries a new private link, which replaces the
older ones; it is issued in the same transaction as the row, and only when the row is new.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ami.models import Campaign, Dossier
from ami.services import deadlines
from home.dates import days_until, to_paris

logger = logging.getLogger("ami")

D7, D2, CLOSING_DAY = "j-7", "j-2", "cloture"
# Calendar days left (Paris) during which each reminder is due: if beat was down on the day
# itself, the reminder still goes out late in its window, never a second time.
WINDOWS = {D7: range(3, 8), D2: range(1, 3), CLOSING_DAY: range(0, 1)}
LABELS = {D7: "J−7", D2: "J−2", CLOSING_DAY: "clôture aujourd’hui"}
# Not before this hour (Paris): nobody is reminded at midnight.
FROM_HOUR = 8
# A dossier started less than this ago has just received its link: no reminder yet.
GRACE = timedelta(hours=24)
# Reminded: drafts, and dossiers the team asked to complete (their deadline is the date given).
REMINDED_STATES = (Dossier.Status.DRAFT, Dossier.Status.TO_COMPLETE)


def due_kind(deadline: datetime, now: datetime) -> str | None:
    """Which reminder is due now for a dossier whose deadline is `deadline` (None: none)."""
    if now >= deadline or to_paris(now).hour < FROM_HOUR:
        return None
    days = days_until(deadline, now)
    for kind, window in WINDOWS.items():
        if days in window:
            return kind
    return None


def reminder_key(dossier: Dossier, kind: str, deadline: datetime) -> str:
    return f"reminder:{dossier.pk}:{kind}:{deadline.astimezone(UTC).isoformat()}"


@dataclass
class Due:
    dossier: Dossier
    kind: str
    deadline: datetime


def due_reminders(now: datetime | None = None) -> list[Due]:
    """The drafts whose reminder is due now, each with its kind and its own deadline.

    A few queries whatever the number of dossiers: the campaigns that accept writes now, their
    drafts, their communes and their extensions."""
    now = now or timezone.now()
    campaigns = list(
        Campaign.objects.filter(opens_at__lte=now)
        .filter(Q(closes_at__gt=now) | Q(extensions__closes_at__gt=now) | Q(dossiers__completion_due_at__gt=now))
        .distinct()
    )
    due = []
    for campaign in campaigns:
        drafts = Dossier.objects.filter(
            campaign=campaign, status__in=REMINDED_STATES, created_at__lte=now - GRACE
        ).select_related("commune")
        for dossier, deadline in deadlines.with_deadlines(campaign, drafts):
            kind = due_kind(deadline, now)
            if kind is not None:
                due.append(Due(dossier, kind, deadline))
    return due


def send_reminder(item: Due, now: datetime | None = None) -> bool:
    """Queue one reminder (with a new private link) unless its key exists. True if queued now."""
    from ami.services.notifications import queue_reminder_email

    with transaction.atomic():
        if not Dossier.objects.filter(pk=item.dossier.pk, status__in=REMINDED_STATES).exists():
            return False  # submitted since the list was read
        return queue_reminder_email(
            item.dossier, key=reminder_key(item.dossier, item.kind, item.deadline), deadline=item.deadline,
            now=now or timezone.now(),
        )


def send_due_reminders(now: datetime | None = None) -> int:
    """Send every reminder due now (the beat task). Returns how many were queued by this call."""
    now = now or timezone.now()
    sent = 0
    for item in due_reminders(now):
        try:
            sent += send_reminder(item, now)
        except Exception:  # one dossier's failure must not stop the others' reminders
            logger.exception("Reminder %s for dossier %s not queued", item.kind, item.dossier.pk)
    if sent:
        logger.info("Queued %s deadline reminder(s)", sent)
    return sent
