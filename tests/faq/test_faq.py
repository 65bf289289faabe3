"""FAQ: grouped disclosures with anchors and schema.org FAQPage JSON-LD."""
import json
import re

import pytest

from faq.models import FaqPage
from tests.text import visible_text


def json_ld(html):
    """The page's one FAQPage block (its BreadcrumbList is tested in tests/home/test_seo.py)."""
    blocks = [json.loads(b) for b in re.findall(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)]
    faq = [block for block in blocks if block["@type"] == "FAQPage"]
    assert len(faq) == 1
    return faq[0]


@pytest.mark.django_db
def test_faq_page_lists_every_question_in_json_ld(content, client, django_assert_max_num_queries, settings):
    settings.PAGE_CACHE_SECONDS = 0  # the page's own rendering, as on a page-cache miss
    client.get("/faq/")
    with django_assert_max_num_queries(10):
        response = client.get("/faq/")
    assert response.status_code == 200
    html = response.content.decode()
    data = json_ld(html)
    assert data["@context"] == "https://schema.org" and data["@type"] == "FAQPage"
    names = [q["name"] for q in data["mainEntity"]]
    summaries = re.findall(r'<details class="faq-item" id="([a-z0-9-]+)">\s*<summary><span class="faq-item__question">(.*?)</span></summary>', html)
    assert len(summaries) >= 12
    assert names == [visible_text(question) for _, question in summaries]
    assert len({anchor for anchor, _ in summaries}) == len(summaries)  # unique anchors
    for entity in data["mainEntity"]:
        assert entity["@type"] == "Question"
        assert entity["acceptedAnswer"]["@type"] == "Answer"
        assert entity["acceptedAnswer"]["text"] and "<" not in entity["acceptedAnswer"]["text"]
        assert re.match(r"^https?://[^/]+/faq/#[a-z0-9-]+$", entity["url"])


@pytest.mark.django_db
def test_faq_answers_cover_the_seed_facts(content, client):
    text = " ".join(q["acceptedAnswer"]["text"] for q in json_ld(client.get("/faq/").content.decode())["mainEntity"])
    for fact in ["régie directe", "un seul dossier est à déposer pour le réseau", "délégation de signature",
                 "une délibération est nécessaire", "jusqu’en 2025", "PMB, Nanook et Orphée", "double SSO",
                 "recherche fédérée", "4 heures par mois et par groupe", "un agent pour huit agents et bénévoles",
                 "après 2025", "En 2022, la MEL prévoyait", "bnm@lillemetropole.fr", "tête de réseau"]:
        assert fact in text, fact


@pytest.mark.django_db
def test_faq_themes_and_anchors(content, client):
    html = client.get("/faq/").content.decode()
    for anchor in ["candidater", "financement", "equipes", "pilotage-et-suite"]:
        assert f'href="#{anchor}"' in html and f'id="{anchor}"' in html
    assert '<details class="faq-item" id="apres-2025">' in html
    assert 'href="#apres-2025"' in html


@pytest.mark.django_db
def test_json_ld_cannot_break_out_of_its_script(content, client):
    faq = FaqPage.objects.get()
    body = faq.body.raw_data
    body[0]["value"]["questions"][0]["value"]["question"] = "Et </script><script>alert(1)</script> ?"
    faq.body = body
    faq.save_revision().publish()
    html = client.get("/faq/").content.decode()
    data = json_ld(html)
    assert data["mainEntity"][0]["name"] == "Et </script><script>alert(1)</script> ?"
    assert "<script>alert(1)" not in html
