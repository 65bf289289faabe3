"""Private links: GET changes nothing, POST opens, scoped, expiring, revoked, hashed."""
import hashlib
import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ami.models import AccessToken
from ami.services.tokens import issue_token, revoke_links

from .factories import commune, dossier_path, make_campaign, make_dossier

LINK = re.compile(r"/candidater/acces/([^/\s]+)/")


def _open(raw):
    """POST the private link from a fresh browser: (status, page text)."""
    response = Client().post(f"/candidater/acces/{raw}/")
    return response.status_code, response.content.decode()


def _links_in_mails():
    return [LINK.search(message.body).group(1) for message in mail.outbox]


def test_token_is_random_and_stored_hashed(dossier):
    raw = issue_token(dossier)
    assert len(raw) >= 43  # 32 random bytes, URL-safe base64
    token = AccessToken.objects.get(dossier=dossier)
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in token.token_hash


def test_link_follows_the_campaign_deadline_when_mel_extends_it(client, dossier, settings):
    settings.AMI_LINK_LIFETIME_DAYS = 60  # longer than the campaign: the deadline decides
    raw = issue_token(dossier)
    campaign = dossier.campaign
    with time_machine.travel(campaign.closes_at + timedelta(hours=1)):
        assert client.post(f"/candidater/acces/{raw}/").status_code in (404, 410)
    campaign.closes_at += timedelta(days=7)
    campaign.save()
    with time_machine.travel(campaign.closes_at - timedelta(days=6)):
        assert client.post(f"/candidater/acces/{raw}/").status_code == 302


def test_get_shows_button_and_grants_nothing(client, dossier):
    raw = issue_token(dossier)
    for _ in range(3):  # a mail scanner may fetch the link several times
        response = client.get(f"/candidater/acces/{raw}/")
        assert response.status_code == 200
        assert "Ouvrir mon dossier" in response.content.decode()
    assert client.get(reverse("ami:dossiers")).status_code == 403
    assert client.get(dossier_path("ami:dossier", dossier)).status_code == 403
    assert AccessToken.objects.get(dossier=dossier).last_used_at is None
    response = client.post(f"/candidater/acces/{raw}/")
    assert response.status_code == 302 and response["Location"] == dossier_path("ami:dossier", dossier)
    page = client.get(dossier_path("ami:dossier", dossier))
    assert page.status_code == 200 and "Roubaix" in page.content.decode()
    assert AccessToken.objects.get(dossier=dossier).last_used_at is not None


def test_token_of_another_dossier_opens_only_that_one(campaign, dossier):
    other = make_dossier(campaign, commune("Lille"))
    raw_other = issue_token(other)
    client = Client()
    client.post(f"/candidater/acces/{raw_other}/")
    text = client.get(reverse("ami:dossiers"), follow=True).content.decode()
    assert "Lille" in text and "Roubaix" not in text
    assert client.get(dossier_path("ami:dossier", dossier)).status_code == 403


def test_expired_token_refused(client, dossier):
    raw = issue_token(dossier)
    with time_machine.travel(dossier.campaign.closes_at + timedelta(seconds=1)):
        for method in (client.get, client.post):
            response = method(f"/candidater/acces/{raw}/")
            assert response.status_code == 410
            text = response.content.decode()
            assert "Ce lien a expiré" in text and "/candidater/reprendre/" in text
        assert client.get(reverse("ami:dossiers")).status_code == 403


def test_tampered_and_unknown_tokens_refused(client, dossier):
    raw = issue_token(dossier)
    tampered = raw[:-1] + ("A" if raw[-1] != "A" else "B")
    assert client.post("/candidater/acces/..%2f..%2fetc/").status_code == 404
    for bad in (tampered, "x" * 43, raw[:20], "a" * 500):
        response = client.post(f"/candidater/acces/{bad}/")
        assert response.status_code == 404
        assert "Ce lien n’est pas valide" in response.content.decode()
    assert client.get(reverse("ami:dossiers")).status_code == 403


@pytest.fixture
def long_campaign(db):
    return make_campaign(closes_in=timedelta(days=120))


@pytest.mark.parametrize("days", [30, 7])
def test_link_expires_after_its_lifetime_and_the_page_says_how_to_get_a_new_one(long_campaign, settings, days):
    if days != 30:
        settings.AMI_LINK_LIFETIME_DAYS = days
    dossier = make_dossier(long_campaign)
    issued = timezone.now()
    with time_machine.travel(issued, tick=False):
        raw = issue_token(dossier)
    with time_machine.travel(issued + timedelta(days=days) - timedelta(seconds=1), tick=False):
        assert _open(raw)[0] == 302
    with time_machine.travel(issued + timedelta(days=days), tick=False):
        for method in ("get", "post"):
            response = getattr(Client(), method)(f"/candidater/acces/{raw}/")
            text = response.content.decode()
            assert response.status_code == 410
            assert "Ce lien a expiré" in text
            assert f"n’est valable que {days} jours" in text
            assert 'href="/candidater/reprendre/">Recevoir un nouveau lien' in text
        assert Client().get(reverse("ami:dossiers")).status_code == 403


def test_link_never_outlives_the_campaign_deadline(dossier, settings):
    settings.AMI_LINK_LIFETIME_DAYS = 365
    raw = issue_token(dossier)
    closes_at = dossier.campaign.closes_at
    with time_machine.travel(closes_at - timedelta(seconds=1), tick=False):
        assert _open(raw)[0] == 302
    with time_machine.travel(closes_at, tick=False):
        status, text = _open(raw)
        assert status == 410 and "Ce lien a expiré" in text and "date limite de dépôt" in text


def test_link_email_gives_the_expiry_date(long_campaign, django_capture_on_commit_callbacks):
    make_dossier(long_campaign, agent_email="agent@roubaix.fr")
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 5, 4, 10, 0)), tick=False):
        long_campaign.closes_at = timezone.now() + timedelta(days=120)
        long_campaign.opens_at = timezone.now() - timedelta(days=1)
        long_campaign.save()
        with django_capture_on_commit_callbacks(execute=True):
            Client().post("/candidater/reprendre/", {"email": "agent@roubaix.fr"})
    body = mail.outbox[0].body
    assert "valable jusqu’au 3 juin 2026 à 10 h, heure de Paris (30 jours au plus" in body
    assert "Il remplace les liens envoyés auparavant" in body


@pytest.mark.parametrize("flow", ["resume_by_email", "resume_by_commune", "existing_dossier_button"])
def test_new_link_revokes_the_older_ones(campaign, flow, django_capture_on_commit_callbacks):
    dossier = make_dossier(campaign, commune("Roubaix"), agent_email="agent@roubaix.fr")
    first = issue_token(dossier)
    posts = {
        "resume_by_email": ("/candidater/reprendre/", {"email": "agent@roubaix.fr"}),
        "resume_by_commune": ("/candidater/reprendre/", {"commune": commune("Roubaix").pk}),
        "existing_dossier_button": ("/candidater/commencer/lien/", {"commune": commune("Roubaix").pk}),
    }
    url, data = posts[flow]
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            assert Client().post(url, data).status_code == 200
    second, third = _links_in_mails()
    for old in (first, second):
        status, text = _open(old)
        assert status == 410 and "Ce lien a été remplacé" in text and "Recevoir un nouveau lien" in text
    assert _open(third)[0] == 302
    live = AccessToken.objects.filter(dossier=dossier, revoked_at__isnull=True)
    assert live.count() == 1 and AccessToken.objects.filter(dossier=dossier).count() == 3


def test_revoke_links_closes_every_link_of_that_dossier_only(campaign):
    dossier = make_dossier(campaign, commune("Roubaix"))
    other = make_dossier(campaign, commune("Lille"))
    old, current, other_raw = issue_token(dossier), issue_token(dossier), issue_token(other)
    assert revoke_links(dossier) == 1  # the older one was already revoked by the newer
    assert _open(old)[0] == _open(current)[0] == 410
    assert "Ce lien a été remplacé" in _open(current)[1]
    assert _open(other_raw)[0] == 302
    assert revoke_links(dossier) == 0
    assert _open(issue_token(dossier))[0] == 302  # a new link works again


def test_the_database_refuses_two_live_links_for_one_dossier(dossier):
    AccessToken.objects.create(dossier=dossier, token_hash="a" * 64)
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessToken.objects.create(dossier=dossier, token_hash="b" * 64)


@pytest.mark.parametrize("tick", [True, False])
def test_leave_can_revoke_every_link_of_the_dossier(campaign, tick):
    roubaix, lille = make_dossier(campaign), make_dossier(campaign, commune("Lille"))
    roubaix_link, lille_link = issue_token(roubaix), issue_token(lille)
    browser = Client()
    for raw in (roubaix_link, lille_link):
        assert browser.post(reverse("ami:access", args=[raw])).status_code == 302
    page = browser.get(dossier_path("ami:dossier", roubaix)).content.decode()
    assert 'name="revoke_links"' in page and "Désactiver aussi tous les liens privés" in page
    data = {"revoke_links": "1"} if tick else {}
    response = browser.post(dossier_path("ami:leave", roubaix), data, follow=True)
    text = response.content.decode()
    assert "Le dossier de la commune de Roubaix est fermé sur cet appareil" in text
    assert ("tous ses liens privés sont désactivés" in text) is tick
    assert browser.get(dossier_path("ami:dossier", roubaix)).status_code == 403
    status, text = _open(roubaix_link)
    if tick:
        assert status == 410 and "Ce lien a été remplacé" in text  # the page also says how to get a new one
        assert not AccessToken.objects.filter(dossier=roubaix, revoked_at__isnull=True).exists()
    else:
        assert status == 302
    assert _open(lille_link)[0] == 302  # the other dossier's link is untouched
