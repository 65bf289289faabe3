"""Exports of the dossier list (AMI › Dossiers › « Exporter (XLSX) » / « Exporter (CSV) »)."""
import csv
import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from openpyxl import load_workbook

from ami.constants import OBJECTIVES
from ami.models import Dossier, Library
from ami.questionnaire import library_sections
from tests.integration_fixtures import make_complete_dossier, submit_dossier_version

from .export_data import make_export_dossiers

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
INDEX = "ami_dossier_modeladmin_index"


def verbose(model, name):
    text = str(model._meta.get_field(name).verbose_name)
    return text[0].upper() + text[1:]


@pytest.fixture
def submitted():
    dossier = make_complete_dossier(libraries=3)
    submit_dossier_version(
        dossier, receipt_number="BNM-2022-0042", submitted_at=dt.datetime(2022, 9, 30, 21, 15, tzinfo=dt.UTC)
    )
    library = dossier.libraries.get(sort_order=1)
    library.staff_fte = Decimal("3.5")
    library.budget_acquisitions = Decimal("15230.75")
    library.save()
    return dossier


def export(client, fmt="xlsx", **params):
    response = client.get(reverse(INDEX), {**params, "export": fmt})
    assert response.status_code == 200, response.status_code
    return response


def rows_by_header(ws):
    rows = list(ws.iter_rows(values_only=True))
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_list_shows_export_buttons_with_current_filters(staff_client, submitted):
    response = staff_client.get(reverse(INDEX), {"status": "submitted"})
    html = response.content.decode()
    assert "Exporter (XLSX)" in html and "Exporter (CSV)" in html
    assert "status=submitted&amp;export=xlsx" in html
    assert "status=submitted&amp;export=csv" in html


def test_xlsx_cell_by_cell(staff_client, submitted):
    response = export(staff_client)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment;" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["Dossiers", "Bibliothèques", "Objectifs", "Engagements", "Groupes de travail"]

    # Dossiers: one row, headers in the paper's wording, typed values.
    ws = wb["Dossiers"]
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["A"].width > 0
    headers, rows = rows_by_header(ws)
    assert len(rows) == 1
    row = rows[0]
    assert row[verbose(Dossier, "receipt_number")] == "BNM-2022-0042"
    assert row[verbose(Dossier, "commune")] == "Roubaix"
    assert row[verbose(Dossier, "communes")] == "Roubaix, Wattrelos"
    assert row[verbose(Dossier, "head_commune")] == "Roubaix"
    assert row[verbose(Dossier, "status")] == "déposé"
    # 21 h 15 UTC on 30 September is 23 h 15 in Paris: a real (naive) datetime for Excel.
    assert row[verbose(Dossier, "submitted_at")] == dt.datetime(2022, 9, 30, 23, 15)
    assert row[verbose(Dossier, "is_network")] == "Oui"
    assert row["Élu référent du dossier – Nom"] == "Durand"
    assert row["Agent référent identifié pour la mise en œuvre et le suivi du projet – E-mail"] == (
        "lucas.martin@example.org"
    )
    assert row["Validation du dépôt – Date"] == dt.datetime(2022, 9, 12)
    assert row[verbose(Dossier, "engagement_portal_link")] == "Envisagé en 2024"
    assert row[verbose(Dossier, "compatible_software")] == "PMB"
    assert row[verbose(Dossier, "engagement_mediation_design")] == "Oui"
    assert row[OBJECTIVES["public_service"]] == "+++"
    assert row[OBJECTIVES["varied_offer"]] is None
    assert row[verbose(Dossier, "training_commitment")] == "Oui"
    assert row[verbose(Dossier, "project_statement")] == submitted.project_statement
    for header in headers:
        assert "token" not in header.lower() and "jeton" not in header.lower()

    # Bibliothèques: one row per library; headers from LIBRARY_SECTIONS and the model.
    headers, rows = rows_by_header(wb["Bibliothèques"])
    assert len(rows) == 3
    library_fields = [name for _title, names in library_sections() for name in names]
    assert len(headers) == 3 + len(library_fields)
    assert verbose(Library, "surface_m2") in headers
    assert "Équipe – " + verbose(Library, "volunteers") in headers or verbose(Library, "volunteers") in headers
    second = rows[1]
    assert second[verbose(Dossier, "receipt_number")] == "BNM-2022-0042"
    assert second[verbose(Dossier, "commune")] == "Roubaix"
    assert second["Bibliothèque n°"] == 2
    assert second[verbose(Library, "name")] == "Bibliothèque Jean-Lévy"
    assert second[verbose(Library, "staff_fte")] == 3.5
    assert second[verbose(Library, "budget_acquisitions")] == 15230.75
    assert isinstance(second[verbose(Library, "active_members")], int)
    assert second[verbose(Library, "active_members")] == 11
    assert second[verbose(Library, "public_wifi")] == "Oui"
    assert second[verbose(Library, "associated_communes")] == "Roubaix, Wattrelos"
    assert second[verbose(Library, "network")] == "intercommunal"
    assert second[verbose(Library, "sigb_hosting")] == "chez le prestataire"
    assert second[verbose(Library, "sigb_since")] == 2016

    # Objectifs, Engagements, Groupes de travail.
    _headers, rows = rows_by_header(wb["Objectifs"])
    assert {(r["Objectif"], r["Niveau"]) for r in rows} == {
        (OBJECTIVES["public_service"], "+++"), (OBJECTIVES["networking"], "++"), (OBJECTIVES["modernise"], "+"),
    }
    _headers, rows = rows_by_header(wb["Engagements"])
    answers = {r["Engagement"]: r["Réponse"] for r in rows}
    assert answers[verbose(Dossier, "engagement_sigb")] == "OUI"
    assert answers[verbose(Dossier, "engagement_federated_search")] == "Envisagé en 2025"
    assert answers[verbose(Dossier, "training_commitment")] == "Oui"
    _headers, rows = rows_by_header(wb["Groupes de travail"])
    assert [(r["Groupe"], r["Agent(s) proposé(s)"]) for r in rows] == [
        ("Groupe logiciel métier", "Lucas Martin"), ("Groupe ressources en ligne", "Inès Petit, Paul Leroy"),
    ]


def test_filters_and_search_are_honoured(staff_client, submitted):
    draft = make_complete_dossier(campaign=submitted.campaign, communes=("Lille",), libraries=1)
    wb = load_workbook(io.BytesIO(export(staff_client, status="draft").content))
    _headers, rows = rows_by_header(wb["Dossiers"])
    assert [r[verbose(Dossier, "commune")] for r in rows] == ["Lille"]
    _headers, libs = rows_by_header(wb["Bibliothèques"])
    assert len(libs) == 1 and libs[0][verbose(Dossier, "receipt_number")] is None
    wb = load_workbook(io.BytesIO(export(staff_client, q="BNM-2022-0042").content))
    _headers, rows = rows_by_header(wb["Dossiers"])
    assert [r[verbose(Dossier, "commune")] for r in rows] == ["Roubaix"]
    assert draft.pk


def test_csv_is_the_dossiers_sheet_for_french_excel(staff_client, submitted):
    response = export(staff_client, "csv")
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == verbose(Dossier, "receipt_number")
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row[verbose(Dossier, "commune")] == "Roubaix"
    assert row[verbose(Dossier, "submitted_at")] == "30/09/2022 23:15"
    assert row["Validation du dépôt – Date"] == "12/09/2022"


def test_export_refused_without_the_permission(client, submitted):
    # A user with no admin access never gets a file: Wagtail sends them to the admin login.
    user = get_user_model().objects.create_user("passant", "p@example.org", "motdepasse-solide-42")
    client.force_login(user)
    response = client.get(reverse(INDEX), {"export": "xlsx"})
    assert response.status_code == 302 and reverse("wagtailadmin_login") in response["Location"]
    assert not response.get("Content-Disposition")
    # An editor with admin access but no right on dossiers: 403.
    editors = Group.objects.create(name="Éditeurs d’essai")
    editors.permissions.add(Permission.objects.get(codename="access_admin"))
    user.groups.add(editors)
    user = get_user_model().objects.get(pk=user.pk)
    client.force_login(user)
    for fmt in ("xlsx", "csv"):
        response = client.get(reverse(INDEX), {"export": fmt})
        assert response.status_code == 403
        assert "Vous n’avez pas l’autorisation" in response.content.decode()
    # Anonymous: to the login page, no file.
    client.logout()
    response = client.get(reverse(INDEX), {"export": "xlsx"})
    assert response.status_code == 302 and not response.get("Content-Disposition")


def test_query_budget_100_dossiers(staff_client, django_assert_max_num_queries):
    make_export_dossiers(100, libraries=3)
    staff_client.get(reverse(INDEX))  # warm the admin chrome
    # Speed is measured by `make bench` (500 × 3), not asserted here: a loaded CI machine would make it flaky.
    with django_assert_max_num_queries(20):
        response = export(staff_client)
    wb = load_workbook(io.BytesIO(response.content), read_only=True)
    assert sum(1 for _ in wb["Dossiers"].iter_rows()) == 1 + 100
    assert sum(1 for _ in wb["Bibliothèques"].iter_rows()) == 1 + 300
    with django_assert_max_num_queries(20):
        export(staff_client, "csv")


def test_xlsx_cells_keep_what_was_typed():
    """Answers are text as typed, even when they look like a formula or hold markup, line breaks or
    a stray control character (which must not make the export fail); numbers and dates stay typed."""
    from ami.backoffice.exports import Sheet, write_xlsx

    typed = [
        "=HYPERLINK(\"http://example.org\")", "Tom & Jerry <b>", "ligne 1\r\nligne 2", "  espaces  ",
        "bip\x07", 3, Decimal("15230.75"), 2.5, True, dt.date(2022, 9, 12), dt.datetime(2022, 9, 30, 23, 15), None,
    ]
    headers = [f"Colonne {index}" for index in range(len(typed))]
    content = write_xlsx([Sheet("Essai", headers, [12] * len(typed), [typed, ["suite"]])])
    ws = load_workbook(io.BytesIO(content))["Essai"]
    assert ws.freeze_panes == "A2" and ws["A1"].font.b
    assert [cell.value for cell in ws[2]] == [
        "=HYPERLINK(\"http://example.org\")", "Tom & Jerry <b>", "ligne 1\r\nligne 2", "  espaces  ",
        "bip", 3, 15230.75, 2.5, True, dt.datetime(2022, 9, 12), dt.datetime(2022, 9, 30, 23, 15), None,
    ]
    assert ws["A2"].data_type == "s"  # text, not a formula Excel would run
    assert ws["J2"].number_format == "dd/mm/yyyy" and ws["K2"].number_format == "dd/mm/yyyy hh:mm"
    assert ws["A3"].value == "suite" and ws.max_row == 3
