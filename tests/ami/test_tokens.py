"""Private links: GET changes nothing, POST opens, scoped, expiring, hashed."""
import hashlib
from datetime import timedelta

import time_machine
from django.test import Client

from ami.models import AccessToken
from ami.services.tokens import issue_token

from .factories import commune, make_dossier


def test_token_is_random_and_stored_hashed(dossier):
    raw = issue_token(dossier)
    assert len(raw) >= 43  # 32 random bytes, URL-safe base64
    token = AccessToken.objects.get(dossier=dossier)
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in token.token_hash


def test_link_follows_the_campaign_deadline_when_mel_extends_it(client, dossier):
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
    assert client.get("/candidater/dossier/").status_code == 403
    assert AccessToken.objects.get(dossier=dossier).last_used_at is None
    response = client.post(f"/candidater/acces/{raw}/")
    assert response.status_code == 302 and response["Location"] == "/candidater/dossier/"
    page = client.get("/candidater/dossier/")
    assert page.status_code == 200 and "Roubaix" in page.content.decode()
    assert AccessToken.objects.get(dossier=dossier).last_used_at is not None


def test_token_of_another_dossier_opens_only_that_one(campaign, dossier):
    other = make_dossier(campaign, commune("Lille"))
    raw_other = issue_token(other)
    client = Client()
    client.post(f"/candidater/acces/{raw_other}/")
    text = client.get("/candidater/dossier/").content.decode()
    assert "Lille" in text and "Roubaix" not in text


def test_expired_token_refused(client, dossier):
    raw = issue_token(dossier)
    with time_machine.travel(dossier.campaign.closes_at + timedelta(seconds=1)):
        for method in (client.get, client.post):
            response = method(f"/candidater/acces/{raw}/")
            assert response.status_code == 410
            text = response.content.decode()
            assert "Ce lien a expiré" in text and "/candidater/reprendre/" in text
        assert client.get("/candidater/dossier/").status_code == 403


def test_tampered_and_unknown_tokens_refused(client, dossier):
    raw = issue_token(dossier)
    tampered = raw[:-1] + ("A" if raw[-1] != "A" else "B")
    assert client.post("/candidater/acces/..%2f..%2fetc/").status_code == 404
    for bad in (tampered, "x" * 43, raw[:20], "a" * 500):
        response = client.post(f"/candidater/acces/{bad}/")
        assert response.status_code == 404
        assert "Ce lien n’est pas valide" in response.content.decode()
    assert client.get("/candidater/dossier/").status_code == 403
