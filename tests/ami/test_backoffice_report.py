"""« État des lieux »: figures of the submitted dossiers of one campaign (drafts and other campaigns
left out), as the team reads them on the page and in the XLSX, for the « Équipe BNM » only."""
import io
import statistics
from decimal import Decimal

import openpyxl
import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from ami import questionnaire
from ami.backoffice.groups import EDITORS_GROUP, TEAM_GROUP
from ami.models import Dossier, Library
from ami.pdf import number_label
from tests.integration_fixtures import _complete_library_values

from .export_data import make_export_dossiers
from .factories import commune, make_campaign, make_dossier

pytestmark = pytest.mark.django_db
SUBMITTED = Dossier.Status.SUBMITTED
REPORT = "ami_backoffice_report"
NNBSP = "\u202f"

# Three submitted libraries (two dossiers), a draft's and another campaign's library that must not count.
LIBRARIES = [
    {"surface_m2": 100, "staff_fte": Decimal("1.5"), "volunteers": 2, "budget_acquisitions": Decimal("12000.50"),
     "sigb_vendor": "Decalog", "network": "communal", "has_rfid": True, "training_office": True,
     "workshop_coding": True},
    {"surface_m2": 1300, "staff_fte": Decimal("2"), "volunteers": 0, "budget_acquisitions": Decimal("3000"),
     "sigb_vendor": " decalog ", "network": "none", "has_rfid": False, "training_office": False},
    {"surface_m2": 250, "staff_fte": None, "volunteers": 5, "budget_acquisitions": Decimal("4500"),
     "sigb_vendor": "BiblixNet", "network": "none", "has_rfid": True, "training_office": True},
]
EXCLUDED = {"surface_m2": 99999, "staff_fte": Decimal("99"), "volunteers": 99, "budget_acquisitions": Decimal("99999"),
            "sigb_vendor": "Decalog", "network": "communal", "has_rfid": True, "training_office": True}


def _label(name: str) -> str:
    return questionnaire.question("ami.Library", name).label


def _dossier_label(name: str) -> str:
    return questionnaire.question("ami.Dossier", name).label


@pytest.fixture
def figures(campaign):
    first = make_dossier(campaign, commune("Roubaix"), libraries=0, status=SUBMITTED, engagement_sigb="oui",
                         engagement_mediation_design=True, objective_public_service="+++",
                         objective_networking="++", objective_savings="+")
    second = make_dossier(campaign, commune("Lille"), libraries=0, status=SUBMITTED, engagement_sigb="n+1",
                          engagement_mediation_design=False, objective_networking="+++",
                          objective_visibility="++", objective_public_service="+")
    draft = make_dossier(campaign, commune("Tourcoing"), libraries=0, engagement_sigb="oui",
                         objective_savings="+++")
    other = make_dossier(make_campaign(title="AMI BNM 2030"), commune("Croix"), libraries=0, status=SUBMITTED,
                         engagement_sigb="oui", objective_savings="+++")
    for index, (dossier, values) in enumerate([(first, LIBRARIES[0]), (first, LIBRARIES[1]), (second, LIBRARIES[2])]):
        Library.objects.create(dossier=dossier, sort_order=index, **values)
    for dossier in (draft, other):
        Library.objects.create(dossier=dossier, **EXCLUDED)
    return campaign


def _expected(name):
    values = [lib[name] for lib in LIBRARIES if lib.get(name) is not None]
    return sum(values), statistics.median(values), len(values)


def _page(client, campaign):
    response = client.get(reverse(REPORT), {"campaign": campaign.pk})
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def _row(soup, label: str, kind: str = "numbers") -> list[str]:
    for table in soup.select(f"table[data-block={kind}]"):
        for tr in table.select("tbody tr"):
            if tr.th and tr.th.get_text(strip=True) == label:
                return [td.get_text(strip=True) for td in tr.find_all("td")]
    raise AssertionError(f"no row {label!r}")


def _counts(soup, caption_start: str) -> dict[str, str]:
    for table in soup.select("table[data-block=counts], table[data-block=ticks]"):
        if table.caption.get_text(" ", strip=True).startswith(caption_start):
            return {tr.th.get_text(strip=True): tr.td.get_text(strip=True) for tr in table.select("tbody tr")}
    raise AssertionError(f"no table {caption_start!r}")


def test_totals_and_medians_of_submitted_libraries(staff_client, figures):
    soup = _page(staff_client, figures)
    assert soup.select_one("[data-total=dossiers]").get_text() == "2"
    assert soup.select_one("[data-total=libraries]").get_text() == "3"

    total, median, answers = _expected("surface_m2")
    assert (total, median, answers) == (1650, 250, 3)
    assert _row(soup, _label("surface_m2")) == [f"1{NNBSP}650", "250", "3"]
    total, median, answers = _expected("staff_fte")
    assert (total, median, answers) == (Decimal("3.5"), Decimal("1.75"), 2)
    assert _row(soup, _label("staff_fte")) == ["3,5", "1,75", "2"]
    total, median, answers = _expected("volunteers")
    assert _row(soup, _label("volunteers")) == [str(total), str(median), str(answers)] == ["7", "2", "3"]
    total, median, _ = _expected("budget_acquisitions")
    assert _row(soup, _label("budget_acquisitions")) == [f"19{NNBSP}500,50\u00a0€", f"4{NNBSP}500\u00a0€", "3"]
    assert total == Decimal("19500.50") and median == Decimal("4500")
    # A year has a median, not a total; an unanswered number shows « — ».
    assert _row(soup, _label("sigb_since")) == ["—", "—", "0"]


def test_counts_per_answer_vendor_and_ticked_box(staff_client, figures):
    soup = _page(staff_client, figures)
    assert _counts(soup, _label("network")) == {"communal": "1", "intercommunal": "0", "non": "2"}
    assert _counts(soup, _label("has_rfid")) == {"Oui": "2", "Non": "1"}
    # Vendors: spelling and spacing ignored, the most frequent spelling shown.
    assert _counts(soup, _label("sigb_vendor")) == {"Decalog": "2", "BiblixNet": "1"}
    training = _counts(soup, "Besoins de formation (informatique)")
    assert training[_label("training_office")] == "2" and training[_label("training_computer_basics")] == "0"
    assert _counts(soup, "Ateliers numériques proposés")[_label("workshop_coding")] == "1"
    # Engagements, per dossier, in the campaign's wording.
    engagements = _counts(soup, _dossier_label("engagement_sigb"))
    assert engagements == {"OUI": "1", "NON": "0", "Envisagé en 2028": "1", "Envisagé en 2029": "0"}
    assert _counts(soup, _dossier_label("engagement_mediation_design")) == {"Oui": "1", "Non": "1"}


def test_objectives_ranked_by_priority_counts(staff_client, figures):
    soup = _page(staff_client, figures)
    rows = [[c.get_text(strip=True) for c in tr.find_all(["td", "th"])]
            for tr in soup.select("table[data-block=objectives] tbody tr")]
    labels = {name: _dossier_label(f"objective_{name}") for name in ("networking", "public_service", "visibility",
                                                                      "savings")}
    # networking: one +++ and one ++; public_service: one +++ and one +; then visibility (++), savings (+).
    assert rows[:4] == [
        ["1", labels["networking"], "1", "1", "0", "2"],
        ["2", labels["public_service"], "1", "0", "1", "2"],
        ["3", labels["visibility"], "0", "1", "0", "1"],
        ["4", labels["savings"], "0", "0", "1", "1"],
    ]
    assert all(row[2:] == ["0", "0", "0", "0"] for row in rows[4:])


def test_charts_are_inline_svg_described_for_screen_readers(staff_client, figures):
    soup = _page(staff_client, figures)
    charts = soup.select("svg.ami-chart")
    assert len(charts) >= 20
    assert not soup.select("script[src]:not([src^='/'])")  # nothing from another host
    for svg in charts:
        assert svg["role"] == "img" and svg["aria-label"].startswith("Diagramme en barres")
        assert svg.title.get_text() == svg["aria-label"]
        table = svg.find_parent(class_="ami-report__block").table
        assert table is not None  # the data beside the chart
    vendors = next(s for s in charts if _label("sigb_vendor") in s["aria-label"])
    assert "Decalog\u00a0: 2" in vendors["aria-label"] and "BiblixNet\u00a0: 1" in vendors["aria-label"]
    widths = {float(r["width"]) for r in vendors.select("rect")}
    assert max(widths) == 2 * min(widths)  # bars proportional to the counts
    objectives = soup.select_one("table[data-block=objectives]").find_parent(class_="ami-report__block").svg
    networking = _dossier_label("objective_networking")
    assert f"{networking}\u00a0: 2 (+++\u00a0: 1, ++\u00a0: 1, +\u00a0: 0)" in objectives["aria-label"]


def test_xlsx_export_has_the_same_figures_as_numbers(staff_client, figures):
    response = staff_client.get(reverse(REPORT), {"campaign": figures.pk, "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="etat-des-lieux-')
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Chiffres", "Réponses", "Objectifs"]
    sheet = book["Chiffres"]
    assert [c.value for c in sheet[1]] == ["Partie", "Rubrique", "Question", "Total", "Médiane", "Nombre de réponses",
                                           "Unité"]
    assert sheet.freeze_panes == "A2" and sheet.column_dimensions["C"].width == 60
    rows = {row[2]: row[3:] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows[_label("surface_m2")] == (1650, 250, 3, None)
    assert rows[_label("staff_fte")] == (3.5, 1.75, 2, None)
    assert rows[_label("budget_acquisitions")] == (19500.5, 4500, 3, "€")
    assert all(isinstance(v, int | float) for v in rows[_label("surface_m2")][:3])
    answers = {(row[2], row[3]): row[4:] for row in book["Réponses"].iter_rows(min_row=2, values_only=True)}
    assert answers[(_label("sigb_vendor"), "Decalog")] == (2, 3)
    assert answers[(_dossier_label("engagement_sigb"), "Envisagé en 2028")] == (1, 2)
    assert answers[(_label("training_office"), "Coché")] == (2, 3)
    objectives = list(book["Objectifs"].iter_rows(min_row=2, values_only=True))
    assert objectives[0] == (1, _dossier_label("objective_networking"), 1, 1, 0, 2)


def _member(group_name):
    user = get_user_model().objects.create_user(group_name[:5], "m@example.org", "motdepasse-solide-42")
    user.groups.add(Group.objects.get(name=group_name))
    return user


def test_for_the_team_not_the_editors(client, figures):
    url = reverse(REPORT)
    client.force_login(_member(EDITORS_GROUP))
    assert client.get(url).status_code == 403
    assert client.get(url, {"export": "xlsx"}).status_code == 403
    assert url not in client.get(reverse("wagtailadmin_home")).content.decode()
    client.force_login(_member(TEAM_GROUP))
    assert client.get(url, {"export": "xlsx"}).status_code == 200
    assert url in client.get(reverse("wagtailadmin_home")).content.decode()  # « Rapports » menu


def test_no_campaign_and_no_submission(staff_client, campaign):
    soup = _page(staff_client, campaign)
    assert "Aucun dossier déposé pour cette campagne" in soup.get_text()
    assert _row(soup, _label("surface_m2")) == ["0", "—", "0"]
    Dossier.objects.all().delete()
    campaign.delete()
    response = staff_client.get(reverse(REPORT), {"campaign": "abc"})
    assert response.status_code == 200 and "Aucune campagne n’a encore été créée." in response.content.decode()


def test_query_budget_with_100_dossiers_of_3_libraries(staff_client, django_assert_max_num_queries):
    campaign = make_export_dossiers(100, libraries=3)
    Dossier.objects.filter(campaign=campaign).update(status=SUBMITTED)
    url = reverse(REPORT)
    staff_client.get(url, {"campaign": campaign.pk})  # warm the admin's caches
    with django_assert_max_num_queries(11):
        soup = _page(staff_client, campaign)
    with django_assert_max_num_queries(7):
        assert staff_client.get(url, {"campaign": campaign.pk, "export": "xlsx"}).status_code == 200
    # Totals and medians of every number, from the values the factory gave each library.
    values = [_complete_library_values(index, []) for index in range(3)]
    dossiers = Dossier.objects.filter(campaign=campaign).count()
    assert dossiers == 100
    for q in questionnaire.library_questions():
        if q.kind not in {"count", "decimal", "money"}:
            continue
        per_library = [v[q.name] for v in values] * dossiers
        total, median = sum(per_library), statistics.median(per_library)
        money = q.kind == "money"
        assert _row(soup, q.label) == [number_label(total, money=money), number_label(median, money=money),
                                       number_label(len(per_library))], q.name


def test_every_choice_and_box_of_volet_1_is_counted(staff_client, figures):
    """Declared once: each choice or yes/no question of the questionnaire has its table, whose
    counts add up to the three libraries; each checkbox is a row of its section's table."""
    soup = _page(staff_client, figures)
    checked = 0
    for q in questionnaire.library_questions():
        if q.kind in {"choice", "yes_no"}:
            counts = _counts(soup, q.label)
            assert sum(int(n) for n in counts.values()) == 3, q.name
            checked += 1
        elif q.kind == "checkbox":
            tables = soup.select("table[data-block=ticks] tbody th")
            assert q.label in [th.get_text(strip=True) for th in tables], q.name
            checked += 1
    assert checked >= 40
