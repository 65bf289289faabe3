"""What search engines and sharing previews read in each page's <head>, built in one place.

`head_data(context)` (template tag `seo_head`, include `includes/seo_head.html` in base.html)
gives every page one meta description, its canonical URL, Open Graph and Twitter card tags,
the RSS and iCal feeds, `noindex` on private pages, and the schema.org JSON-LD of its type:
`Organization` (home), `Event`, `NewsArticle`, `FAQPage` and `BreadcrumbList` (pages under the
home page). Every absolute URL comes from core.public_urls (SITE_BASE_URL). Nothing here runs a
query the page did not already run: site-wide values come from the menus cache (home.menus), the
breadcrumb trail is shared with the visible breadcrumbs.
"""
from __future__ import annotations

import functools
import re
from html import unescape

from django.templatetags.static import static
from django.utils.html import format_html_join, strip_tags
from django.utils.safestring import SafeString
from wagtail.models import Page

from ami.middleware import is_private
from core.public_urls import absolute_url, page_url

from .dates import to_paris

SCHEMA = "https://schema.org"
SITE_NAME = "Bibliothèque Numérique Métropolitaine"
# When a page has no search description and no text of its own, and the home page none either.
DEFAULT_DESCRIPTION = (
    "La Bibliothèque Numérique Métropolitaine accompagne les communes de la MEL dans la transition "
    "numérique de leurs bibliothèques."
)
DESCRIPTION_LENGTH = 160  # what result pages show of a description
# Drawn once from static/img/logo-bnm.svg by scripts/make_og_image.py.
SHARE_IMAGE = "img/og-bnm.png"
SHARE_IMAGE_SIZE = (1200, 630)
SHARE_IMAGE_ALT = "Logo de la Bibliothèque Numérique Métropolitaine (BNM), Métropole Européenne de Lille"
LOGO = "img/logo-bnm.svg"
MEL = {
    "@type": "GovernmentOrganization",
    "name": "Métropole Européenne de Lille",
    "address": {
        "@type": "PostalAddress",
        "streetAddress": "2, boulevard des Cités Unies",
        "postOfficeBoxNumber": "CS 70043",
        "postalCode": "59040",
        "addressLocality": "Lille Cedex",
        "addressCountry": "FR",
    },
}
# Pages that are views, not Wagtail pages (by URL name): their title and description.
VIEW_META = {
    "ami:home": {
        "title": "Candidater à la Bibliothèque Numérique Métropolitaine",
        "description": "L’appel à manifestation d’intérêt de la MEL pour les bibliothèques des communes : "
        "son calendrier, qui peut candidater et le dossier à remplir en ligne.",
    },
    "integration": {
        "title": "Intégrer les contenus de la BNM à votre site",
        "description": "Flux RSS des actualités, calendrier iCal et données JSON de la BNM, avec des exemples à copier "
        "pour le portail « à suivre... » et les sites des communes.",
    },
    "search": {
        "title": "Rechercher sur le site",
        "description": "Rechercher dans les pages, le calendrier, les actualités et les questions fréquentes "
        "de la Bibliothèque Numérique Métropolitaine.",
        "noindex": True,  # result lists are not pages to index (robots.txt also keeps crawlers out)
    },
}
TYPE_LABELS = {"NewsPage": "Actualité", "EventPage": "Événement", "FaqPage": "Question fréquente"}

_PARAGRAPH = re.compile(r"<p[^>]*>(.*?)</p>", re.S | re.I)


# --- Text ----------------------------------------------------------------------


@functools.lru_cache(maxsize=2048)
def plain_text(value: str) -> str:
    """Rich text or plain text as one line of plain text (tags gone, entities decoded). Remembered
    per text (a page's rich text is the same on every request; strip_tags parses it each time)."""
    return " ".join(unescape(strip_tags(value or "")).split())


def first_paragraph(value: str) -> str:
    """The first non-empty paragraph of rich text (<p>…</p>) or of plain text (blank-line separated)."""
    value = value or ""
    paragraphs = _PARAGRAPH.findall(value) if "<p" in value.lower() else re.split(r"\n\s*\n", value)
    for paragraph in paragraphs:
        text = plain_text(paragraph)
        if text:
            return text
    return plain_text(value)


def truncate(text: str, limit: int = DESCRIPTION_LENGTH) -> str:
    """At most `limit` characters, cut between words with « … »."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:–-") + "…"


def page_type_label(model) -> str:
    """« Actualité », « Événement », « Question fréquente » or « Page » (search results)."""
    return TYPE_LABELS.get(getattr(model, "__name__", ""), "Page")


# --- Descriptions ----------------------------------------------------------------


def _is(page, name: str) -> bool:
    return type(page).__name__ == name


def event_when(page) -> str:
    """« Prévu au 2e semestre 2023 », « 14 janvier 2027, 14 h – 16 h 30 (date prévisionnelle) »."""
    when = page.when_display
    if page.is_provisional and not page.past_provisional:
        when += " (date prévisionnelle)"
    return when


def page_description(page, default: str = DEFAULT_DESCRIPTION) -> str:
    """The page's search description (promote tab); else its own text: the first paragraph of
    its intro, description or body (an event's prefixed with its date); else `default`."""
    if page.search_description.strip():
        return truncate(page.search_description)
    text = ""
    for field in ("intro", "description", "body"):
        value = getattr(page, field, None)
        if isinstance(value, str) and value.strip():  # TextField or RichTextField, not a StreamField
            text = first_paragraph(value)
            if text:
                break
    if _is(page, "EventPage"):
        text = f"{event_when(page)} – {text or page.category_label + '.'}"
    return truncate(text or default)


def canonical_url(page, request=None, context=None) -> str:
    """The page's address on SITE_BASE_URL; a later page of the news list keeps its ?page=N."""
    url = page_url(page, request)
    news_page = (context or {}).get("news_page")
    if url and news_page is not None and getattr(news_page, "number", 1) > 1:
        url += f"?page={news_page.number}"
    return url


# --- Breadcrumbs -------------------------------------------------------------------


def breadcrumb_trail(page, request=None) -> list[dict]:
    """[{title, url}] from the home page (« Accueil ») to `page`; [] for the home page itself.
    Read once per page object: the visible breadcrumbs and the JSON-LD share it."""
    if page is None or page.depth <= 2:
        return []
    cached = getattr(page, "_bnm_breadcrumb_trail", None)
    if cached is None:
        # A page served through the cached tree (home.routing) knows its ancestors and their URLs
        # without a query or a page object.
        tree = getattr(page, "routed_tree", None)
        from_tree = page.tree_ancestors() if tree is not None else None
        if from_tree is not None:
            crumbs = [(ancestor, tree.site_url(ancestor) or ancestor.as_page().get_url(request)) for ancestor in from_tree]
        else:
            crumbs = [(ancestor, ancestor.get_url(request)) for ancestor in page.get_ancestors()]
        cached = [
            {"title": "Accueil" if ancestor.depth == 2 else ancestor.title, "url": url}
            for ancestor, url in crumbs if ancestor.depth > 1
        ]
        cached.append({"title": page.title, "url": page.get_url(request)})
        page._bnm_breadcrumb_trail = cached
    return cached


# --- JSON-LD ---------------------------------------------------------------------


def share_image_url() -> str:
    return absolute_url(static(SHARE_IMAGE))


def _image_object(url: str, width: int, height: int) -> dict:
    return {"@type": "ImageObject", "url": url, "width": width, "height": height}


def organization(home_url: str, description: str, email: str = "") -> dict:
    data = {
        "@context": SCHEMA,
        "@type": "Organization",
        "@id": f"{home_url}#organisation",
        "name": SITE_NAME,
        "alternateName": "BNM",
        "url": home_url,
        "logo": absolute_url(static(LOGO)),
        "image": share_image_url(),
        "description": description,
        "parentOrganization": MEL,
    }
    if email:
        data["email"] = email
    return data


def breadcrumb_list(trail: list[dict]) -> dict:
    return {
        "@context": SCHEMA,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": crumb["title"], "item": absolute_url(crumb["url"])}
            for position, crumb in enumerate(trail, start=1)
        ],
    }


def event_dates(page) -> tuple[str, str | None]:
    """(startDate, endDate) as precise as the page is, never more (ISO 8601 allows reduced
    precision, which schema.org's Date takes): « 2023 » for a milestone known to the year,
    « 2023-07 » – « 2023-12 » for the 2nd semester, « 2022-06 » for a month, days for dated
    events, and a time with the Europe/Paris offset only when the page gives an hour."""
    if page.is_timed:
        return page.starts_at.isoformat(), (page.ends_at.isoformat() if page.end_time else None)
    start, end, kind = page.start_date, page.end_date, page.period_kind
    if kind == "year":
        return f"{start.year:04d}", None
    if kind == "half":
        return f"{start.year:04d}-{start.month:02d}", f"{end.year:04d}-{end.month:02d}"
    if kind == "month":
        return f"{start.year:04d}-{start.month:02d}", None
    return start.isoformat(), (end.isoformat() if end and end != start else None)


def event(page, url: str, description: str) -> dict:
    start, end = event_dates(page)
    data = {
        "@context": SCHEMA,
        "@type": "Event",
        "name": page.title,
        "url": url,
        "startDate": start,
        "description": description,
        "organizer": {"@type": MEL["@type"], "name": MEL["name"]},
        "image": share_image_url(),
        "inLanguage": "fr-FR",
    }
    if end:
        data["endDate"] = end
    if page.location:
        data["location"] = {"@type": "Place", "name": page.location}
    return data


def news_article(page, url: str, description: str) -> dict:
    """The publication date as the page shows it (a day, no hour); the last change with its time."""
    data = {
        "@context": SCHEMA,
        "@type": "NewsArticle",
        "headline": truncate(page.title, 110),
        "description": description,
        "url": url,
        "mainEntityOfPage": url,
        "datePublished": page.date.isoformat(),
        "image": [share_image_url()],
        "inLanguage": "fr-FR",
        "author": {"@type": "Organization", "name": SITE_NAME, "url": absolute_url("/")},
        "publisher": {
            "@type": "Organization",
            "name": SITE_NAME,
            "logo": _image_object(absolute_url(static(LOGO)), 44, 44),
        },
    }
    if page.last_published_at and to_paris(page.last_published_at).date() >= page.date:
        data["dateModified"] = to_paris(page.last_published_at).isoformat(timespec="seconds")
    return data


def faq_page(page, url: str) -> dict:
    """schema.org FAQPage: every question with its answer as plain text and its own anchor."""
    entities = []
    for question in page.questions():
        entity = {
            "@type": "Question",
            "name": question["question"],
            "acceptedAnswer": {"@type": "Answer", "text": plain_text(question["answer"].source)},
        }
        if url:
            entity["url"] = f"{url}#{question['anchor']}"
        entities.append(entity)
    return {"@context": SCHEMA, "@type": "FAQPage", "mainEntity": entities}


def structured_data(page, url: str, description: str, menus: dict, request=None) -> list[dict]:
    data = []
    trail = breadcrumb_trail(page, request)
    if trail:
        data.append(breadcrumb_list(trail))
    if _is(page, "HomePage"):
        data.append(organization(url, description, menus.get("contact_email", "")))
    elif _is(page, "EventPage"):
        data.append(event(page, url, description))
    elif _is(page, "NewsPage"):
        data.append(news_article(page, url, description))
    elif _is(page, "FaqPage"):
        data.append(faq_page(page, url))
    return data


# --- The <head> --------------------------------------------------------------------


def feeds(request) -> list[dict]:
    """The news RSS and the calendar iCal, for <link rel="alternate"> (from the menus cache)."""
    from .integration import feed_urls

    urls = feed_urls(request) if request is not None else {}
    links = []
    if urls.get("rss"):
        links.append({"type": "application/rss+xml", "title": f"Actualités – {SITE_NAME} (RSS)", "url": urls["rss"]})
    if urls.get("ical"):
        links.append({"type": "text/calendar", "title": f"Calendrier – {SITE_NAME} (iCal)", "url": urls["ical"]})
    return links


def share_tags(data: dict) -> SafeString:
    """The Open Graph and Twitter card <meta> tags in their order (one per line, escaped); Open
    Graph names its tags with `property`, Twitter with `name`. Written here: a template loop over
    16 tags cost a page-cache miss 0.2 ms."""
    tags = [
        ("og:type", data["og_type"]), ("og:site_name", data["site_name"]), ("og:locale", "fr_FR"),
        ("og:title", data["title"]), ("og:description", data["description"]), ("og:url", data["canonical"]),
        ("og:image", data["image"]), ("og:image:type", "image/png"), ("og:image:width", data["image_width"]),
        ("og:image:height", data["image_height"]), ("og:image:alt", data["image_alt"]),
        *([("article:published_time", data["published"])] if data.get("published") else []),
        ("twitter:card", "summary_large_image"), ("twitter:title", data["title"]),
        ("twitter:description", data["description"]), ("twitter:image", data["image"]),
        ("twitter:image:alt", data["image_alt"]),
    ]
    return format_html_join(
        "", '  <meta {}="{}" content="{}">\n',
        (("name" if name.startswith("twitter:") else "property", name, content) for name, content in tags),
    )


def head_data(context) -> dict:
    request = context.get("request")
    page = context.get("page")
    if not isinstance(page, Page):
        page = None
    menus = context.get("menus") or {}
    match = getattr(request, "resolver_match", None)
    meta = VIEW_META.get(match.view_name if match else "", {})
    default = menus.get("site_description") or DEFAULT_DESCRIPTION
    noindex = bool(context.get("seo_noindex") or meta.get("noindex") or (request is not None and is_private(request)))
    if page is not None:
        title = page.seo_title or page.title
        description = page_description(page, default)
        canonical = canonical_url(page, request, context) or (absolute_url(request.path) if request else "")
    else:
        title = meta.get("title", SITE_NAME)
        description = truncate(meta.get("description", default))
        canonical = absolute_url(request.path) if request is not None else ""
    data = {
        "title": title,
        "description": description,
        "noindex": noindex,
        "canonical": "" if noindex else canonical,
        "site_name": SITE_NAME,
        "og_type": "article" if _is(page, "NewsPage") else "website",
        "image": share_image_url(),
        "image_width": SHARE_IMAGE_SIZE[0],
        "image_height": SHARE_IMAGE_SIZE[1],
        "image_alt": SHARE_IMAGE_ALT,
        "feeds": feeds(request),
        "json_ld": [],
    }
    if _is(page, "NewsPage"):
        data["published"] = page.date.isoformat()
    data["share_tags"] = share_tags(data)
    if page is not None and not noindex:
        data["json_ld"] = structured_data(page, canonical, description, menus, request)
    return data
