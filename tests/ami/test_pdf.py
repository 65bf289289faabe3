"""The dossier PDF: every part, every library, the receipt; rendered from the submitted snapshot."""
import json

import pytest

from ami.models import DossierVersion, Library
from ami.pdf import get_or_create_version_pdf, render_dossier_pdf
from ami.services.snapshot import dossier_snapshot
from tests.integration_fixtures import make_complete_dossier, submit_dossier_version
from tests.text import pdf_text

pytestmark = pytest.mark.django_db


def test_snapshot_is_json_serialisable_and_complete(complete_dossier):
    data = dossier_snapshot(complete_dossier)
    assert json.loads(json.dumps(data)) == data
    assert [c["name"] for c in data["communes"]] == ["Roubaix", "Wattrelos"]
    assert len(data["libraries"]) == 2
    assert data["libraries"][0]["name"] == "Médiathèque La Grand-Plage"
    assert data["libraries"][1]["budget_acquisitions"] == "1234.50"
    assert {s["agent_names"] for s in data["working_groups"]} == {"Lucas Martin", "Inès Petit, Paul Leroy"}
    assert data["labels"]["engagement_choices"]["n+1"] == "Envisagé en 2024"


def test_submitted_version_pdf_shows_receipt_communes_libraries_and_answers(complete_dossier):
    version = submit_dossier_version(complete_dossier, receipt_number="BNM-2022-0042")
    content = render_dossier_pdf(complete_dossier, version)
    assert content.startswith(b"%PDF-")
    text = pdf_text(content)
    for expected in [
        "Candidature à la Bibliothèque Numérique Métropolitaine",
        "BNM-2022-0042",
        "Roubaix, Wattrelos",
        "Présentation de la commune candidate",
        "Volet 1",
        "Volet 2",
        "Fiche d’engagement",
        "Médiathèque La Grand-Plage",
        "Bibliothèque Jean-Lévy",
        "Claire",  # elected referent
        "lucas.martin@example.org",
        "DEL-2022-117",
        "Notre projet : ouvrir la médiathèque au numérique",
        "Envisagé en 2024",  # engagement_portal_link = n+1, with the campaign's year
        "Envisagé en 2025",
        "PMB",
        "Proposer un meilleur service de lecture publique à la population",
        "Inès Petit, Paul Leroy",
        "Groupe logiciel métier",
        "1 234,50 €",
        "Cafeyn, Tout apprendre",
        "Fait à",
    ]:
        assert expected in text, expected
    # Each library has its own section with the full question list.
    assert text.count("Nombre d'agents de catégorie A") == 2
    assert text.count("Présentation de la bibliothèque municipale") == 2


def test_version_pdf_shows_what_was_submitted_then(complete_dossier):
    version = submit_dossier_version(complete_dossier, receipt_number="BNM-2022-0007")
    library = complete_dossier.libraries.get(name="Bibliothèque Jean-Lévy")
    library.name = "Nom modifié après le dépôt"
    library.save()
    text = pdf_text(render_dossier_pdf(complete_dossier, version))
    assert "Bibliothèque Jean-Lévy" in text
    assert "Nom modifié après le dépôt" not in text
    # The current draft shows the new name.
    complete_dossier.status = complete_dossier.Status.DRAFT
    draft_text = pdf_text(render_dossier_pdf(complete_dossier))
    assert "Nom modifié après le dépôt" in draft_text
    assert "Brouillon" in draft_text


def test_empty_draft_renders_with_dashes():
    dossier = make_complete_dossier(communes=("Lille",), libraries=0)
    Library.objects.create(dossier=dossier)
    text = pdf_text(render_dossier_pdf(dossier))
    assert "Lille" in text
    assert "Bibliothèque n° 1" in text
    assert "—" in text


def test_version_pdf_is_stored_once_in_private_storage(complete_dossier):
    version = submit_dossier_version(complete_dossier)
    first = get_or_create_version_pdf(version)
    version.refresh_from_db()
    assert version.pdf.name.startswith("receipts/")
    stored_name = version.pdf.name
    again = get_or_create_version_pdf(DossierVersion.objects.get(pk=version.pk))
    assert again == first
    assert DossierVersion.objects.get(pk=version.pk).pdf.name == stored_name
