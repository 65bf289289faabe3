"""Back-office of the AMI: menu, campaigns (state, extend the deadline), dossiers, downloads."""
import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from ami.models import Campaign, WorkingGroup
from tests.integration_fixtures import make_complete_dossier, submit_dossier_version

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def campaigns():
    now = timezone.now()
    open_campaign = Campaign.objects.create(
        title="AMI BNM ouvert", statistics_year=2021, first_engagement_year=2023,
        opens_at=now - dt.timedelta(days=5), closes_at=now + dt.timedelta(days=10, hours=1),
    )
    closed = Campaign.objects.create(
        title="AMI BNM clos", statistics_year=2020, first_engagement_year=2022,
        opens_at=now - dt.timedelta(days=400), closes_at=now - dt.timedelta(days=300),
    )
    upcoming = Campaign.objects.create(
        title="AMI BNM futur", statistics_year=2022, first_engagement_year=2024,
        opens_at=now + dt.timedelta(days=30), closes_at=now + dt.timedelta(days=90),
    )
    return open_campaign, closed, upcoming


def test_staff_sees_the_ami_menu(staff_client):
    response = staff_client.get("/admin/")
    assert response.status_code == 200
    content = response.content.decode()
    for label in ["AMI", "Campagnes", "Dossiers", "Groupes de travail", "Inscriptions aux groupes"]:
        assert label in content, label


def test_campaign_list_shows_state(staff_client, campaigns):
    response = staff_client.get("/admin/ami/campaign/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "AMI BNM ouvert" in content and "AMI BNM clos" in content and "AMI BNM futur" in content
    assert "ouvert – 10 jours restants" in content
    assert "clos" in content
    assert "à venir" in content
    # Column headers are in French (the list's own labels, not attribute names).
    lowered = content.lower()
    for header in ("ouverture (heure de paris)", "date limite (heure de paris)", "état"):
        assert header in lowered
    assert "opens label" not in lowered and "state label" not in lowered and "dossier count" not in lowered


def test_extend_campaign_deadline_through_edit_form(staff_client, campaigns):
    campaign = campaigns[0]
    url = f"/admin/ami/campaign/edit/{campaign.pk}/"
    assert staff_client.get(url).status_code == 200
    opens_local = timezone.localtime(campaign.opens_at, PARIS)
    response = staff_client.post(
        url,
        {
            "title": campaign.title,
            "statistics_year": 2021,
            "first_engagement_year": 2023,
            "opens_at": opens_local.strftime("%Y-%m-%d %H:%M"),
            "closes_at": "2030-10-15 23:59",
            "team_email": "bnm@lillemetropole.fr",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    campaign.refresh_from_db()
    assert campaign.closes_at == dt.datetime(2030, 10, 15, 23, 59, tzinfo=PARIS)
    listing = staff_client.get("/admin/ami/campaign/").content.decode()
    assert "15 octobre 2030 à 23 h 59" in listing


def test_campaign_closing_before_opening_is_refused(staff_client, campaigns):
    campaign = campaigns[0]
    response = staff_client.post(
        f"/admin/ami/campaign/edit/{campaign.pk}/",
        {
            "title": campaign.title, "statistics_year": 2021, "first_engagement_year": 2023,
            "opens_at": "2030-10-15 10:00", "closes_at": "2030-10-01 23:59", "team_email": "bnm@lillemetropole.fr",
        },
    )
    assert response.status_code == 200  # form redisplayed with the error
    campaign.refresh_from_db()
    assert campaign.closes_at.year != 2030


def test_dossier_list_and_inspect(staff_client, django_assert_max_num_queries):
    dossier = make_complete_dossier()
    submit_dossier_version(dossier, receipt_number="BNM-2022-0042")
    make_complete_dossier(campaign=dossier.campaign, communes=("Lille",), libraries=1)
    with django_assert_max_num_queries(40):
        response = staff_client.get("/admin/ami/dossier/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Roubaix" in content and "Lille" in content
    assert "BNM-2022-0042" in content
    assert "Déposé" in content and "Brouillon" in content
    assert 'Roubaix<span class="ami-list__network">, Wattrelos</span>' in content  # network communes

    filtered = staff_client.get("/admin/ami/dossier/?status=submitted").content.decode()
    assert "BNM-2022-0042" in filtered and "Lille" not in filtered.split("<tbody")[-1]

    inspect = staff_client.get(f"/admin/ami/dossier/inspect/{dossier.pk}/")
    assert inspect.status_code == 200
    page = inspect.content.decode()
    assert "Médiathèque La Grand-Plage" in page and "Bibliothèque Jean-Lévy" in page
    assert f"/admin/ami/dossiers/{dossier.pk}/pdf/" in page
    assert f"/admin/ami/dossiers/{dossier.pk}/versions/1/pdf/" in page
    # Dossiers are read-only in the back-office.
    assert staff_client.get(f"/admin/ami/dossier/edit/{dossier.pk}/").status_code in (302, 403)


def test_staff_downloads_pdf_and_signed_document(staff_client):
    dossier = make_complete_dossier()
    submit_dossier_version(dossier, receipt_number="BNM-2022-0042")
    dossier.signed_document.save("ignored-name.pdf", ContentFile(b"%PDF-1.4 signed document"), save=True)

    response = staff_client.get(f"/admin/ami/dossiers/{dossier.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert "BNM-2022-0042" in response["Content-Disposition"]

    response = staff_client.get(f"/admin/ami/dossiers/{dossier.pk}/versions/1/pdf/")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert staff_client.get(f"/admin/ami/dossiers/{dossier.pk}/versions/9/pdf/").status_code == 404

    inspect = staff_client.get(f"/admin/ami/dossier/inspect/{dossier.pk}/").content.decode()
    assert f"/admin/ami/dossiers/{dossier.pk}/document-signe/" in inspect
    response = staff_client.get(f"/admin/ami/dossiers/{dossier.pk}/document-signe/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 signed document"
    assert "attachment" in response["Content-Disposition"]


def test_working_groups_are_editable(staff_client):
    group = WorkingGroup.objects.order_by("sort_order").first()
    listing = staff_client.get("/admin/ami/workinggroup/")
    assert listing.status_code == 200 and group.name in listing.content.decode()
    response = staff_client.post(
        f"/admin/ami/workinggroup/edit/{group.pk}/",
        {"name": "Groupe logiciel métier (SIGB)", "description": "d", "sort_order": 1, "is_active": "on"},
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.name == "Groupe logiciel métier (SIGB)"
    signups = staff_client.get("/admin/ami/workinggroupsignup/")
    assert signups.status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/admin/ami/dossier/", "/admin/ami/campaign/", "/admin/ami/dossiers/{pk}/pdf/",
     "/admin/ami/dossiers/{pk}/document-signe/"],
)
def test_anonymous_and_non_staff_are_redirected(client, path):
    dossier = make_complete_dossier(communes=("Lille",), libraries=1)
    url = path.format(pk=dossier.pk)
    response = client.get(url)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    user = get_user_model().objects.create_user("visiteur", "v@example.org", "motdepasse-solide-42")
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 302
    assert not response.get("Content-Type", "").startswith("application/pdf")


def test_admin_user_without_dossier_permission_cannot_download(client):
    dossier = make_complete_dossier(communes=("Lille",), libraries=1)
    user = get_user_model().objects.create_user("editeur", "e@example.org", "motdepasse-solide-42", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    response = client.get(f"/admin/ami/dossiers/{dossier.pk}/pdf/")
    assert response.status_code in (302, 403)
    assert not response.get("Content-Type", "").startswith("application/pdf")


def test_working_group_list_says_oui_non_in_text(staff_client):
    """Booleans are words, not django.contrib.admin's icons (not collected: HTTP 500 in production)."""
    WorkingGroup.objects.filter(pk=WorkingGroup.objects.order_by("sort_order").first().pk).update(is_active=False)
    content = staff_client.get(reverse("ami_workinggroup_modeladmin_index")).content.decode()
    assert "icon-yes" not in content and "icon-no" not in content
    assert re.search(r'class="field-active_label[^"]*">\s*Non\s*<', content)
    assert re.search(r'class="field-active_label[^"]*">\s*Oui\s*<', content)
