"""The dossier list of the back-office (AMI › Dossiers): columns, filters, search, empty texts,
the filtered export, bad query strings and the query budget."""
import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ami.models import WorkingGroup, WorkingGroupSignup
from ami.services.uploads import store_signed_document
from tests.integration_fixtures import make_complete_dossier, submit_dossier_version

from .export_data import make_export_dossiers
from .factories import commune, make_campaign, make_dossier, valid_pdf_bytes

pytestmark = pytest.mark.django_db
INDEX = "ami_dossier_modeladmin_index"


def listing(html: str) -> str:
    """The dossier table (not the admin's other tables, e.g. the keyboard shortcuts)."""
    return html.split('<table class="listing full-width">', 1)[1].split("</table>", 1)[0] if "listing full-width" in html else ""


def rows(html: str) -> list[str]:
    """The text of each row of the list (tags removed, spaces collapsed)."""
    body = listing(html).partition("<tbody")[2]
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def listed(client, **params) -> list[str]:
    response = client.get(reverse(INDEX), params)
    assert response.status_code == 200
    return rows(response.content.decode())


def first_words(client, **params) -> list[str]:
    """The candidate commune of each listed dossier (the first cell, before « Inspecter »)."""
    return sorted(row.split(" ")[0] for row in listed(client, **params))


@pytest.fixture
def dossiers(db):
    """Roubaix: network (Roubaix, Wattrelos), submitted with its signed document, engaged on the SIGB,
    two sign-ups. Lille: alone, draft, « NON » to the SIGB, one library. Tourcoing: an empty draft of an
    older campaign."""
    roubaix = make_complete_dossier(communes=("Roubaix", "Wattrelos"), libraries=3)
    store_signed_document(roubaix, valid_pdf_bytes())
    submit_dossier_version(roubaix, receipt_number="BNM-2022-0042")
    lille = make_complete_dossier(
        campaign=roubaix.campaign, communes=("Lille",), libraries=1, engagement_sigb="non",
        agent_first_name="Awa", agent_last_name="Diallo", agent_email="a.diallo@mairie-lille.fr",
        elected_email="elu.culture@mairie-lille.fr",
    )
    lille.working_group_signups.exclude(group=WorkingGroup.objects.order_by("sort_order").first()).delete()
    old = make_campaign(title="AMI 2019", opens_in=-dt.timedelta(days=900), closes_in=-dt.timedelta(days=800))
    tourcoing = make_dossier(old, commune("Tourcoing"), libraries=0, agent_email="")
    return {"roubaix": roubaix, "lille": lille, "tourcoing": tourcoing}


def test_columns_show_what_the_team_reads(staff_client, dossiers):
    html = staff_client.get(reverse(INDEX)).content.decode()
    headers = [" ".join(re.sub(r"<[^>]+>", " ", th).split()) for th in re.findall(r"<th[^>]*>(.*?)</th>", listing(html), re.S)]
    assert headers == ["Commune(s)", "Réseau", "État", "Récépissé", "Déposé le", "Bibliothèques", "Agent référent"]
    roubaix, lille, tourcoing = (
        next(row for row in rows(html) if row.startswith(name)) for name in ("Roubaix", "Lille", "Tourcoing")
    )
    submitted = dossiers["roubaix"].submitted_at
    from ami.pdf import paris_datetime_label

    assert roubaix == (
        f"Roubaix , Wattrelos Inspecter Oui Déposé BNM-2022-0042 {paris_datetime_label(submitted)} 3 "
        "Lucas Martin lucas .martin@ example .org"
    )
    assert lille == "Lille Inspecter Non Brouillon — — 1 Awa Diallo a .diallo@ mairie-lille .fr"
    assert tourcoing == "Tourcoing Inspecter — Brouillon — — 0 —"


def test_no_english_nor_agreement_errors(staff_client, dossiers):
    html = staff_client.get(reverse(INDEX)).content.decode()
    for text in ("Filtrer", "Par campagne", "Par état", "Par réseau", "Par engagement SIGB métropolitain",
                 "Par groupe de travail", "Par document signé", "Tous", "Rechercher un dossier"):
        assert text in html, text
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<script.*?</script>", "", main, flags=re.S))
    for english in ("No date", "Search", "Filter", "By ", "All", "True", "False", "None"):
        assert english not in text, english
    empty = staff_client.get(reverse(INDEX), {"q": "zzzz"}).content.decode()
    assert "Aucun dossier ne correspond à ces filtres ou à cette recherche." in empty
    assert "n'a été créé(e)" not in empty and "Désolé" not in empty


def test_empty_list_says_so_in_french(staff_client):
    html = staff_client.get(reverse(INDEX)).content.decode()
    assert "Aucun dossier n’a encore été commencé." in html
    assert "créé(e)" not in html and "dossiers de candidature n" not in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["Lille", "Roubaix", "Tourcoing"]),
        ({"status": "submitted"}, ["Roubaix"]),
        ({"status": "draft"}, ["Lille", "Tourcoing"]),
        ({"reseau": "oui"}, ["Roubaix"]),
        ({"reseau": "non"}, ["Lille"]),
        ({"reseau": "sans-reponse"}, ["Tourcoing"]),
        ({"engagement_sigb": "oui"}, ["Roubaix"]),
        ({"engagement_sigb": "non"}, ["Lille"]),
        ({"engagement_sigb": "sans-reponse"}, ["Tourcoing"]),
        ({"document_signe": "oui"}, ["Roubaix"]),
        ({"document_signe": "non"}, ["Lille", "Tourcoing"]),
        ({"status": "draft", "reseau": "non"}, ["Lille"]),
    ],
)
def test_each_filter_narrows_the_list(staff_client, dossiers, params, expected):
    assert first_words(staff_client, **params) == expected


def test_campaign_and_working_group_filters(staff_client, dossiers):
    campaign = dossiers["roubaix"].campaign
    assert first_words(staff_client, campaign=campaign.pk) == ["Lille", "Roubaix"]
    assert first_words(staff_client, campaign=dossiers["tourcoing"].campaign_id) == ["Tourcoing"]
    first, second = WorkingGroup.objects.order_by("sort_order")[:2]
    assert first_words(staff_client, groupe=first.pk) == ["Lille", "Roubaix"]
    assert first_words(staff_client, groupe=second.pk) == ["Roubaix"]
    assert WorkingGroupSignup.objects.filter(group=second).count() == 1


def test_sigb_filter_names_the_campaign_years(staff_client, dossiers):
    campaign = dossiers["roubaix"].campaign
    html = staff_client.get(reverse(INDEX), {"campaign": campaign.pk}).content.decode()
    assert f"Envisagé en {campaign.first_engagement_year + 1}" in html
    assert f"Envisagé en {campaign.first_engagement_year + 2}" in html
    html = staff_client.get(reverse(INDEX)).content.decode()
    assert "Envisagé l’année suivante" in html and "Envisagé dans deux ans" in html


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("Wattrelos", ["Roubaix"]),  # a commune of the network, not the candidate
        ("roubaix", ["Roubaix"]),
        ("Diallo", ["Lille"]),  # the agent's name
        ("a.diallo@mairie-lille.fr", ["Lille"]),  # the agent's e-mail
        ("elu.culture@", ["Lille"]),  # the elected referent's e-mail
        ("Durand", ["Lille", "Roubaix"]),  # the elected referent's name
        ("BNM-2022-0042", ["Roubaix"]),  # the receipt
        ("Jean-Lévy", ["Roubaix"]),  # a library's name (Roubaix's second library)
        ("Grand-Plage", ["Lille", "Roubaix"]),
        ("Lucas Martin", ["Roubaix"]),  # every word must match
    ],
)
def test_search(staff_client, dossiers, q, expected):
    assert first_words(staff_client, q=q) == expected


def test_search_on_several_libraries_lists_the_dossier_once_with_its_count(staff_client, dossiers):
    found = listed(staff_client, q="Médiathèque")
    assert [row.split(" ")[0] for row in found] == ["Lille", "Roubaix"]
    assert " 3 Lucas Martin" in found[1]  # the count of libraries is not multiplied by the search


def test_a_filter_narrows_the_export(staff_client, dossiers):
    def exported(**params):
        response = staff_client.get(reverse(INDEX), {**params, "export": "xlsx"})
        assert response.status_code == 200
        wb = load_workbook(io.BytesIO(response.content))
        sheet = list(wb["Dossiers"].iter_rows(values_only=True))
        column = sheet[0].index("Nom de la commune")
        libraries = list(wb["Bibliothèques"].iter_rows(values_only=True))
        return sorted(row[column] for row in sheet[1:]), len(libraries) - 1

    assert exported() == (["Lille", "Roubaix", "Tourcoing"], 4)
    assert exported(engagement_sigb="non") == (["Lille"], 1)
    assert exported(document_signe="oui", q="Wattrelos") == (["Roubaix"], 3)
    group = WorkingGroup.objects.order_by("sort_order")[1]
    assert exported(groupe=group.pk) == (["Roubaix"], 3)
    response = staff_client.get(reverse(INDEX), {"reseau": "non", "export": "csv"})
    assert response.content.decode("utf-8-sig").count("\n") == 2 and "Lille" in response.content.decode("utf-8-sig")


@pytest.mark.parametrize(
    "query",
    [
        "campaign=abc", "campaign=-1", "campaign=99999999999999", "campaign=%EF%BC%91", "groupe=x", "groupe=1.5",
        "status=bogus", "reseau=peut-etre", "engagement_sigb=n%2B9", "document_signe=1", "o=zz", "o=99",
        "p=-3", "q=%00", "campaign=1&campaign=2",
    ],
)
def test_bad_query_strings_never_fail(staff_client, dossiers, query):
    response = staff_client.get(f"{reverse(INDEX)}?{query}")
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 200:
        assert "Commune(s)" in response.content.decode() or "Aucun dossier" in response.content.decode()


def test_unknown_parameter_is_not_a_server_error(staff_client, dossiers):
    response = staff_client.get(reverse(INDEX), {"agent_email__startswith": "a", "nimportequoi": "1"})
    assert response.status_code in (200, 302)


def test_query_budget_does_not_grow_with_dossiers(staff_client, django_assert_max_num_queries):
    """The list of 100 dossiers × 3 libraries costs the queries of a list of one (and at most 25)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    campaign = make_export_dossiers(100, libraries=3)
    staff_client.get(reverse(INDEX))  # warm the admin chrome (site, menus)
    with CaptureQueriesContext(connection) as one:
        response = staff_client.get(reverse(INDEX), {"campaign": campaign.pk, "q": "Allennes-les-Marais"})
    assert len(rows(response.content.decode())) == 1
    budget = len(one)
    print(f"dossier list: {budget} queries for one dossier (the budget of 100)")
    assert budget <= 25, [q["sql"][:120] for q in one.captured_queries]
    with django_assert_max_num_queries(budget):
        response = staff_client.get(reverse(INDEX), {"campaign": campaign.pk})
    assert len(rows(response.content.decode())) == 100
    assert all(" 3 " in row for row in rows(response.content.decode()))
    with django_assert_max_num_queries(budget):
        response = staff_client.get(reverse(INDEX), {"q": "Médiathèque", "document_signe": "non", "status": "draft"})
    assert len(rows(response.content.decode())) == 50
