"""What a commune sees of an extension granted to it after the general deadline: the call page
says so, that commune can still start, resume, save and submit, another commune cannot, and
every dossier page, the resume link e-mail and the tracker's « Relancer » use the dossier's own
deadline (ami.services.deadlines)."""
import datetime as dt
import re
from datetime import timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.core import mail
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from ami.models import AccessToken, CampaignExtension, Dossier
from ami.services.submission import submit_dossier
from home.dates import PARIS

from .factories import (
    commune,
    complete_dossier,
    dossier_path,
    make_campaign,
    make_dossier,
    open_dossier_in_session,
    step_post_data,
    step_url,
)

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2027, 4, 2, 10, 0, tzinfo=PARIS)  # the call closed on 31 March at 23:59
CLOSED_AT = dt.datetime(2027, 3, 31, 23, 59, tzinfo=PARIS)
EXTENDED_TO = dt.datetime(2027, 4, 10, 12, 0, tzinfo=PARIS)
LINK = re.compile(r"/candidater/acces/([^/\s\"]+)/")


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def closed(clock):
    campaign = make_campaign(opens_at=CLOSED_AT - timedelta(days=30), closes_at=CLOSED_AT)
    CampaignExtension.objects.create(
        campaign=campaign, commune=commune("Lille"), closes_at=EXTENDED_TO, reason="Conseil municipal du 8 avril"
    )
    return campaign


def page_text(html) -> str:
    """The text a reader gets (spaces normalised, none before a full stop closing a <strong>)."""
    text = re.sub(r"[ \t\r\n]+", " ", BeautifulSoup(html, "html.parser").get_text(" "))  # keeps the narrow nbsp
    return text.replace(" .", ".")


def start_post(client, name, email="agent@mairie-lille.fr"):
    return client.post(reverse("ami:start"), {"commune": commune(name).pk, "is_network": "false", "agent_email": email})


def test_call_page_names_the_extended_commune_and_its_date_but_not_the_reason(client, closed):
    text = page_text(client.get(reverse("ami:home")).content)
    assert "La date limite générale de dépôt est passée depuis le 31 mars 2027 à 23 h 59, heure de Paris." in text
    assert "Délai prolongé pour la commune de Lille jusqu’au 10 avril 2027 à 12 h, heure de Paris." in text
    assert "Conseil municipal" not in text
    content = client.get(reverse("ami:home")).content.decode()
    assert f'href="{reverse("ami:start")}"' in content and f'href="{reverse("ami:resume")}"' in content


def test_call_page_elides_de_before_a_vowel_and_drops_ended_extensions(client, closed):
    CampaignExtension.objects.create(campaign=closed, commune=commune("Armentières"), closes_at=EXTENDED_TO)
    CampaignExtension.objects.create(campaign=closed, commune=commune("Roubaix"), closes_at=NOW - timedelta(hours=1))
    text = client.get(reverse("ami:home")).content.decode()
    assert "Délai prolongé pour la commune d’Armentières" in text
    assert "Roubaix" not in text


def test_home_page_call_to_action_says_so_too(closed):
    request = RequestFactory().get("/")
    html = render_to_string("includes/ami_cta.html", {"campaign": closed, "menus": {"contact_email": "x"}}, request)
    text = page_text(html)
    assert "Délai prolongé pour la commune de Lille jusqu’au 10 avril 2027 à 12 h, heure de Paris." in text
    assert reverse("ami:start") in html


def test_without_a_running_extension_the_closed_call_offers_nothing(client, closed):
    CampaignExtension.objects.all().delete()
    content = client.get(reverse("ami:home")).content.decode()
    assert "Plus aucune candidature ne peut être déposée ni modifiée" in content
    assert f'href="{reverse("ami:start")}"' not in content and "Délai prolongé" not in content


def test_the_extended_commune_starts_saves_and_submits_after_the_close(client, closed, django_capture_on_commit_callbacks):
    start_form = client.get(reverse("ami:start")).content.decode()
    assert "seule une commune qui a obtenu une prolongation peut encore commencer" in start_form
    with django_capture_on_commit_callbacks(execute=True):
        response = start_post(client, "Lille")
    dossier = Dossier.objects.get(commune__name="Lille")
    assert response.status_code == 302 and response["Location"] == step_url(dossier, "commune")
    [email] = mail.outbox
    assert "Date limite pour ce dossier\u202f: 10 avril 2027 à 12 h, heure de Paris" in email.body
    assert "date limite générale de l’appel\u202f: 31 mars 2027 à 23 h 59" in email.body

    complete_dossier(dossier)
    saved = client.post(step_url(dossier, "engagements"), step_post_data(dossier, "engagements"))
    assert saved.status_code == 302
    assert submit_dossier(dossier.pk).created


def test_another_commune_is_refused_with_a_message_next_to_the_field(client, closed):
    response = start_post(client, "Roubaix")
    assert response.status_code == 403
    soup = BeautifulSoup(response.content, "html.parser")
    message = "La date limite de dépôt est passée pour Roubaix (31 mars 2027 à 23 h 59, heure de Paris)"
    assert message in soup.select_one(".error-summary").get_text(" ")
    assert soup.select_one('.error-summary a[href="#id_commune"]')
    assert message in soup.select_one("#id_commune-error").get_text(" ")
    assert not Dossier.objects.exists()


def test_after_the_extension_ends_nobody_can_start(client, closed, clock):
    clock.move_to(EXTENDED_TO + timedelta(minutes=1))
    assert start_post(client, "Lille").status_code == 403
    assert not Dossier.objects.exists()


def test_resume_page_sends_the_extended_commune_a_link_with_its_deadline(client, closed, django_capture_on_commit_callbacks):
    lille = make_dossier(closed, commune("Lille"), agent_email="agent@mairie-lille.fr")
    make_dossier(closed, commune("Roubaix"), agent_email="agent@ville-roubaix.fr")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("ami:resume"), {"commune": commune("Lille").pk}).status_code == 200
        client.post(reverse("ami:resume"), {"commune": commune("Roubaix").pk})
    [email] = mail.outbox
    assert email.to == ["agent@mairie-lille.fr"]
    assert "Date limite pour ce dossier\u202f: 10 avril 2027 à 12 h, heure de Paris" in email.body
    token = LINK.search(email.body).group(1)
    other = client_for_link(token)
    assert other.get(dossier_path("ami:dossier", lille)).status_code == 200


def client_for_link(token):
    from django.test import Client

    browser = Client()
    assert browser.post(f"/candidater/acces/{token}/").status_code == 302
    return browser


def test_dossier_pages_show_the_dossiers_deadline(client, closed):
    dossier = complete_dossier(make_dossier(closed, commune("Lille")))
    open_dossier_in_session(client, dossier)
    overview = page_text(client.get(dossier_path("ami:dossier", dossier)).content)
    assert "Date limite de dépôt pour ce dossier\u202f: 10 avril 2027 à 12 h, heure de Paris." in overview
    assert "Date limite pour ce dossier\u202f: 10 avril 2027 à 12 h, heure de Paris" in overview  # the banner
    recap = client.get(step_url(dossier, "recapitulatif")).content.decode()
    assert "Jusqu’à la date limite (10 avril 2027 à 12 h, heure de Paris)" in recap
    submit_dossier(dossier.pk)
    confirmation = client.get(dossier_path("ami:confirmation", dossier)).content.decode()
    assert "Jusqu’à la date limite (10 avril 2027 à 12 h, heure de Paris)" in confirmation
    assert "31 mars 2027 à 23 h 59, heure de Paris)" not in confirmation


def test_a_dossier_without_extension_says_its_deadline_passed(client, closed):
    dossier = make_dossier(closed, commune("Roubaix"))
    open_dossier_in_session(client, dossier)
    text = client.get(dossier_path("ami:dossier", dossier)).content.decode()
    assert "La date limite de dépôt est passée</strong> (31 mars 2027 à 23 h 59, heure de Paris)" in text


def test_relancer_works_for_the_extended_commune_after_the_close(client, closed, django_capture_on_commit_callbacks):
    user = get_user_model().objects.create_superuser("equipe", "equipe@example.org", "motdepasse-solide-42")
    client.force_login(user)
    lille = make_dossier(closed, commune("Lille"), agent_email="agent@mairie-lille.fr")
    roubaix = make_dossier(closed, commune("Roubaix"), agent_email="agent@ville-roubaix.fr")
    tracker = client.get(reverse("ami_backoffice_tracker")).content.decode()
    assert reverse("ami_backoffice_remind", args=[lille.pk]) in tracker
    assert reverse("ami_backoffice_remind", args=[roubaix.pk]) not in tracker
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(reverse("ami_backoffice_remind", args=[lille.pk]), follow=True)
        refused = client.post(reverse("ami_backoffice_remind", args=[roubaix.pk]), follow=True)
    assert any("Relance envoyée à agent@mairie-lille.fr" in str(m) for m in sent.context["messages"])
    assert any("La date limite du dossier de Roubaix est passée (31 mars 2027 à 23 h 59)" in str(m)
               for m in refused.context["messages"])
    [email] = mail.outbox
    assert email.to == ["agent@mairie-lille.fr"] and "10 avril 2027 à 12 h" in email.body
    assert AccessToken.objects.filter(dossier=lille).count() == 1 and not AccessToken.objects.filter(dossier=roubaix).exists()


def test_inviter_works_for_an_extended_commune_after_the_close(client, closed, django_capture_on_commit_callbacks):
    user = get_user_model().objects.create_superuser("equipe", "equipe@example.org", "motdepasse-solide-42")
    client.force_login(user)
    lille, roubaix = commune("Lille"), commune("Roubaix")
    tracker = client.get(reverse("ami_backoffice_tracker")).content.decode()
    assert reverse("ami_backoffice_invite", args=[closed.pk, lille.pk]) in tracker
    assert reverse("ami_backoffice_invite", args=[closed.pk, roubaix.pk]) not in tracker
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ami_backoffice_invite", args=[closed.pk, lille.pk]), {"email": "dgs@mairie-lille.fr"})
        refused = client.post(reverse("ami_backoffice_invite", args=[closed.pk, roubaix.pk]), {"email": "dgs@roubaix.fr"})
    assert refused.status_code == 302
    [email] = mail.outbox
    assert email.to == ["dgs@mairie-lille.fr"] and "10 avril 2027 à 12 h" in email.body
