"""Every public page stays cheap when the page cache misses (core/pagecache.py): at most
PAGE_BUDGET queries once the site's derived data (site, page tree, menus, settings, the call) is
warm, whether the page cache is off or just emptied; and what an editor or the team publishes is
seen at once all the same, on a cached and an uncached request alike."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import Page, PageViewRestriction

from faq.models import FaqPage
from home.models import (
    BnmSettings,
    CalendarPage,
    EventPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    PresentationPage,
    StandardPage,
)
from tests.home.conftest import editors_items as editors_items
from tests.home.conftest import open_call

PARIS = ZoneInfo("Europe/Paris")
PAGE_BUDGET = 5
pytestmark = pytest.mark.django_db

PUBLIC_URLS = {
    "home": lambda: HomePage.objects.get().url,
    "presentation": lambda: PresentationPage.objects.get().url,
    "faq": lambda: FaqPage.objects.get().url,
    "standard page": lambda: StandardPage.objects.get(slug="contact").url,
    "legal page": lambda: StandardPage.objects.get(slug="donnees-personnelles").url,
    "calendar": lambda: CalendarPage.objects.get().url,
    "event": lambda: EventPage.objects.get(slug="reunion-2027").url,
    "milestone": lambda: EventPage.objects.get(slug="connecteurs-2023").url,
    "news index": lambda: NewsIndexPage.objects.get().url,
    "news item": lambda: NewsPage.objects.get(slug="actualite-equipe").url,
    "RSS": lambda: NewsIndexPage.objects.get().rss_url,
    "iCal": lambda: CalendarPage.objects.get().ical_url,
    "event iCal": lambda: EventPage.objects.get(slug="reunion-2027").ics_url,
    "sitemap": lambda: reverse("sitemap"),
    "robots.txt": lambda: reverse("robots_txt"),
    "call": lambda: reverse("ami:home"),
    "integration": lambda: reverse("integration"),
    "portal JSON": lambda: reverse("integration_json"),
    "search form": lambda: reverse("search"),
    # Results are read per query (never stored by the page cache): within the budget too.
    "search results": lambda: reverse("search") + "?q=logiciel",
}


def page_cache():
    return caches[django_settings.PAGE_CACHE_ALIAS]


@pytest.fixture(params=["page cache off", "page cache emptied"])
def page_cache_misses(request, settings):
    """Each request builds the page: with the page cache off, or on but emptied before it."""
    if request.param == "page cache off":
        settings.PAGE_CACHE_SECONDS = 0
    return request.param


@pytest.mark.parametrize("name", PUBLIC_URLS)
def test_public_page_within_budget_when_the_page_cache_misses(editors_items, client, name, page_cache_misses,
                                                              django_assert_max_num_queries):
    url = PUBLIC_URLS[name]()
    page_cache().clear()
    assert client.get(url).status_code == 200  # warm-up: the derived data is built once
    page_cache().clear()
    with django_assert_max_num_queries(PAGE_BUDGET):
        response = client.get(url)
    assert response.status_code == 200
    assert response.get("X-Page-Cache") != "hit"


def test_the_home_page_does_not_read_the_presentation_stream(editors_items, client, settings):
    """The tool cards come from the presentation's tool_cards, read with the menus: no query on its
    StreamField column when they are built, none at all on the next visits."""
    from core import pagecache

    settings.PAGE_CACHE_SECONDS = 0
    url = HomePage.objects.get().url
    pagecache.next_generation()  # the menus and the rest are built again by the next visit
    with CaptureQueriesContext(connection) as queries:
        html = client.get(url).content.decode()
    presentation_reads = [q["sql"] for q in queries.captured_queries if "home_presentationpage" in q["sql"]]
    assert presentation_reads and not any('"home_presentationpage"."body"' in sql for sql in presentation_reads)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).content.decode() == html
    assert not [q["sql"] for q in queries.captured_queries if "home_presentationpage" in q["sql"]]
    for card in PresentationPage.objects.get().tool_cards:
        assert f'href="/la-bnm/#{card["anchor"]}"' in html


# --- Changes are seen at once --------------------------------------------------------


@pytest.fixture(params=["uncached", "cached"])
def cached_or_not(request, settings):
    """"cached": the page cache is on (the page is first served from it); "uncached": it is off."""
    if request.param == "uncached":
        settings.PAGE_CACHE_SECONDS = 0
    return request.param


def visit(client, url, mode):
    """The page as a visitor sees it, after a first visit built (and, cached, stored) it."""
    client.get(url)
    if mode == "cached":
        assert client.get(url)["X-Page-Cache"] == "hit"
    return client.get(url).content.decode()


def first_tool(page):
    return next(block for block in page.body if block.block_type == "tool")


def test_a_published_card_title_is_on_the_home_page_at_once(editors_items, client, cached_or_not):
    home = HomePage.objects.get().url
    presentation = PresentationPage.objects.get()
    old_title = first_tool(presentation).value["title"]
    assert old_title in visit(client, home, cached_or_not)

    first_tool(presentation).value["title"] = "Un logiciel commun renommé"
    presentation.save_revision().publish()
    html = client.get(home).content.decode()
    assert "Un logiciel commun renommé" in html and old_title not in html


def test_a_draft_card_title_stays_off_the_home_page(editors_items, client, cached_or_not):
    home = HomePage.objects.get().url
    presentation = PresentationPage.objects.get()
    old_title = first_tool(presentation).value["title"]
    visit(client, home, cached_or_not)

    first_tool(presentation).value["title"] = "Titre en brouillon"
    presentation.save_revision()
    html = client.get(home).content.decode()
    assert "Titre en brouillon" not in html and old_title in html


def test_a_renamed_menu_entry_is_in_every_header_at_once(editors_items, client, cached_or_not):
    faq = FaqPage.objects.get().url
    calendar = CalendarPage.objects.get()
    assert ">Calendrier</a>" in visit(client, faq, cached_or_not)

    calendar.title = "Calendrier du programme"
    calendar.save_revision().publish()
    assert ">Calendrier du programme</a>" in client.get(faq).content.decode()


def test_a_settings_change_is_in_every_footer_at_once(editors_items, client, cached_or_not):
    contact = StandardPage.objects.get(slug="contact").url
    visit(client, contact, cached_or_not)

    site_settings = BnmSettings.objects.get()
    site_settings.funders = "La Région Hauts-de-France"
    site_settings.save()
    assert "La Région Hauts-de-France" in client.get(contact).content.decode()


def test_an_unpublished_page_is_gone_and_a_moved_one_found_at_once(editors_items, client, cached_or_not):
    news = NewsPage.objects.get(slug="actualite-equipe")
    old_url = news.url
    visit(client, old_url, cached_or_not)

    news.slug = "actualite-renommee"
    news.save_revision().publish()
    assert client.get(old_url).status_code == 404
    assert "Texte de l’actualité." in client.get(NewsPage.objects.get(pk=news.pk).url).content.decode()

    NewsPage.objects.get(pk=news.pk).unpublish()
    assert client.get(NewsPage.objects.get(pk=news.pk).url).status_code == 404


def test_a_view_restriction_applies_at_once(editors_items, client, cached_or_not):
    news = NewsPage.objects.get(slug="actualite-equipe")
    assert "Texte de l’actualité." in visit(client, news.url, cached_or_not)

    PageViewRestriction.objects.create(page=NewsIndexPage.objects.get(), restriction_type="password", password="secret")
    response = client.get(news.url)
    assert "Texte de l’actualité." not in response.content.decode()
    assert 'name="password"' in response.content.decode()


def test_a_restricted_section_leaves_the_sitemap_at_once(editors_items, client, cached_or_not):
    news_index = NewsIndexPage.objects.get()
    news = NewsPage.objects.get(slug="actualite-equipe")
    sitemap = reverse("sitemap")
    assert news.url in visit(client, sitemap, cached_or_not) and news_index.url in client.get(sitemap).content.decode()

    PageViewRestriction.objects.create(page=news_index, restriction_type="password", password="secret")
    xml = client.get(sitemap).content.decode()
    assert news.url not in xml and news_index.url not in xml
    assert FaqPage.objects.get().url in xml


def test_the_call_closes_on_time_without_an_edit(editors_items, client, cached_or_not, frozen_today):
    open_call()  # open until 31 March 2027, 23:59:59 Paris time
    home = HomePage.objects.get().url
    html = visit(client, home, cached_or_not)
    assert "Candidatures ouvertes" in html and "encore 125 jours" in html

    frozen_today.move_to(dt.datetime(2026, 11, 27, 10, 0, tzinfo=PARIS))
    assert "encore 124 jours" in client.get(home).content.decode()

    frozen_today.move_to(dt.datetime(2027, 4, 1, 0, 0, 1, tzinfo=PARIS))
    html = client.get(home).content.decode()
    assert "Candidatures ouvertes" not in html and "Appel clos" in html
    assert "L’appel à manifestation d’intérêt est clos" in client.get(reverse("ami:home")).content.decode()


def test_a_change_committed_by_another_web_process_reaches_this_ones_headers(editors_items, client, settings):
    """This process keeps its own copy of the menus (core.pagecache._local): once another web
    process has written a change and moved the shared generation, the next page here shows it."""
    from core import pagecache

    settings.PAGE_CACHE_SECONDS = 0
    faq = FaqPage.objects.get().url
    calendar = CalendarPage.objects.get()
    assert ">Calendrier</a>" in client.get(faq).content.decode()
    assert ">Calendrier</a>" in client.get(faq).content.decode()  # from this process's copy

    # The other process: its row update (no signal here) and its invalidation, on the shared cache.
    Page.objects.filter(pk=calendar.pk).update(title="Calendrier du programme")
    caches[django_settings.PAGE_CACHE_ALIAS].incr(pagecache.GENERATION_KEY)
    assert ">Calendrier du programme</a>" in client.get(faq).content.decode()


def test_the_pages_a_presentation_links_to_come_from_the_site_tree(editors_items, client, settings,
                                                                   django_assert_num_queries):
    """« Pour en savoir plus » links to the FAQ: its title and address come from the site's tree
    kept per generation (home.blocks.SitePageChooserBlock), so the page costs its own row only,
    and a moved page's new address is shown at once."""
    settings.PAGE_CACHE_SECONDS = 0
    url = PresentationPage.objects.get().url
    assert 'href="/faq/">Questions fréquentes sur la BNM</a>' in client.get(url).content.decode()
    with django_assert_num_queries(1):
        html = client.get(url).content.decode()
    assert 'href="/faq/">Questions fréquentes sur la BNM</a>' in html

    faq = FaqPage.objects.get()
    faq.slug = "vos-questions"
    faq.save_revision().publish()
    assert 'href="/vos-questions/">Questions fréquentes sur la BNM</a>' in client.get(url).content.decode()


def test_a_rescheduled_then_unpublished_event_is_on_the_home_calendar_and_feeds_at_once(editors_items, client,
                                                                                        cached_or_not):
    """The lists and feeds read the calendar's events as derived data (home.models.calendar_entries):
    kept per generation, so an editor's publish and unpublish are seen on the next visit."""
    event = EventPage.objects.get(slug="reunion-2027")
    calendar = CalendarPage.objects.get()
    home, feed, event_feed = HomePage.objects.get().url, calendar.ical_url, event.ics_url
    for url in (home, calendar.url):
        html = visit(client, url, cached_or_not)
        assert "14 janvier 2027" in html and f'<a href="{event.url}">Réunion d’information</a>' in html
    assert "DTSTART;TZID=Europe/Paris:20270114T140000" in visit(client, feed, cached_or_not)
    assert "DTSTART;TZID=Europe/Paris:20270114T140000" in visit(client, event_feed, cached_or_not)

    event.start_date = dt.date(2027, 2, 4)
    event.save_revision().publish()
    for url in (home, calendar.url):
        html = client.get(url).content.decode()
        assert "4 février 2027" in html and "14 janvier 2027" not in html
    for url in (feed, event_feed):
        ics = client.get(url).content.decode()
        assert "DTSTART;TZID=Europe/Paris:20270204T140000" in ics and "20270114" not in ics

    EventPage.objects.get(pk=event.pk).unpublish()
    for url in (home, calendar.url, feed):
        assert "Réunion d’information" not in client.get(url).content.decode()
    assert client.get(event_feed).status_code == 404
