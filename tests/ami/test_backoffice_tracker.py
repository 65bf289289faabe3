"""« Suivi des communes »: every commune's état for a campaign, counts, filter, « Relancer », « Inviter »."""
import re
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ami.backoffice.groups import TEAM_GROUP
from ami.models import AccessToken, Commune, Dossier, DossierCommune, Library, OutboxEmail

from .factories import commune, dossier_path, make_campaign, make_dossier

pytestmark = pytest.mark.django_db
LINK = re.compile(r"/candidater/acces/([^/\s]+)/")


@pytest.fixture
def team_client(client):
    user = get_user_model().objects.create_user("equipe", "equipe@example.org", "motdepasse-solide-42")
    user.groups.add(Group.objects.get(name=TEAM_GROUP))
    client.force_login(user)
    return client


def _rows(response) -> dict[str, list[str]]:
    soup = BeautifulSoup(response.content, "html.parser")
    return {
        tr.th.get_text(strip=True): [" ".join(td.get_text(" ").split()) for td in tr.find_all("td")]
        for tr in soup.select("tbody tr[data-commune]")
    }


def _counts(response) -> dict[str, int]:
    soup = BeautifulSoup(response.content, "html.parser")
    return {span["data-count"]: int(span.get_text()) for span in soup.select("[data-count]")}


def _submit(dossier, receipt):
    dossier.status = dossier.Status.SUBMITTED
    dossier.receipt_number = receipt
    dossier.submitted_at = timezone.now()
    dossier.version = 1
    dossier.save()


def test_tracker_shows_every_commune_with_its_state_and_network(team_client, campaign):
    make_dossier(campaign, commune("Roubaix"))
    submitted = make_dossier(campaign, commune("Lille"))
    DossierCommune.objects.create(dossier=submitted, commune=commune("Lezennes"), campaign=campaign)
    _submit(submitted, "BNM-2027-0001")
    other_campaign = make_campaign(title="AMI ancien", opens_in=timedelta(days=-400), closes_in=timedelta(days=-300))
    make_dossier(other_campaign, commune("Tourcoing"))

    response = team_client.get(reverse("ami_backoffice_tracker"))
    assert response.status_code == 200
    rows = _rows(response)
    assert len(rows) == Commune.objects.count() == 95
    roubaix_state, roubaix_detail, roubaix_network, roubaix_action = rows["Roubaix"]
    assert roubaix_state == "brouillon"
    assert roubaix_detail.startswith("dernière activité le ") and str(timezone.now().year) in roubaix_detail
    assert roubaix_network == "—" and roubaix_action == "Relancer Roubaix"
    assert rows["Lille"][:3] == ["déposé", rows["Lille"][1], "Lezennes, Lille"]
    assert rows["Lille"][1].startswith("récépissé BNM-2027-0001, déposé le ")
    assert rows["Lezennes"][0] == "déposé" and rows["Lezennes"][2] == "Lezennes, Lille (dossier de Lille)"
    assert rows["Tourcoing"] == ["pas commencé", "—", "—", "Inviter Tourcoing"]  # its dossier is another campaign's
    assert _counts(response) == {"not_started": 92, "draft": 1, "submitted": 2, "in_review": 0, "to_complete": 0, "accepted": 0, "rejected": 0}

    only_drafts = team_client.get(reverse("ami_backoffice_tracker"), {"etat": "draft", "campaign": campaign.pk})
    assert list(_rows(only_drafts)) == ["Roubaix"]
    older = team_client.get(reverse("ami_backoffice_tracker"), {"campaign": other_campaign.pk})
    assert _rows(older)["Tourcoing"][0] == "brouillon" and _counts(older)["draft"] == 1
    assert "Relancer" not in older.content.decode()  # a closed campaign: nothing to send


def test_hostile_query_strings_fall_back_to_the_current_campaign(team_client, campaign):
    for params in ({"campaign": "٣"}, {"campaign": "9" * 40}, {"etat": "<script>"}, {"campaign": "\x00"}):
        response = team_client.get(reverse("ami_backoffice_tracker"), params)
        assert response.status_code == 200 and campaign.title in response.content.decode()


def _query_count(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_tracker_query_budget_with_95_communes_and_100_dossiers(team_client, campaign, django_assert_max_num_queries):
    url = reverse("ami_backoffice_tracker")
    older = make_campaign(title="AMI ancien", opens_in=timedelta(days=-400), closes_in=timedelta(days=-300))
    communes = list(Commune.objects.order_by("name"))
    current = [make_dossier(campaign, communes[0], libraries=3)]
    _query_count(team_client, url)  # warm the per-process caches (content types, locales)
    with_one_dossier = _query_count(team_client, url)
    current += [make_dossier(campaign, item, libraries=3) for item in communes[1:80]]
    for item in communes[80:] + communes[:5]:  # 100 dossiers in all, 20 of them in the old campaign
        make_dossier(older, item, libraries=3)
    DossierCommune.objects.create(dossier=current[0], commune=communes[94], campaign=campaign)  # a network
    assert Library.objects.count() == 300
    with django_assert_max_num_queries(22):  # the admin's own queries (session, user, menu permissions) + 4
        response = team_client.get(url)
    assert _counts(response) == {"not_started": 14, "draft": 81, "submitted": 0, "in_review": 0, "to_complete": 0, "accepted": 0, "rejected": 0}
    assert _query_count(team_client, url) == with_one_dossier


def test_relancer_sends_one_email_whose_link_opens_the_dossier(team_client, campaign, django_capture_on_commit_callbacks):
    dossier = make_dossier(campaign, commune("Roubaix"), agent_email="agent@roubaix.fr")
    from ami.services.tokens import issue_token

    old_raw = issue_token(dossier)
    with django_capture_on_commit_callbacks(execute=True):
        response = team_client.post(reverse("ami_backoffice_remind", args=[dossier.pk]), {"etat": "draft"}, follow=True)
    assert response.status_code == 200
    assert "Relance envoyée à agent@roubaix.fr pour Roubaix" in response.content.decode()
    assert response.redirect_chain[-1][0].endswith(f"campaign={campaign.pk}&etat=draft")
    assert OutboxEmail.objects.filter(dossier=dossier).count() == 1
    assert [m.to for m in mail.outbox] == [["agent@roubaix.fr"]]
    raw = LINK.search(mail.outbox[0].body).group(1)
    browser = Client()
    opened = browser.post(f"/candidater/acces/{raw}/")
    assert opened.status_code == 302 and opened["Location"] == dossier_path("ami:dossier", dossier)
    assert browser.get(opened["Location"]).status_code == 200
    assert Client().post(f"/candidater/acces/{old_raw}/").status_code != 302  # the older link is revoked
    assert AccessToken.objects.filter(dossier=dossier, revoked_at__isnull=True).count() == 1


def test_relancer_is_post_only_and_refuses_submitted_dossiers(team_client, campaign):
    dossier = make_dossier(campaign, commune("Roubaix"))
    assert team_client.get(reverse("ami_backoffice_remind", args=[dossier.pk])).status_code == 405
    _submit(dossier, "BNM-2027-0009")
    response = team_client.post(reverse("ami_backoffice_remind", args=[dossier.pk]), follow=True)
    assert "est déjà déposé" in response.content.decode()
    assert not mail.outbox and not OutboxEmail.objects.exists()


def test_relancer_needs_the_csrf_token(campaign):
    user = get_user_model().objects.create_superuser("admin", "admin@example.org", "motdepasse-solide-42")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    dossier = make_dossier(campaign, commune("Roubaix"))
    assert browser.post(reverse("ami_backoffice_remind", args=[dossier.pk])).status_code == 403
    assert not OutboxEmail.objects.exists()


def test_inviter_validates_the_address_in_french(team_client, campaign):
    url = reverse("ami_backoffice_invite", args=[campaign.pk, commune("Tourcoing").pk])
    page = team_client.get(url)
    assert page.status_code == 200 and "Inviter Tourcoing à candidater" in page.content.decode()
    for value, message in [("", "Indiquez l’adresse e-mail"), ("pas-une-adresse", "Saisissez une adresse e-mail valide")]:
        response = team_client.post(url, {"email": value})
        assert response.status_code == 400
        soup = BeautifulSoup(response.content, "html.parser")
        field = soup.find(id="id_email")
        wrapper = field.find_parent(attrs={"data-field": True}) or field.parent.parent
        assert message in wrapper.get_text(" ")
        assert message in soup.find(id="invite-error-summary").get_text(" ")
    assert not OutboxEmail.objects.exists()


def test_inviter_sends_the_call_page_address_once(team_client, campaign, django_capture_on_commit_callbacks, settings):
    url = reverse("ami_backoffice_invite", args=[campaign.pk, commune("Tourcoing").pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = team_client.post(url, {"email": " Mairie@Tourcoing.fr "}, follow=True)
    assert "Invitation envoyée à mairie@tourcoing.fr pour Tourcoing." in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        again = team_client.post(url, {"email": "mairie@tourcoing.fr"}, follow=True)
    assert "déjà été invitée" in again.content.decode()
    assert [m.to for m in mail.outbox] == [["mairie@tourcoing.fr"]]
    assert f"{settings.SITE_BASE_URL}{reverse('ami:home')}" in mail.outbox[0].body
    assert "Tourcoing" in mail.outbox[0].subject and campaign.title in mail.outbox[0].body


def test_inviter_refuses_a_commune_that_has_a_dossier(team_client, campaign):
    make_dossier(campaign, commune("Roubaix"))
    url = reverse("ami_backoffice_invite", args=[campaign.pk, commune("Roubaix").pk])
    response = team_client.post(url, {"email": "mairie@roubaix.fr"}, follow=True)
    assert "a déjà un dossier" in response.content.decode()
    assert not OutboxEmail.objects.exists()


def test_no_invitation_to_a_closed_campaign(team_client):
    closed = make_campaign(title="AMI clos", opens_in=timedelta(days=-400), closes_in=timedelta(days=-300))
    url = reverse("ami_backoffice_invite", args=[closed.pk, commune("Tourcoing").pk])
    response = team_client.post(url, {"email": "mairie@tourcoing.fr"}, follow=True)
    assert "est close" in response.content.decode() and not OutboxEmail.objects.exists()
    assert "Inviter" not in team_client.get(reverse("ami_backoffice_tracker"), {"campaign": closed.pk}).content.decode()


def test_tracker_shows_review_states_and_decisions_and_reminds_a_dossier_to_complete(team_client, campaign):
    under_review = make_dossier(campaign, commune("Lille"))
    _submit(under_review, "BNM-2027-0001")
    accepted = make_dossier(campaign, commune("Tourcoing"))
    _submit(accepted, "BNM-2027-0002")
    to_complete = make_dossier(campaign, commune("Roubaix"))
    _submit(to_complete, "BNM-2027-0003")
    Dossier.objects.filter(pk=under_review.pk).update(status=Dossier.Status.IN_REVIEW)
    Dossier.objects.filter(pk=accepted.pk).update(status=Dossier.Status.ACCEPTED)
    Dossier.objects.filter(pk=to_complete.pk).update(
        status=Dossier.Status.TO_COMPLETE, completion_due_at=timezone.now() + timedelta(days=5)
    )

    response = team_client.get(reverse("ami_backoffice_tracker"))
    rows = _rows(response)
    assert rows["Lille"][0] == "en instruction" and rows["Lille"][1].startswith("récépissé BNM-2027-0001")
    assert rows["Lille"][3] == ""  # under review: nothing to remind
    assert rows["Tourcoing"][0] == "retenu"
    assert rows["Roubaix"][0] == "à compléter"
    assert rows["Roubaix"][1].startswith("à compléter avant le ")
    assert rows["Roubaix"][3] == "Relancer Roubaix"
    counts = _counts(response)
    assert (counts["in_review"], counts["accepted"], counts["to_complete"], counts["submitted"]) == (1, 1, 1, 0)
    decided = team_client.get(reverse("ami_backoffice_tracker"), {"etat": "accepted", "campaign": campaign.pk})
    assert list(_rows(decided)) == ["Tourcoing"]
