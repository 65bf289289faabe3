"""Campaign timing in the back-office: « Ouvrir maintenant », « Clôturer maintenant », « Prolonger
jusqu’au … », « Prolonger pour une commune », and the campaign's « Journal » (who, when, before → after)."""
import datetime as dt
from datetime import timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ami.backoffice.groups import EDITORS_GROUP, TEAM_GROUP
from ami.models import Campaign, CampaignEvent, CampaignExtension
from home.dates import PARIS

from .factories import commune, make_campaign

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2027, 3, 15, 10, 0, tzinfo=PARIS)
CLOSES = dt.datetime(2027, 3, 31, 23, 59, tzinfo=PARIS)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def member(group_name: str, username: str, **names):
    user = get_user_model().objects.create_user(username, f"{username}@example.org", "motdepasse-solide-42", **names)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def team_client(client, clock):
    client.force_login(member(TEAM_GROUP, "equipe", first_name="Claire", last_name="Martin"))
    return client


@pytest.fixture
def open_campaign(clock):
    return make_campaign(opens_at=NOW - timedelta(days=10), closes_at=CLOSES)


def page(client, campaign):
    response = client.get(reverse("ami_campaign_timing", args=[campaign.pk]))
    assert response.status_code == 200
    return response.content.decode()


def journal_rows(client, campaign) -> list[list[str]]:
    soup = BeautifulSoup(page(client, campaign), "html.parser")
    return [[" ".join(td.get_text(" ").split()) for td in tr.find_all("td")] for tr in soup.select("tr[data-event]")]


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_close_now_asks_for_confirmation_then_closes_and_logs_it(team_client, open_campaign):
    url = reverse("ami_campaign_close_now", args=[open_campaign.pk])
    confirm = team_client.get(url)
    assert confirm.status_code == 200 and "Clôturer maintenant" in confirm.content.decode()
    open_campaign.refresh_from_db()
    assert open_campaign.closes_at == CLOSES  # GET changed nothing

    response = team_client.post(url, follow=True)
    open_campaign.refresh_from_db()
    assert open_campaign.closes_at == NOW and open_campaign.state() == Campaign.State.CLOSED
    assert any("est close depuis le 15 mars 2027 à 10 h" in m for m in messages_of(response))
    [row] = journal_rows(team_client, open_campaign)
    assert row[0] == "15 mars 2027 à 10 h"
    assert row[1] == "Claire Martin"
    assert row[2] == "Clôturée maintenant"
    assert "Date limite : 31 mars 2027 à 23 h 59 → 15 mars 2027 à 10 h" in row[3]
    assert "État : ouvert → clos" in row[3]


def test_close_now_refuses_a_campaign_that_has_not_opened(team_client, clock):
    upcoming = make_campaign(opens_in=timedelta(days=3), closes_in=timedelta(days=30))
    before = upcoming.closes_at
    response = team_client.post(reverse("ami_campaign_close_now", args=[upcoming.pk]), follow=True)
    upcoming.refresh_from_db()
    assert upcoming.closes_at == before
    assert any("ne peut pas être clôturée avant d’avoir ouvert" in m for m in messages_of(response))
    assert not CampaignEvent.objects.exists()


def test_open_now_opens_an_upcoming_campaign_and_refuses_an_open_one(team_client, clock):
    upcoming = make_campaign(opens_in=timedelta(days=3), closes_in=timedelta(days=30))
    assert "Ouvrir maintenant" in page(team_client, upcoming)
    url = reverse("ami_campaign_open_now", args=[upcoming.pk])
    assert team_client.get(url).status_code == 405
    response = team_client.post(url, follow=True)
    upcoming.refresh_from_db()
    assert upcoming.opens_at == NOW and upcoming.is_open()
    assert any("est ouverte depuis le 15 mars 2027 à 10 h" in m for m in messages_of(response))
    assert "Ouvrir maintenant" not in page(team_client, upcoming)

    again = team_client.post(url, follow=True)
    assert any("déjà ouverte" in m for m in messages_of(again))
    [row] = journal_rows(team_client, upcoming)
    assert row[2] == "Ouverte maintenant" and "État : à venir → ouvert" in row[3]


def test_open_now_refuses_a_closed_campaign(team_client, clock):
    closed = make_campaign(opens_in=timedelta(days=-30), closes_in=timedelta(days=-1))
    response = team_client.post(reverse("ami_campaign_open_now", args=[closed.pk]), follow=True)
    assert any("prolongez-la" in m for m in messages_of(response))
    assert not CampaignEvent.objects.exists()


def test_extend_for_everyone_takes_paris_time_and_must_be_later(team_client, open_campaign):
    url = reverse("ami_campaign_extend", args=[open_campaign.pk])
    form = team_client.get(url).content.decode()
    assert 'type="datetime-local"' in form and 'value="2027-03-31T23:59"' in form  # current deadline, Paris

    earlier = team_client.post(url, {"closes_at": "2027-03-20T12:00"})
    assert earlier.status_code == 400
    soup = BeautifulSoup(earlier.content, "html.parser")
    summary = soup.select_one("#campaign-error-summary").get_text(" ")
    assert "doit être postérieure à la date limite actuelle (31 mars 2027 à 23 h 59)" in summary
    assert soup.select_one('#campaign-error-summary a[href="#id_closes_at"]')
    assert "doit être postérieure" in soup.select_one("#id_closes_at").find_parent(
        class_="w-field__wrapper").get_text(" ")
    garbage = team_client.post(url, {"closes_at": "31 mars"})
    assert garbage.status_code == 400 and "Saisissez une date et une heure valides" in garbage.content.decode()
    empty = team_client.post(url, {"closes_at": ""})
    assert empty.status_code == 400 and "Indiquez la nouvelle date limite" in empty.content.decode()
    open_campaign.refresh_from_db()
    assert open_campaign.closes_at == CLOSES and not CampaignEvent.objects.exists()

    response = team_client.post(url, {"closes_at": "2027-04-15T18:00"}, follow=True)
    open_campaign.refresh_from_db()
    assert open_campaign.closes_at == dt.datetime(2027, 4, 15, 18, 0, tzinfo=PARIS)  # 16:00 UTC (summer time)
    assert any("prolongée jusqu’au 15 avril 2027 à 18 h pour toutes les communes" in m for m in messages_of(response))
    [row] = journal_rows(team_client, open_campaign)
    assert "Date limite : 31 mars 2027 à 23 h 59 → 15 avril 2027 à 18 h" in row[3]


def test_extending_a_closed_campaign_reopens_it(team_client, clock):
    closed = make_campaign(opens_in=timedelta(days=-30), closes_in=timedelta(days=-1))
    team_client.post(reverse("ami_campaign_extend", args=[closed.pk]), {"closes_at": "2027-03-20T23:59"})
    closed.refresh_from_db()
    assert closed.is_open()
    assert "État : clos → ouvert" in journal_rows(team_client, closed)[0][3]


def test_extension_for_one_commune_grant_edit_withdraw_with_journal(team_client, open_campaign):
    add_url = reverse("ami_campaign_extension_add", args=[open_campaign.pk])
    lille = commune("Lille")
    too_early = team_client.post(add_url, {"commune": lille.pk, "closes_at": "2027-03-30T12:00", "reason": "Conseil"})
    assert too_early.status_code == 400
    assert "doit finir après la date limite de la campagne (31 mars 2027 à 23 h 59)" in too_early.content.decode()
    missing = team_client.post(add_url, {"commune": "", "closes_at": "", "reason": ""})
    text = missing.content.decode()
    assert missing.status_code == 400
    for message in ("Choisissez la commune", "Indiquez la nouvelle date limite", "Indiquez le motif"):
        assert message in text
    both = team_client.post(add_url, {"commune": lille.pk, "closes_at": "2027-03-30T12:00", "reason": ""})
    summary = BeautifulSoup(both.content, "html.parser").select_one("#campaign-error-summary").get_text(" ")
    assert "Indiquez le motif" in summary and "doit finir après la date limite de la campagne" in summary
    assert not CampaignExtension.objects.exists()

    response = team_client.post(
        add_url, {"commune": lille.pk, "closes_at": "2027-04-10T12:00", "reason": "Délibération du 8 avril"}, follow=True
    )
    assert any("le dossier de Lille reste modifiable jusqu’au 10 avril 2027 à 12 h" in m for m in messages_of(response))
    extension = CampaignExtension.objects.get()
    assert extension.closes_at == dt.datetime(2027, 4, 10, 12, 0, tzinfo=PARIS)

    edit_url = reverse("ami_campaign_extension_edit", args=[open_campaign.pk, lille.pk])
    assert 'value="2027-04-10T12:00"' in team_client.get(edit_url).content.decode()
    team_client.post(edit_url, {"closes_at": "2027-04-20T12:00", "reason": "Conseil reporté"})
    extension.refresh_from_db()
    assert extension.closes_at == dt.datetime(2027, 4, 20, 12, 0, tzinfo=PARIS) and extension.reason == "Conseil reporté"

    withdraw_url = reverse("ami_campaign_extension_withdraw", args=[open_campaign.pk, lille.pk])
    assert "Retirer la prolongation" in team_client.get(withdraw_url).content.decode()
    assert CampaignExtension.objects.exists()  # GET only asks
    team_client.post(withdraw_url)
    assert not CampaignExtension.objects.exists()

    rows = journal_rows(team_client, open_campaign)
    assert [row[2] for row in rows] == [
        "Prolongation d’une commune retirée : Lille",
        "Prolongation d’une commune modifiée : Lille",
        "Prolongation accordée à une commune : Lille",
    ]
    assert "Date limite : 20 avril 2027 à 12 h → —" in rows[0][3]
    assert "Date limite : 10 avril 2027 à 12 h → 20 avril 2027 à 12 h" in rows[1][3]
    assert "Motif : Délibération du 8 avril → Conseil reporté" in rows[1][3]
    assert "Date limite : — → 10 avril 2027 à 12 h" in rows[2][3]


def test_edit_form_of_the_campaign_is_logged_and_refuses_closing_before_opening(team_client, open_campaign):
    url = reverse("ami_campaign_modeladmin_edit", args=[open_campaign.pk])
    data = {
        "title": open_campaign.title, "statistics_year": 2026, "first_engagement_year": 2027,
        "opens_at": "2027-03-05 10:00", "closes_at": "2027-03-01 10:00", "team_email": "bnm@lillemetropole.fr",
    }
    refused = team_client.post(url, data)
    assert refused.status_code == 200
    assert "doit être postérieure à l’ouverture" in refused.content.decode()
    open_campaign.refresh_from_db()
    assert open_campaign.closes_at == CLOSES and not CampaignEvent.objects.exists()

    data["closes_at"] = "2027-04-02 23:59"
    assert team_client.post(url, data).status_code == 302
    [row] = journal_rows(team_client, open_campaign)
    assert row[2] == "Dates modifiées"
    assert "Date limite : 31 mars 2027 à 23 h 59 → 2 avril 2027 à 23 h 59" in row[3]
    assert "Ouverture : 5 mars 2027 à 10 h → 5 mars 2027 à 10 h" not in row[3]  # unchanged: not listed

    data["title"] = "Nouveau titre"
    team_client.post(url, data)
    assert CampaignEvent.objects.count() == 1  # a title is not a date: nothing more in the journal


def test_campaign_list_links_to_the_campaign_page(team_client, open_campaign):
    content = team_client.get(reverse("ami_campaign_modeladmin_index")).content.decode()
    assert reverse("ami_campaign_timing", args=[open_campaign.pk]) in content and "Calendrier et journal" in content


def test_actions_need_the_csrf_token(open_campaign, clock):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(member(TEAM_GROUP, "equipe2"))
    response = csrf_client.post(reverse("ami_campaign_close_now", args=[open_campaign.pk]))
    assert response.status_code == 403
    open_campaign.refresh_from_db()
    assert open_campaign.closes_at == CLOSES


def test_editors_are_refused_the_campaign_page_and_actions(client, clock, open_campaign):
    client.force_login(member(EDITORS_GROUP, "editeur"))
    lille = commune("Lille")
    CampaignExtension.objects.create(campaign=open_campaign, commune=lille, closes_at=CLOSES + timedelta(days=5))
    urls = [
        reverse("ami_campaign_timing", args=[open_campaign.pk]),
        reverse("ami_campaign_open_now", args=[open_campaign.pk]),
        reverse("ami_campaign_close_now", args=[open_campaign.pk]),
        reverse("ami_campaign_extend", args=[open_campaign.pk]),
        reverse("ami_campaign_extension_add", args=[open_campaign.pk]),
        reverse("ami_campaign_extension_edit", args=[open_campaign.pk, lille.pk]),
        reverse("ami_campaign_extension_withdraw", args=[open_campaign.pk, lille.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"closes_at": "2027-05-01T12:00", "reason": "x", "commune": lille.pk}).status_code == 403, url
    open_campaign.refresh_from_db()
    assert open_campaign.closes_at == CLOSES and CampaignExtension.objects.get().closes_at == CLOSES + timedelta(days=5)
    assert not CampaignEvent.objects.exists()


def test_campaign_page_query_budget(team_client, open_campaign, django_assert_max_num_queries):
    from ami.services import campaigns as service

    user = get_user_model().objects.get(username="equipe")
    for name in ("Lille", "Roubaix", "Tourcoing", "Wattrelos"):
        service.grant_extension(open_campaign, commune(name), CLOSES + timedelta(days=3), "Conseil", user)
    for days in range(1, 20):
        service.extend(open_campaign, CLOSES + timedelta(days=days), user)
    with django_assert_max_num_queries(15):
        content = page(team_client, open_campaign)
    assert content.count('data-event="extended"') == 19 and content.count("data-extension=") == 4
    assert timezone.now() == NOW


def test_a_campaign_created_in_the_admin_starts_its_journal(team_client, clock):
    data = {
        "title": "AMI 2028", "statistics_year": 2027, "first_engagement_year": 2028,
        "opens_at": "2027-09-01 09:00", "closes_at": "2027-10-31 23:59", "team_email": "bnm@lillemetropole.fr",
    }
    assert team_client.post(reverse("ami_campaign_modeladmin_create"), data).status_code == 302
    campaign = Campaign.objects.get(title="AMI 2028")
    [row] = journal_rows(team_client, campaign)
    assert row[1] == "Claire Martin" and row[2] == "Campagne créée"
    assert "Ouverture : — → 1er septembre 2027 à 9 h" in row[3]
    assert "Date limite : — → 31 octobre 2027 à 23 h 59" in row[3]
