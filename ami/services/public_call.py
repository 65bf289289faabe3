"""The call the public pages show (the home page's call-to-action, /candidater/, the portal JSON)
and the next instant it changes by itself, kept between requests.

Both are read on every public page that misses the page cache: they are built once per
generation of core.pagecache (a campaign or an extension saved or deleted starts a new one) and
rebuilt at the first opening, closing or extension end after they were built, so the state, the
« J-n » countdown and the running extensions are never those of another moment.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from ami.models import Campaign
from core import pagecache

from .deadlines import open_extensions

CACHE_KEY = "ami:public_call"
_EXTENSIONS_ATTR = "_running_extensions"


@dataclass
class PublicCall:
    campaign: Campaign | None
    built_at: datetime
    moments: list[datetime]  # every opening, closing and extension end after built_at, sorted

    def holds_at(self, now: datetime) -> bool:
        return self.built_at <= now and (not self.moments or now < self.moments[0])


def _build(now: datetime) -> PublicCall:
    from django.db.models import Q

    campaign = Campaign.objects.current(now)
    if campaign is not None:
        running_extensions(campaign, now)  # memoised on the instance, so cached with it
    rows = Campaign.objects.filter(Q(opens_at__gt=now) | Q(closes_at__gt=now) | Q(extensions__closes_at__gt=now))
    moments = set()
    for opens_at, closes_at, extension_closes_at in rows.values_list("opens_at", "closes_at", "extensions__closes_at"):
        moments.update(moment for moment in (opens_at, closes_at, extension_closes_at) if moment and moment > now)
    return PublicCall(campaign=campaign, built_at=now, moments=sorted(moments))


def public_call(request=None, now: datetime | None = None) -> PublicCall:
    now = now or timezone.now()
    return pagecache.cached(CACHE_KEY, lambda: _build(now), request, still_valid=lambda call: call.holds_at(now))


def current_campaign(request=None) -> Campaign | None:
    """Campaign.objects.current(), from the cache: the open call, else the next, else the last closed."""
    return public_call(request).campaign


def running_extensions(campaign: Campaign, now: datetime | None = None) -> list:
    """The extensions that run after the campaign's own deadline (open_extensions), memoised
    on the campaign instance."""
    if not hasattr(campaign, _EXTENSIONS_ATTR):
        setattr(campaign, _EXTENSIONS_ATTR, list(open_extensions(campaign, now)))
    return getattr(campaign, _EXTENSIONS_ATTR)


def next_change(request=None, now: datetime | None = None) -> datetime | None:
    """The next opening, closing or extension end after `now` (None: none is planned)."""
    now = now or timezone.now()
    return next((moment for moment in public_call(request, now).moments if moment > now), None)
