"""Search engines and sharing: what a crawler and a sharing preview read on every public page
(one description, a canonical on SITE_BASE_URL, Open Graph, JSON-LD of the page's type), robots.txt,
the sitemap, noindex on private pages, compression only where no secret is, and typed search results."""
import datetime as dt
import gzip
import io
import json
import re
from urllib.robotparser import RobotFileParser

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.contrib.auth import get_user_model
from django.middleware.csrf import get_token
from django.test import RequestFactory, override_settings
from django.urls import reverse
from PIL import Image

from ami.services.tokens import issue_token
from config.middleware import carries_secret
from home.models import EventPage, NewsIndexPage, NewsPage, StandardPage
from tests.ami.factories import dossier_path, make_campaign, make_dossier, open_dossier_in_session

from .conftest import add_event

BASE = settings.SITE_BASE_URL


def head(html: str) -> BeautifulSoup:
    return BeautifulSoup(html.split("</head>")[0], "html.parser")


def json_ld(html: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


def sitemap_paths(client) -> list[str]:
    locs = re.findall(r"<loc>([^<]+)</loc>", client.get("/sitemap.xml").content.decode())
    assert locs and all(loc.startswith(BASE + "/") for loc in locs), locs
    return [loc[len(BASE):] for loc in locs]


def expected_types(path: str) -> set[str]:
    if path == "/":
        return {"Organization"}
    if path in ("/candidater/", "/integration/"):  # views, not Wagtail pages
        return set()
    if path == "/faq/":
        return {"BreadcrumbList", "FAQPage"}
    if path.startswith("/calendrier/") and path != "/calendrier/":
        return {"BreadcrumbList", "Event"}
    if path.startswith("/actualites/") and path != "/actualites/":
        return {"BreadcrumbList", "NewsArticle"}
    return {"BreadcrumbList"}


@pytest.mark.django_db
def test_every_page_of_the_sitemap_has_description_canonical_sharing_tags_and_json_ld(editors_items, client):
    paths = sitemap_paths(client)
    assert {"/", "/candidater/", "/faq/", "/calendrier/reunion-2027/", "/actualites/actualite-equipe/"} <= set(paths)
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        if not response["Content-Type"].startswith("text/html"):  # the blank questionnaire (PDF)
            continue
        html = response.content.decode()
        soup = head(html)
        descriptions = soup.find_all("meta", attrs={"name": "description"})
        assert len(descriptions) == 1, path
        assert 0 < len(descriptions[0]["content"]) <= 160, (path, descriptions[0]["content"])
        canonicals = soup.find_all("link", rel="canonical")
        assert len(canonicals) == 1 and canonicals[0]["href"] == BASE + path, path
        og = {tag["property"]: tag["content"] for tag in soup.find_all("meta", property=True)}
        assert og["og:title"] and og["og:url"] == BASE + path, path
        assert og["og:image"] == f"{BASE}/static/img/og-bnm.png" and og["og:locale"] == "fr_FR", path
        assert og["og:description"] == descriptions[0]["content"] and og["og:site_name"], path
        assert soup.find("meta", attrs={"name": "twitter:card"})["content"] == "summary_large_image"
        assert soup.find("meta", attrs={"name": "robots"}) is None, path
        types = {data["@type"] for data in json_ld(html)}
        assert types == expected_types(path), path
        assert all(data["@context"] == "https://schema.org" for data in json_ld(html))


@pytest.mark.django_db
def test_sharing_image_is_a_local_1200_by_630_png(client):
    response = client.get("/static/img/og-bnm.png")
    assert response.status_code == 200
    image = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert (image.format, image.size) == ("PNG", (1200, 630))


def description(client, path: str) -> str:
    (tag,) = head(client.get(path).content.decode()).find_all("meta", attrs={"name": "description"})
    return tag["content"]


@pytest.mark.django_db
def test_description_falls_back_to_the_page_text_then_the_home_page(content, client):
    from home.models import HomePage

    page = StandardPage(slug="essai", title="Essai", body="<h2>Titre</h2><p>Premier <b>paragraphe</b> &amp; suite.</p><p>Second.</p>")
    HomePage.objects.get().add_child(instance=page)
    page.save_revision().publish()
    assert description(client, "/essai/") == "Premier paragraphe & suite."

    page.intro = "Un chapeau très long " + "qui parle de la BNM et de ses bibliothèques " * 8
    page.save_revision().publish()
    described = description(client, "/essai/")
    assert described.startswith("Un chapeau très long qui parle") and described.endswith("…") and len(described) <= 160
    assert page.intro.startswith(described[:-1] + " ")  # cut between two words

    page.intro, page.body = "", "<p></p>"
    page.save_revision().publish()
    home_description = HomePage.objects.get().search_description
    assert home_description and description(client, "/essai/") == home_description

    page.search_description = "Écrire à l’équipe de la BNM."
    page.save_revision().publish()
    assert description(client, "/essai/") == "Écrire à l’équipe de la BNM."


def event_data(client, path: str) -> dict:
    (data,) = [d for d in json_ld(client.get(path).content.decode()) if d["@type"] == "Event"]
    return data


@pytest.mark.django_db
def test_event_json_ld_is_as_precise_as_the_source(editors_items, client):
    semester = event_data(client, "/calendrier/connecteurs-2023/")  # « 2e semestre 2023 » in the source
    assert (semester["startDate"], semester["endDate"]) == ("2023-07", "2023-12")
    assert semester["description"].startswith("Prévu au 2e semestre 2023")
    assert semester["url"] == f"{BASE}/calendrier/connecteurs-2023/"
    year = EventPage.objects.live().filter(start_date__month=1, start_date__day=1, end_date__month=12, end_date__day=31).first()
    assert year is not None, "the seed has a milestone known to the year"
    data = event_data(client, year.url)
    assert data["startDate"] == str(year.start_date.year) and "endDate" not in data

    timed = event_data(client, "/calendrier/reunion-2027/")  # an editor's meeting with its hours (winter: +01:00)
    assert (timed["startDate"], timed["endDate"]) == ("2027-01-14T14:00:00+01:00", "2027-01-14T16:30:00+01:00")
    add_event("atelier-juin", "Atelier", dt.date(2027, 6, 3), start=dt.time(9, 30), location="Lille, siège de la MEL")
    summer = event_data(client, "/calendrier/atelier-juin/")
    assert summer["startDate"] == "2027-06-03T09:30:00+02:00" and "endDate" not in summer  # no invented end
    assert summer["location"] == {"@type": "Place", "name": "Lille, siège de la MEL"}
    add_event("journee", "Journée", dt.date(2027, 5, 4))
    assert event_data(client, "/calendrier/journee/")["startDate"] == "2027-05-04"


@pytest.mark.django_db
def test_news_json_ld_and_home_organization(editors_items, client):
    html = client.get("/actualites/actualite-equipe/").content.decode()
    (article,) = [d for d in json_ld(html) if d["@type"] == "NewsArticle"]
    assert article["headline"] == "Une actualité de l’équipe" and article["datePublished"] == "2026-11-20"
    assert re.fullmatch(r"2026-11-26T\d\d:\d\d:\d\d\+01:00", article["dateModified"])
    assert article["mainEntityOfPage"] == f"{BASE}/actualites/actualite-equipe/"
    assert head(html).find("meta", property="og:type")["content"] == "article"
    (crumbs,) = [d for d in json_ld(html) if d["@type"] == "BreadcrumbList"]
    assert [(c["position"], c["name"], c["item"]) for c in crumbs["itemListElement"]] == [
        (1, "Accueil", f"{BASE}/"), (2, "Actualités", f"{BASE}/actualites/"),
        (3, "Une actualité de l’équipe", f"{BASE}/actualites/actualite-equipe/")]
    visible = BeautifulSoup(html, "html.parser").select("nav.breadcrumbs a")
    assert [a.get_text() for a in visible] == ["Accueil", "Actualités", "Une actualité de l’équipe"]

    html = client.get("/").content.decode()
    (organization,) = json_ld(html)
    assert organization["@type"] == "Organization" and organization["url"] == f"{BASE}/"
    assert organization["name"] == "Bibliothèque Numérique Métropolitaine" and organization["logo"].startswith(BASE + "/static/")
    assert organization["parentOrganization"]["name"] == "Métropole Européenne de Lille"


@pytest.mark.django_db
def test_home_page_announces_its_feeds(content, client):
    links = {link["type"]: link["href"] for link in head(client.get("/").content.decode()).find_all("link", rel="alternate")}
    assert links == {"application/rss+xml": f"{BASE}/actualites/rss/", "text/calendar": f"{BASE}/calendrier/bnm.ics"}
    assert client.get("/actualites/rss/")["Content-Type"].startswith("application/rss+xml")
    assert client.get("/calendrier/bnm.ics")["Content-Type"].startswith("text/calendar")


@pytest.mark.django_db
def test_json_ld_of_a_hostile_title_stays_in_its_script(content, client):
    title = '</script><script>alert("x")</script> & <b>'
    news = NewsPage(slug="hostile", title=title, date=dt.date(2026, 11, 25), intro="Résumé.")
    NewsIndexPage.objects.get().add_child(instance=news)
    news.save_revision().publish()
    html = client.get("/actualites/hostile/").content.decode()
    assert '<script>alert("x")' not in html
    (article,) = [d for d in json_ld(html) if d["@type"] == "NewsArticle"]
    assert article["headline"] == title


@pytest.mark.django_db
@override_settings(SITE_BASE_URL="https://bnm.example.org")
def test_robots_txt_lets_the_call_in_and_keeps_private_pages_out(content, client):
    response = client.get("/robots.txt", HTTP_HOST="autre-hote.example.net")
    robots = RobotFileParser()
    robots.parse(response.content.decode().splitlines())
    assert robots.can_fetch("*", "/candidater/")
    for path in ("/", "/la-bnm/", "/faq/", "/calendrier/", "/actualites/"):
        assert robots.can_fetch("*", path), path
    private = ["/admin/", "/recherche/?q=bnm", reverse("ami:start"), reverse("ami:resume"), reverse("ami:dossiers"),
               reverse("ami:access", kwargs={"token": "tok_" + "A" * 40}),
               reverse("ami:dossier", kwargs={"public_id": "AbCdEfGh1234"}),
               reverse("ami:receipt_pdf", kwargs={"public_id": "AbCdEfGh1234"})]
    for path in private:
        assert not robots.can_fetch("*", path), path
    assert "Sitemap: https://bnm.example.org/sitemap.xml" in response.content.decode()


@pytest.mark.django_db
@override_settings(SITE_BASE_URL="https://bnm.example.org")
def test_sitemap_lists_the_call_and_no_private_page(content, client):
    xml = client.get("/sitemap.xml", HTTP_HOST="autre-hote.example.net").content.decode()
    locs = re.findall(r"<loc>([^<]+)</loc>", xml)
    assert "https://bnm.example.org/candidater/" in locs
    assert all(loc.startswith("https://bnm.example.org/") for loc in locs), locs
    robots = RobotFileParser()
    robots.parse(client.get("/robots.txt").content.decode().splitlines())
    assert [loc for loc in locs if not robots.can_fetch("*", loc)] == []  # nothing robots.txt keeps out
    assert not [loc for loc in locs if re.search(r"/(admin|recherche)/|/candidater/(dossier|acces|commencer|reprendre)/", loc)]


@pytest.mark.django_db
def test_private_pages_say_noindex(content, client):
    campaign = make_campaign()
    dossier = make_dossier(campaign)
    token = issue_token(dossier)
    open_dossier_in_session(client, dossier)
    for path in (reverse("ami:start"), reverse("ami:resume"), dossier_path("ami:dossier", dossier),
                 reverse("ami:access", kwargs={"token": token}), reverse("ami:access", kwargs={"token": "inconnu"})):
        response = client.get(path)
        assert response["X-Robots-Tag"] == "noindex, nofollow", path
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            soup = head(response.content.decode())
            assert soup.find("meta", attrs={"name": "robots"})["content"] == "noindex, nofollow", path
            assert not soup.find("link", rel="canonical") and not soup.find("meta", property="og:url"), path
            assert len(soup.find_all("meta", attrs={"name": "description"})) == 1
    missing = client.get("/cette-page-n-existe-pas/")
    assert missing.status_code == 404
    assert head(missing.content.decode()).find("meta", attrs={"name": "robots"})["content"] == "noindex, nofollow"
    assert "X-Robots-Tag" not in client.get("/candidater/")


def gunzipped(response) -> str:
    assert response["Content-Encoding"] == "gzip"
    return gzip.decompress(response.content).decode()


@pytest.mark.django_db
def test_public_pages_are_compressed_and_pages_with_secrets_are_not(content, client):
    for path in ("/", "/faq/", "/candidater/", "/sitemap.xml"):
        response = client.get(path, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        assert "Accept-Encoding" in response["Vary"], path
        assert len(response.content) < len(gunzipped(response).encode()) / 2, path
    assert "<h1" in gunzipped(client.get("/", HTTP_ACCEPT_ENCODING="gzip"))
    assert "Content-Encoding" not in client.get("/")  # the browser did not ask for it

    dossier = make_dossier(make_campaign())
    open_dossier_in_session(client, dossier)
    for path in (dossier_path("ami:dossier", dossier), reverse("ami:dossiers"), reverse("ami:start"),
                 reverse("ami:access", kwargs={"token": issue_token(dossier)})):
        response = client.get(path, HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code in (200, 302), path
        assert "Content-Encoding" not in response, path
    page = client.get(dossier_path("ami:dossier", dossier), HTTP_ACCEPT_ENCODING="gzip")
    assert "Roubaix" in page.content.decode()  # the dossier, in clear

    editor = get_user_model().objects.create_superuser("redac", "redac@example.org", "motdepasse-solide-42")
    client.force_login(editor)
    assert "Content-Encoding" not in client.get("/", HTTP_ACCEPT_ENCODING="gzip")  # a logged-in editor's page
    assert "Content-Encoding" not in client.get("/admin/", HTTP_ACCEPT_ENCODING="gzip")


def test_a_response_with_a_csrf_token_or_a_cookie_carries_a_secret():
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert not carries_secret(request, HttpResponse("x"))
    get_token(request)  # a template rendered {% csrf_token %}
    assert carries_secret(request, HttpResponse("x"))
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    response = HttpResponse("x")
    response.set_cookie("messages", "…")
    assert carries_secret(request, response)


@pytest.mark.django_db
def test_search_results_say_their_type_and_faq_hits_link_to_the_question(editors_items, client):
    faq_ids = {tag["id"] for tag in BeautifulSoup(client.get("/faq/").content.decode(), "html.parser").find_all(id=True)}
    soup = BeautifulSoup(client.get("/recherche/", {"q": "délibération"}).content.decode(), "html.parser")
    results = soup.select(".search-results > li")
    faq = [r for r in results if r.select_one(".search-result__type").get_text(strip=True).startswith("Question fréquente")]
    assert faq, [r.get_text(" ", strip=True) for r in results]
    links = [a["href"] for r in faq for a in r.find_all("a")]
    assert links and all(re.fullmatch(r"/faq/#[a-z0-9-]+", href) for href in links), links
    assert all(href.split("#")[1] in faq_ids for href in links)
    assert "délibération" in faq[0].select_one(".search-result__link").get_text().lower()

    types = {}
    for query in ("actualité équipe", "Réunion d’information", "Modalités de pilotage"):
        soup = BeautifulSoup(client.get("/recherche/", {"q": query}).content.decode(), "html.parser")
        for result in soup.select(".search-results > li"):
            types[result.select_one(".search-result__link")["href"]] = result.select_one(".search-result__type").get_text(strip=True)
    assert types["/actualites/actualite-equipe/"].startswith("Actualité")
    assert types["/calendrier/reunion-2027/"].startswith("Événement")
    assert types["/la-bnm/"].startswith("Page")
