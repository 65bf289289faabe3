"""Until when a dossier may be written: the one place that answers it.

A dossier is writable until the latest of
- its campaign's closing date,
- an extension granted to one of its communes (CampaignExtension),
- the date by which the MEL team asked the commune to complete it (Dossier.completion_due_at),
and never before its campaign opens. Every server-side write check, the resume links and the
pages that show a deadline ask here.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Max
from django.utils import timezone

from ami.models import Campaign, CampaignExtension, Commune, Dossier, DossierCommune

_CACHE_ATTR = "_extension_closes_at"


def extension_closes_at(dossier: Dossier) -> datetime | None:
    """The latest extension granted to one of the dossier's communes (one query, memoised)."""
    if not hasattr(dossier, _CACHE_ATTR):
        value = None
        if dossier.pk is not None:  # the stand-in of an unknown target (pk=0) does the same query
            value = (
                CampaignExtension.objects.filter(campaign_id=dossier.campaign_id)
                .filter(commune_id__in=_commune_ids_query(dossier))
                .aggregate(latest=Max("closes_at"))["latest"]
            )
        setattr(dossier, _CACHE_ATTR, value)
    return getattr(dossier, _CACHE_ATTR)


def _commune_ids_query(dossier: Dossier):
    from ami.models import DossierCommune

    return DossierCommune.objects.filter(dossier_id=dossier.pk).values("commune_id")


def prime_extensions(campaign: Campaign, members: dict[Dossier, set[int]]) -> None:
    """Memoise the extension of many dossiers of `campaign` in one query (`members`: each
    dossier with the ids of the communes it covers), so that dossier_closes_at costs none."""
    by_commune = dict(CampaignExtension.objects.filter(campaign=campaign).values_list("commune_id", "closes_at"))
    for dossier, commune_ids in members.items():
        found = [by_commune[pk] for pk in commune_ids if pk in by_commune]
        setattr(dossier, _CACHE_ATTR, max(found) if found else None)


def with_deadlines(campaign: Campaign, dossiers: Iterable[Dossier]) -> list[tuple[Dossier, datetime]]:
    """Each of `dossiers` (all of `campaign`) with its own deadline, in two queries whatever their
    number: the communes they cover and the campaign's extensions."""
    by_pk = {d.pk: d for d in dossiers}
    if not by_pk:
        return []
    members: dict[int, set[int]] = {pk: {d.commune_id} for pk, d in by_pk.items()}
    for dossier_id, commune_id in DossierCommune.objects.filter(dossier_id__in=by_pk).values_list(
        "dossier_id", "commune_id"
    ):
        members[dossier_id].add(commune_id)
    for dossier in by_pk.values():
        dossier.campaign = campaign
    prime_extensions(campaign, {by_pk[pk]: ids for pk, ids in members.items()})
    return [(dossier, dossier_closes_at(dossier)) for dossier in by_pk.values()]


def forget(dossier: Dossier) -> None:
    """Drop the memoised extension (after granting or withdrawing one)."""
    if hasattr(dossier, _CACHE_ATTR):
        delattr(dossier, _CACHE_ATTR)


def dossier_closes_at(dossier: Dossier) -> datetime:
    candidates = [dossier.campaign.closes_at]
    extension = extension_closes_at(dossier)
    if extension is not None:
        candidates.append(extension)
    if dossier.completion_due_at is not None:
        candidates.append(dossier.completion_due_at)
    return max(candidates)


def has_own_deadline(dossier: Dossier) -> bool:
    """True when this dossier's deadline differs from its campaign's (extension or completion)."""
    return dossier_closes_at(dossier) != dossier.campaign.closes_at


def dossier_is_open(dossier: Dossier, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    if now < dossier.campaign.opens_at:
        return False
    # An extension only ever moves the deadline later: before the campaign's own deadline (or the
    # completion date), the dossier is open without reading the extensions (a query per save).
    if now < dossier.campaign.closes_at or (dossier.completion_due_at is not None and now < dossier.completion_due_at):
        return True
    return now < dossier_closes_at(dossier)


def open_by_its_own_dates(dossier: Dossier, now: datetime | None = None) -> bool:
    """Open by its call's dates or its completion date alone (no extension needed: no query)."""
    now = now or timezone.now()
    return dossier.campaign.opens_at <= now and (
        now < dossier.campaign.closes_at or (dossier.completion_due_at is not None and now < dossier.completion_due_at)
    )


def commune_closes_at(campaign: Campaign, commune: Commune | int) -> datetime:
    """The deadline for starting a dossier for `commune`: the campaign's, or its extension."""
    commune_id = commune if isinstance(commune, int) else commune.pk
    extension = (
        CampaignExtension.objects.filter(campaign=campaign, commune_id=commune_id).values_list("closes_at", flat=True).first()
    )
    return max(campaign.closes_at, extension) if extension else campaign.closes_at


def commune_may_start(campaign: Campaign, commune: Commune | int, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    if campaign.is_open(now):
        return True
    return campaign.opens_at <= now < commune_closes_at(campaign, commune)


def open_extensions(campaign: Campaign, now: datetime | None = None):
    """Extensions still running (after the campaign's own deadline), by commune name."""
    now = now or timezone.now()
    return (
        CampaignExtension.objects.filter(campaign=campaign, closes_at__gt=max(now, campaign.closes_at))
        .select_related("commune")
        .order_by("commune__name")
    )


def accepts_requests(campaign: Campaign, now: datetime | None = None) -> bool:
    """Whether resume-link requests are served: the campaign is open, or one extension runs."""
    now = now or timezone.now()
    if campaign.is_open(now):
        return True
    if now < campaign.opens_at:
        return False
    return CampaignExtension.objects.filter(campaign=campaign, closes_at__gt=now).exists()
