"""The site's one public address (settings.SITE_BASE_URL) and the absolute URLs built from it.

Sitemap, RSS and iCal feeds, JSON-LD, robots.txt and e-mails all call these helpers, so an
absolute URL never depends on the Host header of the request that produced it (a crawler, a
proxy or `manage.py` all see the same address). `load_bnm_content` sets the Wagtail Site's
hostname and port from the same setting (`site_host_and_port`).
"""
from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def base_url() -> str:
    return settings.SITE_BASE_URL.rstrip("/")


def absolute_url(path: str) -> str:
    """SITE_BASE_URL followed by a root-relative path ("/la-bnm/" → "https://…/la-bnm/");
    an address that is already absolute is rebased on SITE_BASE_URL (its path and query kept)."""
    parts = urlsplit(path)
    if parts.scheme or parts.netloc:
        path = parts.path + (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")
    if not path.startswith("/"):
        path = "/" + path
    return base_url() + path


def page_url(page, request=None) -> str:
    """The absolute public URL of a Wagtail page (its path within its site, on SITE_BASE_URL).
    `request` only lets Wagtail reuse the site root paths it cached on it (no query)."""
    parts = page.get_url_parts(request)
    if parts is None:
        return ""
    return absolute_url(parts[2])


def base_scheme_and_host() -> tuple[str, str]:
    """("https", "bnm.example.org") of SITE_BASE_URL, for django.contrib.sitemaps classes."""
    parts = urlsplit(base_url())
    return parts.scheme or "http", parts.netloc


def site_host_and_port() -> tuple[str, int]:
    """(hostname, port) of SITE_BASE_URL for the Wagtail Site: 443 / 80 when the URL has none."""
    parts = urlsplit(base_url())
    hostname = parts.hostname or "localhost"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return hostname, port
