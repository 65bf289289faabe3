"""Template helpers of the public site; `paris_deadline` is also used by the AMI templates."""
import json
import re
from functools import lru_cache
from html import unescape
from urllib.parse import urlsplit

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core.public_urls import base_url
from core.typography import french_typography
from home.dates import days_until, format_date_fr, format_deadline, format_month_fr, format_time_fr, to_paris
from home.menus import get_menus

register = template.Library()

# Django's json_script escapes, as replacements: str.translate with a mapping goes character by
# character (0.8 ms for the FAQ's 11 KB of JSON-LD, 0.04 ms replaced).
_JSON_SCRIPT_ESCAPES = (("&", "\\u0026"), ("<", "\\u003C"), (">", "\\u003E"))


@register.filter
def fr_typo(value):
    """French typography (core.typography): narrow no-break spaces inside « » and before ; : ? !,
    « 1er » as 1<sup>er</sup>. Plain text is escaped; rich text is changed in its text nodes only.
    Never in an attribute or in <title>: its output is HTML."""
    return french_typography(value)


@register.filter
def paris_deadline(value):
    """« 30 septembre 2022 à 23 h 59, heure de Paris » (use after « jusqu’au »)."""
    return format_deadline(value) if value else ""


@register.filter
def paris_date(value):
    """« 1er novembre 2026 » for a date or an aware datetime (in Paris time)."""
    if not value:
        return ""
    if hasattr(value, "astimezone") and hasattr(value, "hour"):
        value = to_paris(value).date()
    return format_date_fr(value)


@register.filter
def paris_time(value):
    if not value:
        return ""
    if hasattr(value, "astimezone"):
        value = to_paris(value).time()
    return format_time_fr(value)


@register.filter
def month_fr(value):
    return format_month_fr(value) if value else ""


@register.filter
def days_left(value):
    """Calendar days between today and the deadline day, in Paris time."""
    return days_until(value) if value else None


@register.filter
def ld_json(data):
    """A <script type="application/ld+json"> element, escaped like Django's json_script.

    A data block: browsers never run it, so the CSP needs no nonce for it (and the page cache
    can keep the page for everyone).
    """
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    for character, escape in _JSON_SCRIPT_ESCAPES:
        text = text.replace(character, escape)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@register.simple_tag(takes_context=True)
def site_menus(context):
    """Header (pages « shown in menus ») and footer (standard pages with a footer label) links."""
    request = context.get("request")
    return get_menus(request)


@register.simple_tag(takes_context=True)
def is_active(context, item):
    """True when the current page is the menu item or below it (for aria-current)."""
    current = context.get("page")
    path = getattr(current, "path", None)
    return bool(path) and path.startswith(item["path"])


_LINK = re.compile(r'(<a\b[^>]*?\bhref="(https?://[^"]+)"[^>]*>)(.*?)(</a>)', re.S | re.I)


@lru_cache(maxsize=1)
def _external_marker() -> str:
    return render_to_string("includes/external_marker.html").strip()


@register.filter
def external_links(html):
    """Rich text with each link leaving the site (a host other than SITE_BASE_URL's) marked as
    the templates mark theirs: includes/external_marker.html (pictogram, « (site externe) »).
    Used by templates/wagtailcore/shared/richtext.html, so every `|richtext` gets it."""
    own_host = urlsplit(base_url()).hostname

    def mark(match):
        opening, href, text, closing = match.groups()
        if urlsplit(unescape(href)).hostname == own_host or "external-marker" in text:
            return match.group(0)
        return opening + text + _external_marker() + closing

    return mark_safe(_LINK.sub(mark, str(html)))


@register.simple_tag(takes_context=True)
def seo_head(context):
    """Description, canonical URL, sharing tags, feeds and JSON-LD of the page (home.seo)."""
    from home.seo import head_data

    return head_data(context)


@register.simple_tag(takes_context=True)
def breadcrumb_trail(context):
    """[{title, url}] from « Accueil » to the current page: the same list as its BreadcrumbList."""
    from home.seo import breadcrumb_trail as trail

    return trail(context.get("page"), context.get("request"))


@register.simple_tag(takes_context=True)
def parent_url(context):
    """The URL of the current page's parent (« Toutes les actualités », « Retour au calendrier »),
    read from the breadcrumb trail: no query for a page served through the cached tree."""
    from home.seo import breadcrumb_trail as trail

    crumbs = trail(context.get("page"), context.get("request"))
    return crumbs[-2]["url"] if len(crumbs) > 1 else ""
