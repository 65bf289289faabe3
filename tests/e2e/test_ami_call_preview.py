"""/candidater/ tells a referent, before starting, what the dossier asks (its parts, the documents
to prepare) and hands out the blank questionnaire to print and prepare offline (issue 8, part 8)."""
import pytest
from playwright.sync_api import expect

from ami import questionnaire

from .ami_helpers import axe, normalise_spaces, only_campaign, pdf_text

pytestmark = pytest.mark.e2e


def test_call_page_previews_the_dossier_and_hands_out_the_blank_questionnaire(page):
    campaign = only_campaign(statistics_year=2025)
    page.goto("/candidater/")
    preview = page.locator(".dossier-preview")
    expect(preview.get_by_role("heading", name="Ce que le dossier demande", level=2)).to_be_visible()
    parts = preview.locator(".dossier-preview__parts > li")
    expect(parts).to_have_count(len(questionnaire.PAPER_PARTS))
    for index, (title, _slugs) in enumerate(questionnaire.PAPER_PARTS):
        expect(parts.nth(index)).to_contain_text(title)
    expect(parts.nth(1)).to_contain_text("pour chaque bibliothèque")
    documents = preview.locator(".dossier-preview__documents > li")
    expect(documents).to_have_count(3)
    expect(documents.nth(0)).to_contain_text("Les chiffres de 2025")
    expect(documents.nth(2)).to_contain_text("tête de réseau")
    axe(page, "/candidater/ with the dossier's preview")
    page.set_viewport_size({"width": 375, "height": 812})
    axe(page, "/candidater/ with the dossier's preview at 375 px")

    # The first download renders the PDF (seconds on a busy machine); later ones come from the cache.
    with page.expect_download(timeout=120_000) as download_info:
        preview.get_by_role("link", name="Télécharger le questionnaire vierge (PDF)").click(timeout=120_000)
    download = download_info.value
    assert download.suggested_filename.endswith("-vierge.pdf")
    content = open(download.path(), "rb").read()
    assert content.startswith(b"%PDF-")
    text = normalise_spaces(pdf_text(content))
    assert "Questionnaire vierge" in text and campaign.title in text
    for q in questionnaire.library_questions():
        assert " ".join(str(q.label).split()).lower() in text.lower(), q.name
