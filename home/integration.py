"""What the « à suivre... » portal (and any commune's site) can show of the BNM without a script of
ours running there: the RSS and iCal feeds (home.feeds, home.ical), a read-only JSON of the latest
news, the next events and the current call (`portal_json`), and `/integration/`, the page that
documents them with copy-paste examples (`integration_page`).

The JSON is public data only (what the public pages show): no dossier, no referent, no e-mail but
the team's published contact. Every URL in it is absolute, on SITE_BASE_URL (core.public_urls).
CORS: any origin may read it with GET (`Access-Control-Allow-Origin: *`, no credentials); it is
cacheable for PORTAL_JSON_MAX_AGE seconds and answers If-None-Match with 304.
"""
from __future__ import annotations

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.views.decorators.csrf import csrf_exempt
from wagtail.models import Site

from core.pagecache import public_cache
from core.public_urls import absolute_url, base_url, page_url

from .dates import format_date_fr, format_deadline
from .menus import get_menus

NEWS_LIMIT = 5
EVENTS_LIMIT = 5
PORTAL_JSON_MAX_AGE = 300  # seconds: a portal polling every page view costs one request per 5 minutes
JSON_FORMAT_VERSION = 1
ALLOWED_METHODS = ("GET", "HEAD", "OPTIONS")

CALL_STATUS_LABELS = {"open": "Candidatures ouvertes", "upcoming": "Bientôt ouvert", "closed": "Appel clos"}


def _root(request):
    site = Site.find_for_request(request) or Site.objects.filter(is_default_site=True).first()
    return site.root_page if site else None


def feed_urls(request) -> dict[str, str]:
    """Absolute URLs of the news RSS feed and the calendar's iCal feed ("" when the page is missing)."""
    from .models import CalendarPage, NewsIndexPage

    by_model = get_menus(request)["by_model"]
    news, calendar = by_model.get("newsindexpage"), by_model.get("calendarpage")
    return {
        "rss": absolute_url(NewsIndexPage.rss_url_of(news["url"])) if news else "",
        "ical": absolute_url(CalendarPage.ical_url_of(calendar["url"])) if calendar else "",
        "news_page": absolute_url(news["url"]) if news else "",
        "calendar_page": absolute_url(calendar["url"]) if calendar else "",
    }


def _news(root, request=None) -> list[dict]:
    from .models import NewsPage

    items = NewsPage.objects.live().public().descendant_of(root).order_by("-date", "-pk")[:NEWS_LIMIT]
    return [
        {"title": item.title, "summary": item.intro, "date": item.date.isoformat(),
         "date_label": format_date_fr(item.date), "url": page_url(item, request)}
        for item in items
    ]


def _events(root, request=None) -> list[dict]:
    from .models import EventPage

    events = EventPage.objects.live().public().descendant_of(root).upcoming()[:EVENTS_LIMIT]
    return [
        {
            "title": event.title,
            "when": event.when_display,
            "start_date": event.start_date.isoformat(),
            "end_date": (event.end_date or event.start_date).isoformat(),
            "start_time": event.start_time.strftime("%H:%M") if event.is_timed else None,
            "end_time": event.end_time.strftime("%H:%M") if event.is_timed and event.end_time else None,
            "is_provisional": event.is_provisional,
            "category": event.category_label,
            "location": event.location,
            "url": page_url(event, request),
            "ical": absolute_url(event.ics_url),
        }
        for event in events
    ]


def _call(request=None) -> dict | None:
    """The call the public pages show (open, else the next, else the last closed). A call whose
    dates are not public (« dates en clair ») gives its note and no dates, as its pages do."""
    from ami.services.public_call import current_campaign

    campaign = current_campaign(request)
    if campaign is None:
        return None
    status = campaign.state()
    dated = not campaign.dates_note
    return {
        "title": campaign.title,
        "status": str(status),
        "status_label": CALL_STATUS_LABELS[status],
        "opens_at": timezone.localtime(campaign.opens_at).isoformat() if dated else None,  # Paris time
        "closes_at": timezone.localtime(campaign.closes_at).isoformat() if dated else None,
        "opens_label": format_deadline(campaign.opens_at) if dated else "",
        "closes_label": format_deadline(campaign.closes_at) if dated else "",
        "dates_note": campaign.dates_note,
        "is_demo": campaign.is_demo,
        "url": absolute_url(reverse("ami:home")),
    }


def portal_data(request) -> dict:
    root = _root(request)
    feeds = feed_urls(request)
    return {
        "version": JSON_FORMAT_VERSION,
        "source": "Bibliothèque Numérique Métropolitaine – Métropole Européenne de Lille",
        "site": base_url() + "/",
        "generated_at": timezone.localtime().replace(microsecond=0).isoformat(),
        "documentation": absolute_url(reverse("integration")),
        "feeds": {"rss": feeds["rss"], "ical": feeds["ical"]},
        "news": _news(root, request) if root else [],
        "news_page": feeds["news_page"],
        "events": _events(root, request) if root else [],
        "calendar_page": feeds["calendar_page"],
        "call": _call(request),
    }


def _cors(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    return response


@public_cache()
@csrf_exempt  # so that a POST is refused with 405 (not 403): nothing here is ever written
def portal_json(request):
    if request.method not in ALLOWED_METHODS:
        return _cors(HttpResponseNotAllowed(ALLOWED_METHODS))
    if request.method == "OPTIONS":  # CORS preflight: reading with GET is all there is
        response = HttpResponse(status=204)
        response["Allow"] = response["Access-Control-Allow-Methods"] = ", ".join(ALLOWED_METHODS)
        response["Access-Control-Allow-Headers"] = "Accept, If-None-Match"
        response["Access-Control-Max-Age"] = "86400"
        return _cors(response)
    data = portal_data(request)
    # The ETag ignores the generation time: unchanged content answers 304.
    stable = json.dumps({k: v for k, v in data.items() if k != "generated_at"}, cls=DjangoJSONEncoder, sort_keys=True)
    etag = '"' + hashlib.sha256(stable.encode()).hexdigest()[:32] + '"'
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={PORTAL_JSON_MAX_AGE}"
    response["Access-Control-Expose-Headers"] = "ETag"
    response = get_conditional_response(request, etag=etag, response=response)
    return _cors(response)


def examples(*, rss: str, ical: str, webcal: str, json_url: str, news_page: str, calendar_page: str, call_url: str) -> dict:
    """The copy-paste HTML of /integration/, each built on the absolute URLs of SITE_BASE_URL."""
    return {
        "rss": (
            f'<!-- Dans le <head> de la page : les navigateurs et lecteurs de flux trouvent le flux -->\n'
            f'<link rel="alternate" type="application/rss+xml" title="Actualités de la Bibliothèque Numérique Métropolitaine" href="{rss}">\n\n'
            f'<!-- Dans la page : un lien d’abonnement -->\n'
            f'<p><a href="{rss}">Suivre les actualités de la Bibliothèque Numérique Métropolitaine (flux RSS)</a></p>'
        ),
        "ical": (
            f'<p>\n  <a href="{webcal}">S’abonner au calendrier de la Bibliothèque Numérique Métropolitaine</a>\n'
            f'  (ou ajoutez l’adresse <code>{ical}</code> à votre agenda)\n</p>'
        ),
        "links": (
            f'<section aria-labelledby="bnm-titre">\n'
            f'  <h2 id="bnm-titre">Bibliothèque Numérique Métropolitaine</h2>\n'
            f'  <ul>\n'
            f'    <li><a href="{news_page}">Les actualités de la BNM</a></li>\n'
            f'    <li><a href="{calendar_page}">Le calendrier de la BNM</a></li>\n'
            f'    <li><a href="{call_url}">L’appel à manifestation d’intérêt aux communes</a></li>\n'
            f'  </ul>\n'
            f'</section>'
        ),
        "fetch": (
            f'<section aria-labelledby="bnm-actualites-titre">\n'
            f'  <h2 id="bnm-actualites-titre">Actualités de la Bibliothèque Numérique Métropolitaine</h2>\n'
            f'  <p id="bnm-appel"><a href="{call_url}">L’appel à manifestation d’intérêt aux communes</a></p>\n'
            f'  <ul id="bnm-actualites">\n'
            f'    <li><a href="{news_page}">Toutes les actualités de la BNM</a></li>\n'
            f'  </ul>\n'
            f'</section>\n'
            f'<script>\n'
            f'  // Sans JavaScript ou sans réponse, les liens ci-dessus restent affichés.\n'
            f'  fetch("{json_url}")\n'
            f'    .then((response) => response.json())\n'
            f'    .then((data) => {{\n'
            f'      const list = document.getElementById("bnm-actualites");\n'
            f'      for (const item of data.news) {{\n'
            f'        const link = document.createElement("a");\n'
            f'        link.href = item.url;\n'
            f'        link.textContent = item.title;\n'
            f'        const li = document.createElement("li");\n'
            f'        li.append(link, " (" + item.date_label + ")");\n'
            f'        list.lastElementChild.before(li);\n'
            f'      }}\n'
            f'      if (data.call) {{\n'
            f'        const link = document.createElement("a");\n'
            f'        link.href = data.call.url;\n'
            f'        link.textContent = data.call.title + " : " + data.call.status_label;\n'
            f'        document.getElementById("bnm-appel").replaceChildren(link);\n'
            f'      }}\n'
            f'    }})\n'
            f'    .catch(() => {{}});\n'
            f'</script>'
        ),
    }


@public_cache()
def integration_page(request):
    """/integration/: each feed and the JSON, with copy-paste examples on SITE_BASE_URL."""
    feeds = feed_urls(request)
    json_url = absolute_url(reverse("integration_json"))
    webcal_url = "webcal://" + feeds["ical"].split("://", 1)[1] if feeds["ical"] else ""
    call_url = absolute_url(reverse("ami:home"))
    context = {
        "feeds": feeds,
        "json_url": json_url,
        "webcal_url": webcal_url,
        "call_url": call_url,
        "examples": examples(rss=feeds["rss"], ical=feeds["ical"], webcal=webcal_url, json_url=json_url,
                             news_page=feeds["news_page"], calendar_page=feeds["calendar_page"], call_url=call_url),
        "news_limit": NEWS_LIMIT,
        "events_limit": EVENTS_LIMIT,
        "max_age_minutes": PORTAL_JSON_MAX_AGE // 60,
    }
    return TemplateResponse(request, "home/integration.html", context)
