"""Private resume links: random tokens, stored hashed, scoped to one dossier, valid until closing."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.utils import timezone

from ami.models import AccessToken, Dossier

TOKEN_BYTES = 32  # 256 bits of randomness


def hash_token(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode("utf-8", "surrogatepass")).hexdigest()


def issue_token(dossier: Dossier) -> str:
    """Create a new access token for `dossier`; returns the raw token (never stored)."""
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    AccessToken.objects.create(dossier=dossier, token_hash=hash_token(raw))
    return raw


@dataclass
class TokenCheck:
    status: str  # "valid", "unknown" or "expired"
    token: AccessToken | None = None

    @property
    def is_valid(self) -> bool:
        return self.status == "valid"

    @property
    def dossier(self) -> Dossier | None:
        return self.token.dossier if self.token else None


def check_token(raw_token: str, now=None) -> TokenCheck:
    """Look a raw token up by its hash. Reads only: a GET (mail scanner) must change nothing."""
    now = now or timezone.now()
    if not raw_token or len(raw_token) > 200:
        return TokenCheck("unknown")
    digest = hash_token(raw_token)
    token = AccessToken.objects.select_related("dossier__campaign", "dossier__commune").filter(token_hash=digest).first()
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        return TokenCheck("unknown")
    if now >= token.dossier.campaign.closes_at:
        return TokenCheck("expired", token)
    return TokenCheck("valid", token)


def use_token(raw_token: str, now=None) -> TokenCheck:
    """Validate a token for opening its dossier (POST) and record its use."""
    now = now or timezone.now()
    result = check_token(raw_token, now)
    if result.is_valid:
        AccessToken.objects.filter(pk=result.token.pk).update(last_used_at=now)
    return result
