"""The page cache for anonymous visitors (core/pagecache.py): what a visitor, an editor and a
referent notice. Under CI the Redis-backed cases run against the real Redis."""
import datetime as dt
import gzip
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.cache import caches
from django.urls import reverse

from ami.models import CampaignExtension
from faq.models import FaqPage
from home.models import BnmSettings, StandardPage
from tests.ami.factories import commune, make_campaign, make_dossier, open_dossier_in_session, step_url
from tests.home.conftest import TODAY
from tests.integration_fixtures import _require_redis, redis_broker_url
from tests.wsgi_front import wsgi_get

PARIS = ZoneInfo("Europe/Paris")
pytestmark = pytest.mark.django_db


def page_cache():
    return caches[django_settings.PAGE_CACHE_ALIAS]


def test_second_visit_is_served_from_the_cache_without_a_query(content, client, django_assert_num_queries):
    first = client.get("/la-bnm/")
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get("/la-bnm/")
    assert second.status_code == 200 and second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    # The headers every answer carries (security, CSP) are stored with the page and given again.
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy"):
        assert second[header] == first[header], header


def test_published_change_is_seen_at_once(content, client):
    page = StandardPage.objects.get(slug="contact")
    assert "Nous écrire" not in client.get(page.url).content.decode()
    assert client.get(page.url)["X-Page-Cache"] == "hit"

    page.title = "Nous écrire"
    page.save_revision().publish()
    response = client.get(page.url)
    assert response["X-Page-Cache"] == "miss"
    assert "Nous écrire" in response.content.decode()
    assert "Nous écrire" in client.get("/").content.decode()  # the menu of every other page too


def test_draft_is_not_shown_and_unpublished_page_is_gone_at_once(content, client):
    page = StandardPage.objects.get(slug="contact")
    client.get(page.url)
    page.title = "Brouillon non publié"
    page.save_revision()
    assert "Brouillon non publié" not in client.get(page.url).content.decode()

    url = page.url
    page.unpublish()
    assert client.get(url).status_code == 404


def test_site_settings_change_is_seen_at_once(content, client):
    client.get("/")
    site_settings = BnmSettings.objects.get()
    site_settings.contact_email = "bnm-nouvelle@lillemetropole.fr"
    site_settings.save()
    assert "bnm-nouvelle@lillemetropole.fr" in client.get("/").content.decode()


def test_a_call_the_team_creates_appears_at_once(content, client):
    assert client.get(reverse("ami:home"))["X-Page-Cache"] == "miss"
    assert client.get(reverse("ami:home"))["X-Page-Cache"] == "hit"
    make_campaign(title="Appel créé par l’équipe")
    response = client.get(reverse("ami:home"))
    assert "Appel créé par l’équipe" in response.content.decode()


def test_the_call_page_opens_on_time_without_an_edit(content, client):
    """A page cached the evening before the opening says « ouvert » from 9:00, not 10 minutes later."""
    make_campaign(title="Appel 2027", opens_at=dt.datetime(2026, 11, 27, 9, 0, tzinfo=PARIS),
                  closes_at=dt.datetime(2027, 3, 31, 23, 59, tzinfo=PARIS))
    with time_machine.travel(dt.datetime(2026, 11, 27, 8, 59, 30, tzinfo=PARIS), tick=False) as traveller:
        assert "pas encore ouvert" in client.get(reverse("ami:home")).content.decode()
        traveller.move_to(dt.datetime(2026, 11, 27, 8, 59, 50, tzinfo=PARIS))  # its minute is not up, but 9:00 comes first
        assert client.get(reverse("ami:home"))["X-Page-Cache"] == "hit"
        traveller.move_to(dt.datetime(2026, 11, 27, 9, 0, 1, tzinfo=PARIS))
        response = client.get(reverse("ami:home"))
    assert response["X-Page-Cache"] == "miss"
    assert "Les candidatures sont ouvertes" in response.content.decode()


def test_an_extension_is_shown_at_once_and_its_end_expires_the_page(content, client, frozen_today):
    campaign = make_campaign(opens_at=TODAY - dt.timedelta(days=60), closes_at=TODAY - dt.timedelta(days=1))
    client.get(reverse("ami:home"))
    CampaignExtension.objects.create(campaign=campaign, commune=commune("Roubaix"), closes_at=TODAY + dt.timedelta(hours=2))
    response = client.get(reverse("ami:home"))
    assert response["X-Page-Cache"] == "miss" and "Roubaix" in response.content.decode()
    entry_seconds = client.get(reverse("ami:home"))
    assert entry_seconds["X-Page-Cache"] == "hit"
    frozen_today.shift(dt.timedelta(hours=2, seconds=1))
    assert "Roubaix" not in client.get(reverse("ami:home")).content.decode()


def test_logged_in_editor_is_never_served_the_anonymous_copy(content, client, admin_client):
    client.get("/")
    assert client.get("/")["X-Page-Cache"] == "hit"
    response = admin_client.get("/")
    assert "X-Page-Cache" not in response
    assert "wagtail-userbar" in response.content.decode()
    # and the editor's page, with its user bar, is never given to the public
    assert "wagtail-userbar" not in client.get("/").content.decode()


def test_private_dossier_pages_and_forms_are_never_stored(content, client):
    campaign = make_campaign()
    dossier = make_dossier(campaign, commune("Lille"))
    open_dossier_in_session(client, dossier)
    for _ in range(2):
        response = client.get(step_url(dossier, "commune"))
        assert response.status_code == 200 and "X-Page-Cache" not in response
    anonymous = client.__class__()
    for _ in range(2):  # the start form sets a CSRF cookie: its answer is never stored
        response = anonymous.get(reverse("ami:start"))
        assert response.status_code == 200 and response.get("X-Page-Cache") != "hit"


def test_search_results_and_query_strings_are_not_stored(content, client):
    for _ in range(2):
        response = client.get(reverse("search"), {"q": "logiciel"})
        assert "X-Page-Cache" not in response


def test_unchanged_page_revalidates_with_a_304(content, client):
    response = client.get("/faq/")
    assert response["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert "Cookie" in response["Vary"]
    etag = response["ETag"]
    revalidated = client.get("/faq/", HTTP_IF_NONE_MATCH=etag)
    assert revalidated.status_code == 304 and revalidated["ETag"] == etag
    assert revalidated.content == b""
    StandardPage.objects.get(slug="contact").save_revision().publish()  # republished unchanged
    assert client.get("/faq/", HTTP_IF_NONE_MATCH=etag).status_code == 304  # same bytes, same ETag
    faq = FaqPage.objects.get()
    faq.title = "Vos questions"
    faq.save_revision().publish()
    changed = client.get("/faq/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag and "Vos questions" in changed.content.decode()


def test_compressed_and_plain_copies_are_kept_apart(content, client):
    compressed = client.get("/la-bnm/", HTTP_ACCEPT_ENCODING="gzip")
    assert compressed["Content-Encoding"] == "gzip"
    plain = client.get("/la-bnm/")
    assert "Content-Encoding" not in plain and plain["X-Page-Cache"] == "miss"
    again = client.get("/la-bnm/", HTTP_ACCEPT_ENCODING="gzip")
    assert again["X-Page-Cache"] == "hit" and again["Content-Encoding"] == "gzip"
    assert gzip.decompress(again.content) == plain.content


def test_feeds_sitemap_robots_and_the_portal_integration_are_stored(content, client):
    urls = ("/actualites/rss/", reverse("sitemap"), reverse("robots_txt"), "/calendrier/bnm.ics",
            reverse("integration"), reverse("integration_json"))
    for url in urls:
        assert client.get(url).status_code == 200, url
        assert client.get(url)["X-Page-Cache"] == "hit", url
    # The JSON keeps its own caching rules and CORS header from the cache.
    hit = client.get(reverse("integration_json"))
    assert hit["Access-Control-Allow-Origin"] == "*" and hit["Cache-Control"].startswith("public, max-age=")


@pytest.mark.integration
def test_on_redis_an_invalidation_reaches_every_process(content, client, settings):
    """Two processes share Redis: a publish in one is seen by the other at once. A second
    cache object on the same Redis stands for the second process."""
    redis_url = redis_broker_url()
    _require_redis(redis_url)
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "config.cache.FailSoftRedisCache", "LOCATION": redis_url,
                    "OPTIONS": settings.REDIS_CACHE_OPTIONS},
        "other_process": {"BACKEND": "config.cache.FailSoftRedisCache", "LOCATION": redis_url,
                          "OPTIONS": settings.REDIS_CACHE_OPTIONS},
    }
    settings.PAGE_CACHE_ALIAS = "default"
    caches["default"].clear()
    # Emptied, Redis has no counter: the first visits start it (core/pagewatch.py), then a hit.
    assert "hit" in [client.get("/la-bnm/")["X-Page-Cache"] for _ in range(4)]
    assert client.get("/la-bnm/")["X-Page-Cache"] == "hit"
    settings.PAGE_CACHE_ALIAS = "other_process"
    page = StandardPage.objects.get(slug="contact")
    page.title = "Écrire à l’équipe"
    page.save_revision().publish()  # invalidated from "the other process"
    settings.PAGE_CACHE_ALIAS = "default"
    response = client.get("/la-bnm/")
    assert response["X-Page-Cache"] == "miss" and "Écrire à l’équipe" in response.content.decode()
    caches["default"].clear()


# --- The WSGI front (config/wsgi.py): hits answered before Django's request handling ---------


def test_front_answers_a_stored_page_without_django(content, front, django_assert_num_queries):
    app, django = front
    status, headers, body = wsgi_get(app, "/la-bnm/")
    assert status == "200 OK" and headers["X-Page-Cache"] == "miss" and django.calls == 1
    with django_assert_num_queries(0):
        status, hit_headers, hit_body = wsgi_get(app, "/la-bnm/")
    assert django.calls == 1, "a hit must not reach Django"
    assert status == "200 OK" and hit_headers["X-Page-Cache"] == "hit" and hit_body == body
    for header in ("Content-Type", "Content-Security-Policy", "X-Frame-Options", "ETag", "Cache-Control"):
        assert hit_headers[header] == headers[header], header

    status, not_modified, empty = wsgi_get(app, "/la-bnm/", HTTP_IF_NONE_MATCH=headers["ETag"])
    assert status == "304 Not Modified" and empty == b"" and not_modified["ETag"] == headers["ETag"]
    assert django.calls == 1


def test_front_passes_personal_and_queried_requests_to_django(content, front):
    app, django = front
    wsgi_get(app, "/la-bnm/")
    wsgi_get(app, "/la-bnm/", HTTP_COOKIE=f"{django_settings.SESSION_COOKIE_NAME}=abc")
    wsgi_get(app, "/la-bnm/", QUERY_STRING="page=2")
    assert django.calls == 3
    wsgi_get(app, "/la-bnm/", HTTP_COOKIE="csrftoken=abc")  # a CSRF cookie alone changes nothing
    assert django.calls == 3


def test_front_serves_a_page_whose_address_has_accents(content, front):
    """WSGI gives the path's UTF-8 bytes as Latin-1 text and Django decodes it: the page is stored
    under the key the front computed, so the next visitor gets the stored copy."""
    page = StandardPage.objects.get(slug="contact")
    page.slug = "écrire-à-l-équipe"
    page.save_revision().publish()
    raw_path = "/écrire-à-l-équipe/".encode().decode("latin-1")
    app, django = front
    status, headers, body = wsgi_get(app, raw_path)
    assert status == "200 OK" and "Contact" in body.decode()
    status, headers, _ = wsgi_get(app, raw_path)
    assert headers["X-Page-Cache"] == "hit" and django.calls == 1


def test_front_never_gives_the_https_copy_to_an_http_request(content, front, settings):
    """Behind the TLS proxy: a page stored for https:// is not an answer to http://, which is
    redirected to https:// as before."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    app, django = front
    assert wsgi_get(app, "/faq/", HTTP_X_FORWARDED_PROTO="https")[0] == "200 OK"
    assert wsgi_get(app, "/faq/", HTTP_X_FORWARDED_PROTO="https")[1]["X-Page-Cache"] == "hit"
    status, headers, _ = wsgi_get(app, "/faq/", HTTP_X_FORWARDED_PROTO="http")
    assert status.startswith("301") and headers["Location"] == "https://testserver/faq/"


def test_what_another_version_of_the_code_stored_is_never_read(content, client, monkeypatch):
    """A deploy (or two versions side by side during one) shares the cache: a page or a value
    derived for pages that another version of the code stored is built again, never read back
    (its shape or its HTML may differ)."""
    from core import pagecache

    assert client.get("/la-bnm/")["X-Page-Cache"] == "miss"
    assert client.get("/la-bnm/")["X-Page-Cache"] == "hit"
    built = []
    assert pagecache.cached("menus-test", lambda: built.append(1) or "old shape") == "old shape"

    monkeypatch.setattr(pagecache, "code_version", lambda: "another-release")
    pagecache._local.clear()  # this process's own copy belongs to the process, not to the cache
    assert client.get("/la-bnm/")["X-Page-Cache"] == "miss"
    assert pagecache.cached("menus-test", lambda: built.append(2) or "new shape") == "new shape"
    assert built == [1, 2]
