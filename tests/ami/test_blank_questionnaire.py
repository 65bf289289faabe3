"""/candidater/ previews what the dossier asks (its parts, the documents to prepare) and offers the
blank questionnaire as a PDF to prepare the answers offline: every question in its paper wording,
rendered once per campaign and questionnaire version (issue 8, part 8)."""
import re
from unittest import mock

import pytest
from django.core.cache import cache
from django.urls import reverse

from ami import pdf, questionnaire
from ami.models import Campaign, WorkingGroup
from tests.text import pdf_text

from .factories import make_campaign

pytestmark = pytest.mark.django_db

BLANK_URL = reverse("ami:blank_questionnaire")
CALL_URL = reverse("ami:home")


def page_text(response) -> str:
    import html

    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).replace("\u202f", " ").split())


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def printed_wording(q: questionnaire.Question) -> list[str]:
    """What the paper prints for `q`: its wording (the working groups: each group's name)."""
    if q.kind == "signup":
        return list(WorkingGroup.objects.filter(is_active=True).values_list("name", flat=True))
    return [q.own_label or str(q.model_field.verbose_name)]


def test_the_call_page_previews_the_parts_and_the_documents_to_prepare(client, django_assert_max_num_queries):
    campaign = make_campaign(statistics_year=2025)
    client.get(CALL_URL)  # warm the site chrome (menus, settings)
    with django_assert_max_num_queries(8):
        response = client.get(CALL_URL)
    text = page_text(response)
    assert "Ce que le dossier demande" in text and "Documents à préparer" in text
    for title, slugs in questionnaire.PAPER_PARTS:
        assert title in text
        for slug in slugs:
            for section in questionnaire.step(slug).sections:
                assert section.title in text
    volet_1 = len(questionnaire.step("bibliotheques").questions)
    assert f"({volet_1} questions, pour chaque bibliothèque)" in text
    assert "Les chiffres de 2025" in text
    assert "sinon une délibération sera nécessaire" in text
    assert "tête de réseau" in text and "10 Mo au plus" in text
    assert f'href="{BLANK_URL}"' in response.content.decode()
    assert campaign.title in text


def test_the_blank_questionnaire_prints_every_question_in_its_paper_wording(client):
    campaign = make_campaign(statistics_year=2025)
    response = client.get(BLANK_URL)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; filename=\"questionnaire-bnm-")
    assert "no-store" not in response["Cache-Control"] and "public" in response["Cache-Control"]
    content = response.content
    assert content.startswith(b"%PDF-")
    text = pdf_text(content)
    missing = [wording for q in questionnaire.QUESTIONNAIRE for section in q.sections for question in section.questions
               for wording in printed_wording(question) if " ".join(wording.split()) not in text]
    assert not missing, f"not printed: {missing}"
    # The boxes a hand ticks, in the campaign's years; the notes of the paper dossier.
    year = campaign.first_engagement_year
    assert f"OUI NON Envisagé en {year + 1} Envisagé en {year + 2}" in text
    assert "+++ ++ +" in text
    assert "cochez-en exactement trois" in text and "délégation de signature" in text
    assert "tête de réseau" in text and "un volet par bibliothèque" in text
    assert "Questionnaire vierge" in text and campaign.title in text
    assert "Autres réponses" not in text and "Brouillon" not in text and "Récépissé" not in text


def test_the_blank_questionnaire_is_rendered_once_per_campaign_and_version(client, django_assert_max_num_queries):
    campaign = make_campaign()
    with mock.patch.object(pdf, "render_snapshot_pdf", wraps=pdf.render_snapshot_pdf) as render:
        first = client.get(BLANK_URL)
        with django_assert_max_num_queries(3):  # the campaign, the working groups; the PDF from the cache
            second = client.get(BLANK_URL)
        assert render.call_count == 1
        assert second.content == first.content
        # A browser that has it asks again: not modified.
        again = client.get(BLANK_URL, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304 and again.content == b""
        # The campaign changes its years: a new questionnaire, in the new years.
        Campaign.objects.filter(pk=campaign.pk).update(first_engagement_year=campaign.first_engagement_year + 1)
        third = client.get(BLANK_URL)
        assert render.call_count == 2 and third["ETag"] != first["ETag"]
    assert f"Envisagé en {campaign.first_engagement_year + 3}" in pdf_text(third.content)


def test_no_campaign_no_questionnaire(client):
    Campaign.objects.all().delete()
    assert client.get(BLANK_URL).status_code == 404
    assert "Ce que le dossier demande" not in page_text(client.get(CALL_URL))
