"""« Tableau de bord » panel on the admin home: campaign state and countdown (Paris), communes by
état, latest submissions, failed e-mails; shown to the « Équipe BNM » and superusers only."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from ami.backoffice.groups import TEAM_GROUP
from ami.models import Campaign, Commune, OutboxEmail
from tests.integration_fixtures import submit_dossier_version

from .factories import commune, make_dossier

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def _panel_text(client) -> str:
    client.force_login(client.user)  # at the travelled-to time (sessions expire)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    heading = soup.find(string=lambda s: s and "Tableau de bord de l’AMI" in s)
    assert heading is not None
    panel = heading.find_parent("section")
    return " ".join(panel.get_text(" ").split())


@pytest.fixture
def team_client(client):
    user = get_user_model().objects.create_user("equipe", "equipe@example.org", "motdepasse-solide-42")
    user.groups.add(Group.objects.get(name=TEAM_GROUP))
    client.user = user
    return client


def test_panel_shows_state_countdown_counts_latest_and_failed(team_client):
    closes = dt.datetime(2027, 3, 31, 23, 59, tzinfo=PARIS)
    campaign = Campaign.objects.create(
        title="AMI BNM 2027", statistics_year=2026, first_engagement_year=2027,
        opens_at=dt.datetime(2027, 1, 1, 9, 0, tzinfo=PARIS), closes_at=closes,
    )
    names = ["Roubaix", "Lille", "Tourcoing", "Wattrelos", "Lezennes", "Croix", "Halluin"]
    with time_machine.travel(dt.datetime(2027, 3, 1, 10, 0, tzinfo=PARIS), tick=False):
        for index, name in enumerate(names):
            dossier = make_dossier(campaign, commune(name))
            if index < 6:
                submit_dossier_version(dossier, receipt_number=f"BNM-2027-{index:04d}",
                                       submitted_at=dt.datetime(2027, 2, 1 + index, 12, 0, tzinfo=PARIS))
        OutboxEmail.objects.create(key="a", to=["x@example.org"], subject="A", body="A", status=OutboxEmail.Status.FAILED)
        text = _panel_text(team_client)
    assert "AMI BNM 2027 : ouvert. Clôture dans 30 jours, le 31 mars 2027 à 23 h 59, heure de Paris." in text
    assert "Pas commencé : 88" in text and "Brouillon : 1" in text and "Déposé : 6" in text
    assert "88 communes n’ont pas commencé leur candidature" in text
    # The first of them by name (alphabetical, as in the tracker), then how many more.
    not_started = sorted((c.name for c in Commune.objects.exclude(name__in=names)), key=str.casefold)
    assert f"Sans dossier : {', '.join(not_started[:8])} et 80 autres." in text
    assert "Lire l’état des lieux des dossiers déposés" in text
    latest = text.split("Derniers dépôts")[1]
    assert [n for n in names if n in latest] == ["Lille", "Tourcoing", "Wattrelos", "Lezennes", "Croix"]
    assert latest.index("Croix") < latest.index("Lille")  # newest first
    assert "Roubaix" not in latest
    assert "1 e-mail en échec" in text


def test_panel_on_closing_day_and_with_no_campaign(team_client):
    assert "Aucune campagne d’AMI n’a encore été créée." in _panel_text(team_client)
    Campaign.objects.create(
        title="AMI BNM 2027", statistics_year=2026, first_engagement_year=2027,
        opens_at=dt.datetime(2027, 1, 1, 9, 0, tzinfo=PARIS), closes_at=dt.datetime(2027, 3, 31, 23, 59, tzinfo=PARIS),
    )
    with time_machine.travel(dt.datetime(2027, 3, 31, 8, 0, tzinfo=PARIS), tick=False):
        assert "Clôture aujourd’hui, le 31 mars 2027" in _panel_text(team_client)
    with time_machine.travel(dt.datetime(2027, 4, 2, 8, 0, tzinfo=PARIS), tick=False):
        assert "clos. Clos depuis le 31 mars 2027" in _panel_text(team_client)


def test_panel_is_for_the_team_and_superusers_only(client, campaign):
    other = get_user_model().objects.create_user("autre", "autre@example.org", "motdepasse-solide-42")
    other.user_permissions.add(*Permission.objects.filter(codename__in=["access_admin", "view_dossier"]))
    client.force_login(other)
    assert "Tableau de bord de l’AMI" not in client.get(reverse("wagtailadmin_home")).content.decode()
    client.force_login(get_user_model().objects.create_superuser("admin", "admin@example.org", "motdepasse-solide-42"))
    assert "Tableau de bord de l’AMI" in client.get(reverse("wagtailadmin_home")).content.decode()
