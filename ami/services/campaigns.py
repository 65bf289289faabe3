"""Campaign timing, the MEL team's rules: open now, close now, extend for every commune, extend for
one commune (ami.models.CampaignExtension), and the campaign's journal (ami.models.CampaignEvent).

Every change of dates, state or extension goes through here, whether it comes from the campaign
page's actions or from the campaign edit form, and writes one journal entry (who, when,
before → after) in the same transaction. Invalid changes are refused with a French message
(CampaignChangeRefused) and change nothing. Who may write until when is answered by
ami.services.deadlines, which reads what this module writes.
"""
from __future__ import annotations

from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone

from ami.models import Campaign, CampaignEvent, CampaignExtension, Commune
from ami.pdf import paris_datetime_label

Kind = CampaignEvent.Kind


class CampaignChangeRefused(Exception):
    """A refused change; `message` is shown to the team in French, next to `field` when given."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# --- Journal ------------------------------------------------------------------------------


def actor_label(user) -> str:
    if user is None:
        return ""
    full_name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return (full_name or user.get_username()).strip()


def _iso(value: datetime) -> str:
    """One spelling per instant (UTC), so equal dates compare equal whatever zone they came in."""
    return value.astimezone(UTC).isoformat()


def campaign_snapshot(campaign: Campaign, now: datetime | None = None) -> dict:
    """What the journal keeps of a campaign's timing: its dates and its state at that moment."""
    return {
        "opens_at": _iso(campaign.opens_at),
        "closes_at": _iso(campaign.closes_at),
        "state": campaign.state(now),
    }


def extension_snapshot(extension: CampaignExtension | None) -> dict:
    if extension is None:
        return {}
    return {"closes_at": _iso(extension.closes_at), "reason": extension.reason}


def log(campaign: Campaign, kind: str, actor, *, before: dict | None = None, after: dict | None = None,
        commune: Commune | None = None, now: datetime | None = None) -> CampaignEvent:
    return CampaignEvent.objects.create(
        campaign=campaign, kind=kind, actor=actor if getattr(actor, "pk", None) else None,
        actor_name=actor_label(actor), commune=commune, before=before or {}, after=after or {},
        at=now or timezone.now(),
    )


FIELD_LABELS = {
    "opens_at": "ouverture",
    "closes_at": "date limite",
    "state": "état",
    "reason": "motif",
}
DATE_FIELDS = {"opens_at", "closes_at"}


def _value_label(name: str, value) -> str:
    if value in (None, ""):
        return "—"
    if name in DATE_FIELDS:
        return paris_datetime_label(value)
    if name == "state":
        return Campaign.State(value).label
    return str(value)


def event_changes(event: CampaignEvent) -> list[dict]:
    """The journal's « avant → après » lines of an event, in French, dates in Paris time."""
    names = [name for name in FIELD_LABELS if name in event.before or name in event.after]
    changes = []
    for name in names:
        before, after = event.before.get(name), event.after.get(name)
        if before == after:
            continue
        changes.append({
            "label": FIELD_LABELS[name],
            "before": _value_label(name, before) if name in event.before else "—",
            "after": _value_label(name, after) if name in event.after else "—",
        })
    return changes


# --- Campaign dates -----------------------------------------------------------------------


def _locked(campaign: Campaign) -> Campaign:
    """The campaign row, locked until the end of the transaction (two clicks cannot interleave)."""
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


def _refresh(target: Campaign, source: Campaign) -> None:
    target.opens_at, target.closes_at = source.opens_at, source.closes_at


def dates_refusal(opens_at: datetime, closes_at: datetime) -> CampaignChangeRefused:
    return CampaignChangeRefused(
        f"La date limite ({paris_datetime_label(closes_at)}) doit être postérieure à l’ouverture "
        f"({paris_datetime_label(opens_at)}).",
        field="closes_at",
    )


def _check_dates(opens_at: datetime, closes_at: datetime) -> None:
    if closes_at <= opens_at:
        raise dates_refusal(opens_at, closes_at)


def _change_dates(campaign: Campaign, actor, kind: str, now: datetime, refuse, **dates) -> CampaignEvent:
    """One change of the campaign's dates: lock its row, let `refuse(locked, now)` raise a
    CampaignChangeRefused, save `dates` and journal before → after, all in one transaction."""
    with transaction.atomic():
        locked = _locked(campaign)
        refuse(locked, now)
        before = campaign_snapshot(locked, now)
        for name, value in dates.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(dates))
        event = log(locked, kind, actor, before=before, after=campaign_snapshot(locked, now), now=now)
    _refresh(campaign, locked)
    return event


def open_now(campaign: Campaign, actor, now: datetime | None = None) -> CampaignEvent:
    """« Ouvrir maintenant »: a campaign still « à venir » opens at once (opens_at = now)."""
    now = now or timezone.now()
    return _change_dates(campaign, actor, Kind.OPENED, now, _refuse_opening, opens_at=now)


def _refuse_opening(campaign: Campaign, now: datetime) -> None:
    state = campaign.state(now)
    if state == Campaign.State.OPEN:
        raise CampaignChangeRefused("La campagne est déjà ouverte.")
    if state == Campaign.State.CLOSED:
        raise CampaignChangeRefused(
            f"La date limite est passée ({paris_datetime_label(campaign.closes_at)}) : pour rouvrir la campagne, "
            "prolongez-la jusqu’à une nouvelle date limite."
        )


def close_now(campaign: Campaign, actor, now: datetime | None = None) -> CampaignEvent:
    """« Clôturer maintenant »: an open campaign closes at once (closes_at = now). Extensions
    granted to communes stay as they are (their dossiers remain writable until their date)."""
    now = now or timezone.now()
    return _change_dates(campaign, actor, Kind.CLOSED, now, _refuse_closing, closes_at=now)


def _refuse_closing(campaign: Campaign, now: datetime) -> None:
    state = campaign.state(now)
    if state == Campaign.State.UPCOMING:
        raise CampaignChangeRefused(
            f"La campagne n’est pas encore ouverte (ouverture le {paris_datetime_label(campaign.opens_at)}) : "
            "elle ne peut pas être clôturée avant d’avoir ouvert."
        )
    if state == Campaign.State.CLOSED:
        raise CampaignChangeRefused(f"La campagne est déjà close depuis le {paris_datetime_label(campaign.closes_at)}.")


def extend(campaign: Campaign, closes_at: datetime, actor, now: datetime | None = None) -> CampaignEvent:
    """« Prolonger jusqu’au … » for every commune: a later deadline, in the future. A closed
    campaign extended this way is open again."""

    def refuse(locked: Campaign, now: datetime) -> None:
        if closes_at <= locked.closes_at:
            raise CampaignChangeRefused(
                f"La nouvelle date limite doit être postérieure à la date limite actuelle "
                f"({paris_datetime_label(locked.closes_at)}).",
                field="closes_at",
            )
        if closes_at <= now:
            raise CampaignChangeRefused("La nouvelle date limite doit être dans le futur.", field="closes_at")

    return _change_dates(campaign, actor, Kind.EXTENDED, now or timezone.now(), refuse, closes_at=closes_at)


def record_creation(campaign: Campaign, actor, now: datetime | None = None) -> CampaignEvent:
    """A campaign created through the admin form: its first dates in the journal."""
    return log(campaign, Kind.CREATED, actor, after=campaign_snapshot(campaign, now), now=now)


def save_edited(campaign: Campaign, actor, now: datetime | None = None) -> CampaignEvent | None:
    """Save a campaign changed by the admin edit form, and log its dates' change (if any) with
    the values read from the database, so the journal's « avant » is what was really stored."""
    now = now or timezone.now()
    with transaction.atomic():
        stored = _locked(campaign)
        _check_dates(campaign.opens_at, campaign.closes_at)
        before, after = campaign_snapshot(stored, now), campaign_snapshot(campaign, now)
        campaign.save()
        if (before["opens_at"], before["closes_at"]) == (after["opens_at"], after["closes_at"]):
            return None
        return log(campaign, Kind.EDITED, actor, before=before, after=after, now=now)


# --- One commune's extension ---------------------------------------------------------------


def extension_date_refusal(campaign: Campaign, closes_at: datetime, now: datetime | None = None):
    """Why `closes_at` cannot be a commune's new deadline (None: it can). Also asked by the form,
    so that every error of the form is shown at once."""
    now = now or timezone.now()
    if closes_at <= campaign.closes_at:
        return CampaignChangeRefused(
            f"La prolongation doit finir après la date limite de la campagne "
            f"({paris_datetime_label(campaign.closes_at)}).",
            field="closes_at",
        )
    if closes_at <= now:
        return CampaignChangeRefused("La nouvelle date limite doit être dans le futur.", field="closes_at")
    return None


def grant_extension(campaign: Campaign, commune: Commune, closes_at: datetime, reason: str, actor,
                    now: datetime | None = None) -> tuple[CampaignExtension, CampaignEvent]:
    """« Prolonger pour une commune », or change its extension: only the dossier covering that
    commune stays writable (and may still be started) until `closes_at`, which must come after
    the campaign's own deadline and in the future."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = _locked(campaign)
        refusal = extension_date_refusal(locked, closes_at, now)
        if refusal is not None:
            raise refusal
        existing = CampaignExtension.objects.select_for_update().filter(campaign=locked, commune=commune).first()
        before = extension_snapshot(existing)
        if existing is None:
            extension = CampaignExtension.objects.create(
                campaign=locked, commune=commune, closes_at=closes_at, reason=reason, created_by=_user(actor)
            )
            kind = Kind.EXTENSION_GRANTED
        else:
            existing.closes_at, existing.reason = closes_at, reason
            existing.save(update_fields=["closes_at", "reason"])
            extension, kind = existing, Kind.EXTENSION_CHANGED
        event = log(locked, kind, actor, before=before, after=extension_snapshot(extension), commune=commune, now=now)
    return extension, event


def withdraw_extension(campaign: Campaign, commune: Commune, actor, now: datetime | None = None) -> CampaignEvent:
    """Withdraw a commune's extension: its dossier's deadline is the campaign's again."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(campaign)
        existing = CampaignExtension.objects.select_for_update().filter(campaign=locked, commune=commune).first()
        if existing is None:
            raise CampaignChangeRefused(f"{commune.name} n’a pas de prolongation pour cette campagne.")
        before = extension_snapshot(existing)
        existing.delete()
        return log(locked, Kind.EXTENSION_WITHDRAWN, actor, before=before, commune=commune, now=now)


def _user(actor):
    return actor if getattr(actor, "pk", None) else None
