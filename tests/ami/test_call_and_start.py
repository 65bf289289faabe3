"""/candidater/ states, starting a dossier, one dossier per commune."""
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from ami.models import Dossier, DossierCommune, Library
from ami.services import dossiers as dossier_service

from .factories import commune, make_campaign, make_dossier, step_url


def start_post(client, commune_obj, email="agent@example.fr", network="false"):
    return client.post(
        "/candidater/commencer/", {"commune": commune_obj.pk, "is_network": network, "agent_email": email}
    )


@pytest.mark.django_db
def test_call_home_upcoming():
    make_campaign(opens_in=timedelta(days=5), closes_in=timedelta(days=40))
    text = client_get("/candidater/")
    assert "n’est pas encore ouvert" in text and "il ouvre le" in text
    assert "Commencer" not in text


@pytest.mark.django_db
def test_call_home_open_shows_deadline_and_actions(client):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    paris = ZoneInfo("Europe/Paris")
    import time_machine

    with time_machine.travel(datetime(2027, 3, 1, 12, 0, tzinfo=paris), tick=False):
        make_campaign(opens_in=timedelta(days=-10), closes_in=timedelta(days=0),
                      closes_at=datetime(2027, 3, 31, 23, 59, tzinfo=paris))
        text = client.get("/candidater/").content.decode()
    assert "jusqu’au 31 mars 2027 à 23 h 59, heure de Paris" in text
    assert "Il reste 30 jours" in text
    assert ">Commencer<" in text and "Reprendre ma candidature" in text
    # What to prepare: the statistics year of the campaign and how the dossier is validated.
    assert "Les chiffres de 2026" in text
    assert "sinon une délibération sera nécessaire (sa date et son numéro)" in text


@pytest.mark.django_db
def test_call_home_closed_explains_and_gives_contact(client):
    make_campaign(opens_in=timedelta(days=-40), closes_in=timedelta(days=-1))
    text = client.get("/candidater/").content.decode()
    assert "Plus aucune candidature ne peut être déposée ni modifiée" in text
    assert "bnm@lillemetropole.fr" in text
    assert 'href="/candidater/commencer/"' not in text


@pytest.mark.django_db
def test_no_campaign(client):
    assert "Aucun appel" in client.get("/candidater/").content.decode()


def client_get(url):
    from django.test import Client

    return Client().get(url).content.decode()


def test_start_creates_dossier_and_emails_private_link(client, campaign, django_capture_on_commit_callbacks):
    roubaix = commune("Roubaix")
    page = client.get("/candidater/commencer/").content.decode()
    assert "Nom de la commune" in page and page.count("<option") >= 96
    with django_capture_on_commit_callbacks(execute=True):
        response = start_post(client, roubaix, email="claire@ville-roubaix.fr")
    dossier = Dossier.objects.get(campaign=campaign, commune=roubaix)
    assert response.status_code == 302 and response["Location"] == step_url(dossier, "commune")
    assert dossier.agent_email == "claire@ville-roubaix.fr" and dossier.is_network is False
    assert DossierCommune.objects.filter(dossier=dossier, commune=roubaix).exists()
    assert Library.objects.filter(dossier=dossier).count() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["claire@ville-roubaix.fr"]
    link = re.search(r"https?://\S+/candidater/acces/([\w-]+)/", message.body)
    assert link, message.body
    # The session already has access; the e-mailed link works in another browser too.
    assert client.get(step_url(dossier, "commune")).status_code == 200
    from django.test import Client

    other = Client()
    assert other.get(step_url(dossier, "commune")).status_code == 403
    assert other.post(f"/candidater/acces/{link.group(1)}/").status_code == 302
    assert other.get(step_url(dossier, "commune")).status_code == 200


def test_start_validation_in_french(client, campaign):
    response = client.post("/candidater/commencer/", {"commune": "", "agent_email": "pas-un-email"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "Choisissez la commune candidate." in text
    assert "Saisissez une adresse e-mail valide (par exemple nom@ville.fr)." in text
    assert 'class="error-summary" role="alert"' in text
    assert not Dossier.objects.exists()


def test_duplicate_start_same_commune_offers_resume(client, campaign, django_capture_on_commit_callbacks):
    existing = make_dossier(campaign, commune("Roubaix"), agent_email="referent@ville.fr")
    response = start_post(client, commune("Roubaix"), email="intrus@example.fr")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Un dossier existe déjà pour Roubaix" in text
    assert "referent@ville.fr" not in text
    assert Dossier.objects.count() == 1
    assert client.get(reverse("ami:dossiers")).status_code == 403  # no access granted
    assert client.get(step_url(existing, "commune")).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/candidater/commencer/lien/", {"commune": commune("Roubaix").pk})
    assert sent.status_code == 200 and "Demande enregistrée" in sent.content.decode()
    assert [m.to for m in mail.outbox] == [["referent@ville.fr"]]
    assert "/candidater/acces/" in mail.outbox[0].body
    assert existing.access_tokens.count() == 1


def test_duplicate_start_for_network_member_commune(client, campaign):
    network = make_dossier(campaign, commune("Roubaix"), is_network=True)
    DossierCommune.objects.create(dossier=network, commune=commune("Wattrelos"), campaign=campaign)
    response = start_post(client, commune("Wattrelos"))
    assert "Un dossier existe déjà pour Wattrelos" in response.content.decode()
    assert Dossier.objects.count() == 1


def test_start_race_integrity_error_is_already_exists(campaign, monkeypatch):
    """Two simultaneous starts: the loser hits the unique constraint and gets the existing dossier."""
    winner = make_dossier(campaign, commune("Roubaix"))
    real_find = dossier_service.find_dossier_for_commune
    calls = []

    def find_late(*args):
        calls.append(1)
        return None if len(calls) == 1 else real_find(*args)

    monkeypatch.setattr(dossier_service, "find_dossier_for_commune", find_late)
    result = dossier_service.start_dossier(campaign, commune("Roubaix"), is_network=False, agent_email="x@example.fr")
    assert result.created is False and result.dossier.pk == winner.pk
    assert Dossier.objects.count() == 1


def test_start_refused_when_closed(client, db):
    make_campaign(opens_in=timedelta(days=-40), closes_in=timedelta(days=-1))
    response = start_post(client, commune("Roubaix"))
    assert response.status_code == 403
    assert not Dossier.objects.exists()
