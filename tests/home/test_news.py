"""News list, RSS, and an editor publishing a news item through the Wagtail admin."""
import datetime as dt
import re

import feedparser
import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.urls import reverse
from wagtail.test.utils.form_data import nested_form_data, rich_text

from ami.backoffice.groups import EDITORS_GROUP
from home.models import NewsIndexPage, NewsPage


def add_news(index, title, date, slug=None):
    page = NewsPage(title=title, slug=slug or f"news-{date:%Y%m%d}-{abs(hash(title)) % 10000}", date=date, intro=f"Résumé : {title}")
    index.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.mark.django_db
def test_rss_feed_parses_and_shows_a_newly_published_item(content, client):
    index = NewsIndexPage.objects.get()
    assert NewsPage.objects.count() == 0  # the source dates no news: the editors write them
    add_news(index, "Une actualité plus ancienne", dt.date(2026, 10, 2))
    add_news(index, "Nouvelle actualité de test", dt.date(2026, 11, 25))
    response = client.get("/actualites/rss/")
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo
    assert feed.feed.language == "fr"
    titles = [entry.title for entry in feed.entries]
    assert titles[0] == "Nouvelle actualité de test"
    assert titles == ["Nouvelle actualité de test", "Une actualité plus ancienne"]
    slug = NewsPage.objects.get(title="Nouvelle actualité de test").slug
    assert feed.entries[0].link == f"{settings.SITE_BASE_URL}/actualites/{slug}/"
    assert feed.feed.link == f"{settings.SITE_BASE_URL}/actualites/"
    xml = response.content.decode()
    links = re.findall(r"<link>([^<]*)</link>", xml) + re.findall(r'<atom:link href="([^"]*)"', xml)
    assert len(links) == 4 and all(link.startswith(settings.SITE_BASE_URL + "/") for link in links), links
    html = client.get("/actualites/").content.decode()
    assert 'type="application/rss+xml"' in html and 'href="/actualites/rss/"' in html


@pytest.mark.django_db
def test_news_list_is_paginated(content, client):
    index = NewsIndexPage.objects.get()
    assert "Aucune actualité pour le moment." in client.get("/actualites/").content.decode()
    add_news(index, "La plus ancienne actualité", dt.date(2026, 9, 1))
    for day in range(1, 13):
        add_news(index, f"Actualité numéro {day}", dt.date(2026, 10, day))
    first = client.get("/actualites/").content.decode()
    assert "Actualité numéro 12" in first and "Actualité numéro 1<" not in first
    assert 'href="?page=2"' in first
    second = client.get("/actualites/", {"page": 2}).content.decode()
    assert "La plus ancienne actualité" in second
    assert client.get("/actualites/", {"page": 99}).status_code == 404
    for odd in ("²", "١", "-1", "9" * 40, "NaN", ""):  # not a page number written in ASCII digits: the first page
        response = client.get("/actualites/", {"page": odd})
        assert response.status_code == 200 and "Actualité numéro 12" in response.content.decode()
    assert "Actualité numéro 12" in client.get("/actualites/?page=2&page=%C2%B2").content.decode()  # the last one


@pytest.mark.django_db
def test_editor_publishes_news_in_admin_and_it_appears_on_home_and_rss(content, client):
    editor = User.objects.create_user("redactrice", "redactrice@example.org", "motdepasse-solide", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS_GROUP))  # the project's « Éditeurs »: add, edit, publish
    client.force_login(editor)
    index = NewsIndexPage.objects.get()
    add_url = reverse("wagtailadmin_pages:add", args=("home", "newspage", index.pk))
    form = client.get(add_url)
    assert form.status_code == 200
    assert "Ajouter" in form.content.decode() or "Créer" in form.content.decode()  # admin in French
    response = client.post(add_url, nested_form_data({
        "title": "Réunion d’information pour les communes",
        "slug": "reunion-information",
        "date": "2026-11-26",
        "intro": "La MEL présente l’appel à manifestation d’intérêt aux communes.",
        "body": rich_text("<p>Inscription auprès de bnm@lillemetropole.fr.</p>"),
        "action-publish": "publish",
    }))
    assert response.status_code == 302, response.content.decode()[:2000]
    page = NewsPage.objects.get(slug="reunion-information")
    assert page.live and page.owner == editor

    client.logout()
    home = client.get("/").content.decode()
    assert "Réunion d’information pour les communes" in home
    feed = feedparser.parse(client.get("/actualites/rss/").content)
    assert feed.entries[0].title == "Réunion d’information pour les communes"
    assert "Inscription auprès de bnm@lillemetropole.fr." in client.get("/actualites/reunion-information/").content.decode()
