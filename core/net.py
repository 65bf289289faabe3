"""The visitor's address, as every rate limit sees it (settings.RATELIMIT_IP_META_KEY)."""
from __future__ import annotations

import ipaddress

from django.conf import settings

UNKNOWN_ADDRESS = "0.0.0.0"  # noqa: S104 - a placeholder key, never bound


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request) -> str:
    """The client's IP address, behind settings.TRUSTED_PROXY_COUNT reverse proxies.

    0 proxies: REMOTE_ADDR, and X-Forwarded-For is ignored (anybody can send one). N proxies:
    each appends the address it received the request from, so the Nth address from the right
    of X-Forwarded-For is the one the outermost trusted proxy saw; anything further left was
    written by the client and is ignored. A header shorter than N or an invalid address falls
    back to REMOTE_ADDR.
    """
    remote = _valid(request.META.get("REMOTE_ADDR") or "") or UNKNOWN_ADDRESS
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = (request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",")
    if len(forwarded) < count:
        return remote
    return _valid(forwarded[-count]) or remote
