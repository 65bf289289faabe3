"""What the « à suivre... » portal can read of the BNM: the JSON of news, next events and the
current call (CORS for GET, cacheable, read-only, no personal data) and /integration/, the
page documenting it and the feeds with examples on SITE_BASE_URL."""
import json
import re

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.integration_fixtures import make_complete_dossier, submit_dossier_version

from .conftest import open_call

pytestmark = pytest.mark.django_db

BASE = "https://bnm.example.org"
PORTAL = "https://asuivre.lillemetropole.fr"


@pytest.fixture
def json_url():
    return reverse("integration_json")


def absolute_urls(data) -> list[str]:
    found = []

    def walk(node, key=""):
        if isinstance(node, dict):
            for name, value in node.items():
                walk(value, name)
        elif isinstance(node, list):
            for value in node:
                walk(value, key)
        elif isinstance(node, str) and node.startswith(("http://", "https://")):
            found.append(node)

    walk(data)
    return found


@override_settings(SITE_BASE_URL=BASE)
def test_json_gives_news_next_events_and_the_open_call(editors_items, client, json_url):
    open_call()
    response = client.get(json_url, HTTP_ORIGIN=PORTAL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == "public, max-age=300" and response["ETag"]
    assert "Set-Cookie" not in response and "Cookie" not in response.get("Vary", "")
    data = json.loads(response.content)
    assert set(data) == {"version", "source", "site", "generated_at", "documentation", "feeds", "news", "news_page",
                         "events", "calendar_page", "call"}
    assert data["news"] == [{"title": "Une actualité de l’équipe", "summary": "Résumé.", "date": "2026-11-20",
                             "date_label": "20 novembre 2026", "url": f"{BASE}/actualites/actualite-equipe/"}]
    assert data["events"] == [{
        "title": "Réunion d’information", "when": "14 janvier 2027, 14 h – 16 h 30", "start_date": "2027-01-14",
        "end_date": "2027-01-14", "start_time": "14:00", "end_time": "16:30", "is_provisional": False,
        "category": "Pilotage (COPIL, comité technique)", "location": "",
        "url": f"{BASE}/calendrier/reunion-2027/", "ical": f"{BASE}/calendrier/reunion-2027.ics",
    }]
    call = data["call"]
    assert (call["status"], call["status_label"], call["url"]) == ("open", "Candidatures ouvertes", f"{BASE}/candidater/")
    assert (call["opens_at"], call["closes_at"]) == ("2026-11-01T09:00:00+01:00", "2027-03-31T23:59:59+02:00")
    assert call["closes_label"] == "31 mars 2027 à 23 h 59, heure de Paris"
    assert data["feeds"] == {"rss": f"{BASE}/actualites/rss/", "ical": f"{BASE}/calendrier/bnm.ics"}
    assert data["documentation"] == f"{BASE}/integration/"
    urls = absolute_urls(data)
    assert len(urls) >= 9 and all(url.startswith(BASE + "/") for url in urls), urls
    # Each feed it names answers.
    for url in data["feeds"].values():
        assert client.get(url.removeprefix(BASE)).status_code == 200

    # Unchanged content: the portal's cache revalidates with 304.
    again = client.get(json_url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and again["Access-Control-Allow-Origin"] == "*"


def test_json_of_the_seed_content_states_only_the_source(content, client, json_url):
    """26 November 2026: every milestone of 2022-2025 is past, no news, the 2022 call is closed
    and its dates are not public: none are given."""
    data = json.loads(client.get(json_url).content)
    assert data["news"] == [] and data["events"] == []
    call = data["call"]
    assert (call["status"], call["status_label"]) == ("closed", "Appel clos")
    assert call["opens_at"] is call["closes_at"] is None and call["opens_label"] == call["closes_label"] == ""
    assert call["dates_note"].startswith("Dossier de candidature daté de juin 2022") and call["is_demo"] is False


def test_json_preflight_allows_get_only(content, client, json_url):
    response = client.options(json_url, HTTP_ORIGIN=PORTAL, HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"


def test_json_refuses_every_write(content, client, json_url):
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(json_url, data="{}", content_type="application/json")
        assert response.status_code == 405, method
        assert response["Allow"] == "GET, HEAD, OPTIONS"


def test_json_holds_no_dossier_and_no_personal_data(content, client, json_url):
    campaign = open_call()
    dossier = make_complete_dossier(campaign=campaign, communes=("Tourcoing",), libraries=1)
    submit_dossier_version(dossier)
    body = client.get(json_url).content.decode()
    assert json.loads(body)["call"]["title"] == campaign.title
    for private in (dossier.agent_email, dossier.elected_email, dossier.public_id, dossier.elected_last_name,
                    "Tourcoing", campaign.team_email):
        assert private and str(private) not in body
    assert "@" not in body


def test_json_query_budget(editors_items, client, json_url, django_assert_max_num_queries):
    open_call()
    client.get(json_url)  # warm Wagtail's per-site caches, like any running server
    with django_assert_max_num_queries(6):
        assert client.get(json_url).status_code == 200


@override_settings(SITE_BASE_URL=BASE)
def test_integration_page_documents_each_feed_with_examples_on_site_base_url(content, client):
    response = client.get("/integration/", HTTP_HOST="autre-hote.example.net")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1 and "Intégrer les contenus de la BNM à votre site" in html
    examples = re.findall(r'<pre class="code-example"><code>(.*?)</code></pre>', html, re.S)
    assert len(examples) == 4
    joined = "\n".join(examples)
    for url in (f"{BASE}/actualites/rss/", "webcal://bnm.example.org/calendrier/bnm.ics", f"{BASE}/calendrier/bnm.ics",
                f"{BASE}/integration/bnm.json", f"{BASE}/actualites/", f"{BASE}/calendrier/", f"{BASE}/candidater/"):
        assert url in joined, url
    assert "&lt;link rel=&quot;alternate&quot; type=&quot;application/rss+xml&quot;" in joined  # shown, not run
    assert "<script>" not in html.split("<main", 1)[1].split("</main>")[0]
    assert "autre-hote" not in html and "iframe" not in joined
    # Every address of the page is one that answers.
    for path in ("/actualites/rss/", "/calendrier/bnm.ics", "/integration/bnm.json"):
        assert client.get(path).status_code == 200, path


@override_settings(SITE_BASE_URL=BASE)
def test_integration_page_is_in_the_sitemap_and_the_footer(content, client):
    assert f"<loc>{BASE}/integration/</loc>" in client.get("/sitemap.xml").content.decode()
    footer = client.get("/").content.decode().split("<footer", 1)[1]
    assert '<a href="/integration/">Intégrer nos contenus</a>' in footer


def test_links_to_the_portal_say_they_leave_the_site(content, client):
    for url in ("/", "/la-bnm/", "/mentions-legales/"):
        html = client.get(url).content.decode()
        links = re.findall(r'<a [^>]*href="https://asuivre\.lillemetropole\.fr/[^"]*"[^>]*>(.*?)</a>', html, re.S)
        assert links, url
        for text in links:
            assert '<svg class="external-marker" aria-hidden="true"' in text and "(site externe)" in text, (url, text)
        assert 'target="_blank"' not in html
