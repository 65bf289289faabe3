"""One public address: every absolute URL of sitemap, feeds, JSON-LD, robots.txt and e-mails
starts with SITE_BASE_URL, whatever Host the request came with."""
import datetime as dt
import json
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from wagtail.models import Site

from ami.services.notifications import (
    queue_invitation_email,
    queue_resume_link_email,
    queue_submission_emails,
)
from home.models import NewsIndexPage, NewsPage
from tests.integration_fixtures import make_complete_dossier, submit_dossier_version

from .conftest import add_event, open_call

BASE = "https://bnm.example.org"
URL = re.compile(r"""https?://[^\s"'<>)\]]+""")
# Addresses that are not the site's: XML namespaces, schema.org, the MEL's own sites and the portal.
FOREIGN = ("http://www.w3.org/", "http://www.sitemaps.org/", "https://schema.org", "http://www.google.com/schemas/",
           "https://asuivre.lillemetropole.fr/", "https://www.lillemetropole.fr/", "https://www.defenseurdesdroits.fr/")


def own_urls(text: str) -> list[str]:
    return [url for url in URL.findall(text) if not url.startswith(FOREIGN)]


@pytest.mark.django_db
@override_settings(SITE_BASE_URL=BASE, ALLOWED_HOSTS=["*"])
def test_every_absolute_url_starts_with_site_base_url(frozen_today, client, django_capture_on_commit_callbacks):
    call_command("load_bnm_content", stdout=open("/dev/null", "w"))
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port, site.root_url) == ("bnm.example.org", 443, BASE)
    add_event("reunion-2027", "Réunion d’information", dt.date(2027, 1, 14))
    news = NewsPage(slug="actualite", title="Une actualité", intro="Résumé.")
    NewsIndexPage.objects.get().add_child(instance=news)
    news.save_revision().publish()

    found = {}
    for url in ("/sitemap.xml", "/actualites/rss/", "/calendrier/bnm.ics", "/calendrier/reunion-2027.ics", "/robots.txt",
                "/integration/bnm.json", "/integration/"):
        response = client.get(url, HTTP_HOST="autre-hote.example.net")
        assert response.status_code == 200, url
        found[url] = own_urls(response.content.decode())
    faq = client.get("/faq/", HTTP_HOST="autre-hote.example.net").content.decode()
    ld = json.loads(re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', faq, re.S).group(1))
    found["JSON-LD"] = own_urls(json.dumps(ld))

    campaign = open_call()
    dossier = make_complete_dossier(campaign=campaign)
    with django_capture_on_commit_callbacks(execute=True):
        queue_resume_link_email(dossier, "tok_" + "B" * 40)
        queue_submission_emails(dossier, submit_dossier_version(dossier))
        queue_invitation_email(campaign, dossier.commune, "mairie@example.org", campaign.opens_at)
    assert len(mail.outbox) >= 3
    for message in mail.outbox:
        bodies = [message.body] + [content for content, _ in getattr(message, "alternatives", [])]
        found[f"e-mail « {message.subject} »"] = [url for body in bodies for url in own_urls(body)]

    assert all(found.values()), {name: urls for name, urls in found.items() if not urls}
    wrong = {name: [u for u in urls if not u.startswith(BASE + "/")] for name, urls in found.items()}
    assert not any(wrong.values()), wrong
    assert f"{BASE}/calendrier/reunion-2027/" in found["/calendrier/reunion-2027.ics"][0].replace("\r\n ", "")
    assert f"Sitemap: {BASE}/sitemap.xml" in client.get("/robots.txt").content.decode()
