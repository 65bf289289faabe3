"""/candidater/reprendre/: same answer whether a dossier exists or not (rate limits: test_link_abuse.py)."""
from django.core import mail
from django.test import Client

from .factories import commune, make_dossier


def _answer(response):
    from bs4 import BeautifulSoup

    main = BeautifulSoup(response.content, "html.parser").find("main")
    return " ".join(main.get_text(" ").split())


def test_same_answer_with_and_without_dossier(campaign, django_capture_on_commit_callbacks):
    make_dossier(campaign, commune("Roubaix"), agent_email="agent@roubaix.fr", elected_email="elu@roubaix.fr")
    with django_capture_on_commit_callbacks(execute=True):
        known = Client(REMOTE_ADDR="10.0.0.1").post("/candidater/reprendre/", {"email": "AGENT@roubaix.fr"})
    with django_capture_on_commit_callbacks(execute=True):
        unknown = Client(REMOTE_ADDR="10.0.0.2").post("/candidater/reprendre/", {"email": "personne@nulle-part.fr"})
    assert known.status_code == unknown.status_code == 200
    assert _answer(known) == _answer(unknown)
    assert [m.to for m in mail.outbox] == [["AGENT@roubaix.fr"]]
    assert "/candidater/acces/" in mail.outbox[0].body


def test_resume_by_commune_and_by_elected_email(campaign, django_capture_on_commit_callbacks):
    make_dossier(campaign, commune("Roubaix"), agent_email="agent@roubaix.fr", elected_email="elu@roubaix.fr")
    with django_capture_on_commit_callbacks(execute=True):
        by_commune = Client().post("/candidater/reprendre/", {"commune": commune("Roubaix").pk})
        nothing = Client().post("/candidater/reprendre/", {"commune": commune("Lille").pk})
        Client().post("/candidater/reprendre/", {"email": "elu@roubaix.fr"})
    assert _answer(by_commune) == _answer(nothing)
    assert sorted(m.to[0] for m in mail.outbox) == ["agent@roubaix.fr", "elu@roubaix.fr"]


def test_resume_requires_something(client, campaign):
    response = client.post("/candidater/reprendre/", {})
    assert "Saisissez une adresse e-mail ou choisissez une commune." in response.content.decode()
