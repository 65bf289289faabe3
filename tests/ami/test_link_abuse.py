"""Link requests under abuse: rate limits on the real client address (behind proxies), per-target
budgets that count e-mails and never lock a referent out, the same answer and the same work for
known and unknown addresses or communes."""
import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from ami.models import AccessToken, OutboxEmail
from ami.views.public import LINK_EMAIL_TARGET_RATE, LINK_REQUEST_IP_RATE
from core.net import client_ip

from .factories import commune, make_campaign, make_dossier

IP_LIMIT = int(LINK_REQUEST_IP_RATE.split("/")[0])
EMAIL_LIMIT = int(LINK_EMAIL_TARGET_RATE.split("/")[0])
RESUME = "/candidater/reprendre/"
EXISTING = "/candidater/commencer/lien/"
LINK = re.compile(r"/candidater/acces/([^/\s]+)/")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
CSP_NONCE = re.compile(r' nonce="[^"]*"')  # a new one in every response


def _post(url, data, ip="192.0.2.1", **headers):
    return Client(REMOTE_ADDR=ip, **headers).post(url, data)


def _without_csrf(response) -> bytes:
    return CSP_NONCE.sub("", CSRF.sub("", response.content.decode())).encode()


# --- The client's address ------------------------------------------------------------------


@pytest.mark.parametrize(("proxies", "remote", "forwarded", "expected"), [
    (0, "198.51.100.7", "", "198.51.100.7"),
    (0, "198.51.100.7", "203.0.113.9", "198.51.100.7"),  # nobody vouches for the header
    (1, "10.0.0.1", "203.0.113.9", "203.0.113.9"),
    (1, "10.0.0.1", "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # the client's own entry is ignored
    (2, "10.0.0.2", "6.6.6.6, 203.0.113.9, 10.0.0.1", "203.0.113.9"),
    (2, "10.0.0.2", "203.0.113.9", "10.0.0.2"),  # shorter than the proxy chain: the connection
    (1, "10.0.0.1", "not-an-address", "10.0.0.1"),
    (1, "10.0.0.1", "2001:db8::1", "2001:db8::1"),
    (0, "", "", "0.0.0.0"),
])
def test_client_ip(settings, proxies, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_a_flooding_client_gets_429(campaign):
    statuses = [_post(RESUME, {"email": f"x{i}@example.fr"}).status_code for i in range(IP_LIMIT + 2)]
    assert statuses == [200] * IP_LIMIT + [429, 429]
    last = _post(EXISTING, {"commune": commune("Lille").pk})
    assert last.status_code == 429 and "Trop de demandes" in last.content.decode()
    assert _post(RESUME, {"email": "x@example.fr"}, ip="192.0.2.2").status_code == 200  # another client


def test_behind_one_proxy_two_clients_have_separate_budgets(campaign, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.1"
    first = [
        _post(RESUME, {"email": f"a{i}@example.fr"}, ip=proxy, HTTP_X_FORWARDED_FOR=f"{i}.6.6.6, 203.0.113.5").status_code
        for i in range(IP_LIMIT + 1)
    ]
    assert first == [200] * IP_LIMIT + [429]  # changing the spoofed left part gives no new budget
    other = _post(RESUME, {"email": "b@example.fr"}, ip=proxy, HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert other.status_code == 200


def test_spoofed_forwarded_for_is_ignored_without_a_trusted_proxy(campaign, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    statuses = [
        _post(RESUME, {"email": f"a{i}@example.fr"}, HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code
        for i in range(IP_LIMIT + 1)
    ]
    assert statuses == [200] * IP_LIMIT + [429]


# --- Per-target budgets: e-mails, not posts; no lock-out ----------------------------------


@pytest.mark.parametrize("target", ["email", "commune", "existing_dossier_button"])
def test_referent_cannot_be_locked_out(campaign, target, django_capture_on_commit_callbacks):
    dossier = make_dossier(campaign, commune("Roubaix"), agent_email="agent@roubaix.fr")
    url, data = {
        "email": (RESUME, {"email": "agent@roubaix.fr"}),
        "commune": (RESUME, {"commune": commune("Roubaix").pk}),
        "existing_dossier_button": (EXISTING, {"commune": commune("Roubaix").pk}),
    }[target]
    answers = set()
    for i in range(30):  # an attacker posting from 30 addresses, then the referent herself
        with django_capture_on_commit_callbacks(execute=True):
            response = _post(url, data, ip=f"198.51.100.{i + 1}")
        assert response.status_code == 200
        answers.add(_without_csrf(response))
    assert len(answers) == 1  # sent, or held back by the budget: the same page
    assert len(mail.outbox) == EMAIL_LIMIT
    assert {tuple(message.to) for message in mail.outbox} == {("agent@roubaix.fr",)}
    latest = LINK.search(mail.outbox[-1].body).group(1)
    assert Client().post(f"/candidater/acces/{latest}/").status_code == 302  # her newest link opens the dossier
    assert AccessToken.objects.filter(dossier=dossier, revoked_at__isnull=True).count() == 1


def test_posts_that_send_nothing_do_not_spend_the_budget(campaign, django_capture_on_commit_callbacks):
    make_dossier(campaign, commune("Roubaix"), agent_email="agent@roubaix.fr")
    for i in range(20):  # refused by the form: no e-mail, no budget spent
        response = _post(RESUME, {"email": "agent@roubaix.fr", "commune": "999999"}, ip=f"198.51.100.{i + 1}")
        text = response.content.decode()
        assert "<h1>Reprendre ma candidature</h1>" in text and "Demande enregistrée" not in text
    with django_capture_on_commit_callbacks(execute=True):
        _post(RESUME, {"email": "agent@roubaix.fr"}, ip="198.51.100.200")
    assert [m.to for m in mail.outbox] == [["agent@roubaix.fr"]]


# --- Same answer, same work ---------------------------------------------------------------


@pytest.mark.parametrize("form", ["email", "commune", "existing_dossier_button"])
def test_known_and_unknown_get_the_same_answer_after_the_same_queries(
    transactional_db, django_db_serialized_rollback, form, django_assert_num_queries, monkeypatch
):
    """Real transactions, as in production: a known request commits its link, an unknown one
    rolls the same work back. The e-mail dispatches (broker publishes in production) are recorded."""
    import ami.tasks

    dispatched = []
    monkeypatch.setattr(ami.tasks, "dispatch_outbox_email", dispatched.append)
    campaign = make_campaign()
    make_dossier(campaign, commune("Roubaix"), agent_email="agent@roubaix.fr")
    known, unknown = {
        "email": ((RESUME, {"email": "agent@roubaix.fr"}), (RESUME, {"email": "personne@nulle-part.fr"})),
        "commune": ((RESUME, {"commune": commune("Roubaix").pk}), (RESUME, {"commune": commune("Lille").pk})),
        "existing_dossier_button": (
            (EXISTING, {"commune": commune("Roubaix").pk}), (EXISTING, {"commune": commune("Lille").pk})
        ),
    }[form]
    _post(*known, ip="198.51.100.3")  # warms the per-process caches (menus, settings, content types)
    with CaptureQueriesContext(connection) as known_queries:
        known_response = _post(*known, ip="198.51.100.1")
    with django_assert_num_queries(len(known_queries)):
        unknown_response = _post(*unknown, ip="198.51.100.2")
    assert known_response.status_code == unknown_response.status_code == 200
    assert _without_csrf(known_response) == _without_csrf(unknown_response)
    # The unknown request published a dispatch too (same broker work), of a row that does not exist.
    assert len(dispatched) == 3
    assert OutboxEmail.objects.filter(pk__in=dispatched).count() == 2
    assert not OutboxEmail.objects.filter(pk=dispatched[-1]).exists()
    assert AccessToken.objects.count() == 2  # the warm-up's and the known one's: nothing left behind
