"""Private resume links: random tokens, stored hashed, scoped to one dossier.

A link is valid for settings.AMI_LINK_LIFETIME_DAYS days and never after its campaign's
deadline (the current one: an extension decided by MEL also extends the links already sent,
within their lifetime). Issuing a link revokes the older ones of the dossier, so at most one
link per dossier opens it; « Quitter le dossier » can revoke them all.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ami.models import AccessToken, Dossier
from ami.services.deadlines import dossier_closes_at

TOKEN_BYTES = 32  # 256 bits of randomness

VALID, UNKNOWN, EXPIRED, CLOSED, REVOKED = "valid", "unknown", "expired", "closed", "revoked"


def hash_token(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode("utf-8", "surrogatepass")).hexdigest()


def link_lifetime() -> timedelta:
    return timedelta(days=settings.AMI_LINK_LIFETIME_DAYS)


def link_expires_at(created_at: datetime, dossier: Dossier) -> datetime:
    """When a link created at `created_at` stops opening its dossier (never after the dossier's
    deadline: ami.services.deadlines)."""
    return min(created_at + link_lifetime(), dossier_closes_at(dossier))


def revoke_links(dossier: Dossier, now=None) -> int:
    """Revoke every live link of `dossier`; returns how many were revoked."""
    now = now or timezone.now()
    return AccessToken.objects.filter(dossier_id=dossier.pk, revoked_at__isnull=True).update(revoked_at=now)


def issue_token(dossier: Dossier, now=None) -> str:
    """Create a new access link for `dossier`, revoking its older ones; returns the raw token (never stored).

    The dossier row is locked first, so two requests at once cannot both leave a live link (the
    database refuses a second one anyway).
    """
    now = now or timezone.now()
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    with transaction.atomic():
        list(Dossier.objects.select_for_update().filter(pk=dossier.pk).values_list("pk", flat=True))
        revoke_links(dossier, now)
        AccessToken.objects.create(dossier=dossier, token_hash=hash_token(raw))
    return raw


@dataclass
class TokenCheck:
    status: str  # VALID, UNKNOWN, EXPIRED (lifetime), CLOSED (campaign deadline) or REVOKED
    token: AccessToken | None = None

    @property
    def is_valid(self) -> bool:
        return self.status == VALID

    @property
    def dossier(self) -> Dossier | None:
        return self.token.dossier if self.token else None


def check_token(raw_token: str, now=None) -> TokenCheck:
    """Look a raw token up by its hash. Reads only: a GET (mail scanner) must change nothing."""
    now = now or timezone.now()
    if not raw_token or len(raw_token) > 200:
        return TokenCheck(UNKNOWN)
    digest = hash_token(raw_token)
    token = AccessToken.objects.select_related("dossier__campaign", "dossier__commune").filter(token_hash=digest).first()
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        return TokenCheck(UNKNOWN)
    if now >= dossier_closes_at(token.dossier):
        return TokenCheck(CLOSED, token)
    if token.revoked_at is not None:
        return TokenCheck(REVOKED, token)
    if now >= link_expires_at(token.created_at, token.dossier):
        return TokenCheck(EXPIRED, token)
    return TokenCheck(VALID, token)


def use_token(raw_token: str, now=None) -> TokenCheck:
    """Validate a token for opening its dossier (POST) and record its use."""
    now = now or timezone.now()
    result = check_token(raw_token, now)
    if result.is_valid:
        AccessToken.objects.filter(pk=result.token.pk).update(last_used_at=now)
    return result
