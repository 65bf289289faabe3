"""Every public page renders for an anonymous visitor, in French, within the query budget."""
import datetime as dt
import re

import pytest
from django.conf import settings
from django.test import RequestFactory

from ami.models import Campaign
from home.models import BnmSettings, HomePage, NewsIndexPage, NewsPage
from home.views import server_error
from tests.text import visible_text

from .conftest import TODAY, add_event, open_call

PUBLIC_PAGES = [
    ("/", "Bibliothèque Numérique Métropolitaine"),  # HomePage
    ("/la-bnm/", "Modalités de pilotage"),  # PresentationPage
    ("/faq/", "Questions fréquentes"),  # FaqPage
    ("/calendrier/", "Prévu au 2e semestre 2023"),  # CalendarPage
    ("/calendrier/connecteurs-2023/", "Prévu au 2e semestre 2023"),  # EventPage
    ("/calendrier/reunion-2027/", "14 janvier 2027, 14 h – 16 h 30"),  # EventPage with an hour (an editor's)
    ("/actualites/", "Une actualité de l’équipe"),  # NewsIndexPage
    ("/actualites/actualite-equipe/", "Texte de l’actualité."),  # NewsPage
    ("/mentions-legales/", "Métropole Européenne de Lille"),  # StandardPage
    ("/donnees-personnelles/", "Responsable du traitement"),
    ("/accessibilite/", "non conforme"),
    ("/contact/", "bnm@lillemetropole.fr"),
    ("/recherche/?q=logiciel", "résultat"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("url,text", PUBLIC_PAGES)
def test_public_page_renders_for_anonymous_visitor(editors_items, client, url, text, django_assert_max_num_queries, settings):
    settings.PAGE_CACHE_SECONDS = 0  # the page's own rendering, as on a page-cache miss (tests/core/test_pagecache.py)
    client.get(url)  # warm the site's derived data (tests/core/test_public_queries.py), like any running server
    with django_assert_max_num_queries(5):
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert text in visible_text(html)
    assert '<html lang="fr">' in html
    assert html.count("<h1") == 1
    assert 'href="#contenu"' in html and 'id="contenu"' in html
    assert "<header" in html and "<main" in html and "<footer" in html


@pytest.mark.django_db
def test_header_and_footer_navigation(content, client):
    html = client.get("/").content.decode()
    nav = html.split('aria-label="Menu principal"')[1].split("</nav>")[0]
    for label, url in [("BNM 2022-2025", "/la-bnm/"), ("Calendrier", "/calendrier/"), ("Actualités", "/actualites/"),
                       ("Questions fréquentes", "/faq/"), ("Contact", "/contact/")]:
        assert f'href="{url}"' in nav and label in nav
    footer = html.split("<footer")[1]
    for label, url in [("Mentions légales", "/mentions-legales/"), ("Données personnelles", "/donnees-personnelles/"),
                       ("Accessibilité : non conforme", "/accessibilite/"), ("Contact", "/contact/")]:
        assert f'<a href="{url}">{label}</a>' in footer
    assert 'href="https://asuivre.lillemetropole.fr/"' in html


@pytest.mark.django_db
def test_portal_url_comes_from_site_settings(content, client):
    from wagtail.models import Site

    settings_obj = BnmSettings.for_site(Site.objects.get(is_default_site=True))
    settings_obj.portal_url = "https://portail.example.org/"
    settings_obj.save()
    html = client.get("/").content.decode()
    assert 'href="https://portail.example.org/"' in html
    assert "asuivre.lillemetropole.fr/\"" not in html


@pytest.mark.django_db
def test_home_page_tools_news_events_and_open_call(content, client):
    open_call()
    for day, title in ((20, "Trois outils pour les bibliothèques"), (25, "Les candidatures se font en ligne")):
        news = NewsPage(slug=f"actualite-{day}", title=title, date=dt.date(2026, 11, day), intro="Résumé.")
        NewsIndexPage.objects.get().add_child(instance=news)
        news.save_revision().publish()
    add_event("date-limite-2027", "Date limite de dépôt des candidatures à l’AMI", dt.date(2027, 3, 31), category="ami")
    html = client.get("/").content.decode()
    # The three tools link to their sections of the presentation page.
    for anchor in ["logiciel-de-gestion", "ressources-en-ligne", "mediation-numerique"]:
        assert f'href="/la-bnm/#{anchor}"' in html
    presentation = client.get("/la-bnm/").content.decode()
    for anchor in ["logiciel-de-gestion", "ressources-en-ligne", "mediation-numerique", "conditions-acces", "pilotage", "apres-2025"]:
        assert f'id="{anchor}"' in presentation
    # The open AMI, with its deadline in Paris time and the days left.
    assert "jusqu’au <strong>31 mars 2027 à 23 h 59, heure de Paris</strong>" in html
    assert "encore 125 jours" in html
    assert 'href="/candidater/commencer/">Commencer</a>' in html
    assert 'href="/candidater/reprendre/">Reprendre ma candidature</a>' in html
    # Latest news first; the next event (the AMI deadline) is listed.
    assert html.index("Les candidatures se font en ligne") < html.index("Trois outils pour les bibliothèques")
    assert "Date limite de dépôt des candidatures à l’AMI" in html
    assert "Développement des connecteurs" not in html  # past milestones are not « prochains »


@pytest.mark.django_db
def test_call_to_action_states(content, client, frozen_today):
    html = client.get("/").content.decode()  # the seed: the 2022 call, closed, dated as the source dates it
    assert "Appel clos" in html and "Dossier de candidature daté de juin 2022" in html and "clos depuis" not in html
    Campaign.objects.all().delete()
    campaign = open_call()
    campaign.opens_at = TODAY.replace(year=2027)  # not yet open
    campaign.closes_at = campaign.opens_at.replace(month=12)
    campaign.save()
    html = client.get("/").content.decode()
    assert "Bientôt ouvert" in html
    assert "ouvre le <strong>26 novembre 2027 à 10 h, heure de Paris</strong>" in html
    assert "/candidater/commencer/" not in html

    campaign.opens_at = campaign.opens_at.replace(year=2020)
    campaign.closes_at = campaign.closes_at.replace(year=2020)
    campaign.save()
    html = client.get("/").content.decode()
    assert "Appel clos" in html
    assert "clos depuis le <strong>26 décembre 2020 à 10 h, heure de Paris</strong>" in html
    assert "/candidater/commencer/" not in html

    Campaign.objects.all().delete()
    html = client.get("/").content.decode()
    assert "Aucun appel à manifestation d’intérêt n’est ouvert pour le moment" in html


@pytest.mark.django_db
def test_not_found_page_is_in_french(content, client):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page introuvable" in html and '<html lang="fr">' in html


def test_server_error_page_is_in_french():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Une erreur est survenue" in response.content.decode()
    assert "bnm@lillemetropole.fr" in response.content.decode()


@pytest.mark.django_db
def test_search_finds_seed_pages(content, client):
    html = client.get("/recherche/", {"q": "Nanook"}).content.decode()
    assert 'href="/faq/"' in html
    assert "Aucun résultat" not in html
    html = client.get("/recherche/", {"q": "zzzintrouvable"}).content.decode()
    assert "Aucun résultat pour « zzzintrouvable »" in html
    response = client.get("/recherche/")
    assert response.status_code == 200 and 'name="q"' in response.content.decode()
    # A NUL byte (PostgreSQL text cannot hold one) and odd page numbers: answered, never a 500.
    assert 'href="/faq/"' in client.get("/recherche/", {"q": "Nanook\x00"}).content.decode()
    for page in ("²", "9" * 40, "-1", "0"):
        assert 'href="/faq/"' in client.get("/recherche/", {"q": "Nanook", "page": page}).content.decode()


@pytest.mark.django_db
def test_sitemap_lists_pages(content, client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    xml = response.content.decode()
    locs = re.findall(r"<loc>([^<]+)</loc>", xml)
    for path in ["/", "/la-bnm/", "/faq/", "/calendrier/", "/actualites/", "/contact/", "/calendrier/connecteurs-2023/"]:
        assert f"{settings.SITE_BASE_URL}{path}" in locs, path
    assert all(loc.startswith(settings.SITE_BASE_URL + "/") for loc in locs)


@pytest.mark.django_db
def test_sitemap_dates_each_page_by_its_last_publication_and_leaves_drafts_out(content, client):
    """The sitemap is read from the site's tree: a page published on a day carries that day,
    a draft never published is not listed, an unpublished page leaves it."""
    import time_machine

    index = NewsIndexPage.objects.get()
    with time_machine.travel(dt.datetime(2027, 2, 3, 10, tzinfo=dt.UTC), tick=False):
        news = NewsPage(slug="publiee", title="Publiée", date=dt.date(2027, 2, 3), intro="Résumé.")
        index.add_child(instance=news)
        news.save_revision().publish()
        draft = NewsPage(slug="brouillon", title="Brouillon", date=dt.date(2027, 2, 3), intro="Résumé.", live=False)
        index.add_child(instance=draft)
        draft.save_revision()
    xml = client.get("/sitemap.xml").content.decode()
    base = settings.SITE_BASE_URL
    assert f"<url><loc>{base}/actualites/publiee/</loc><lastmod>2027-02-03</lastmod></url>" in xml
    assert f"{base}/actualites/brouillon/" not in xml
    NewsPage.objects.get(pk=news.pk).unpublish()
    assert f"{base}/actualites/publiee/" not in client.get("/sitemap.xml").content.decode()


@pytest.mark.django_db
def test_robots_txt(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Disallow: /admin/" in body
    assert f"Sitemap: {settings.SITE_BASE_URL}/sitemap.xml" in body  # not the request's host


@pytest.mark.django_db
def test_site_root_is_the_home_page(content):
    from wagtail.models import Site

    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)
