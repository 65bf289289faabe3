"""Admin login lockout (django-axes, keyed on core.net.client_ip): 5 failed logins lock the
client address (whatever the user names) or the account (from any address) until 15 minutes
pass without an attempt, with a French page (HTTP 429); behind TRUSTED_PROXY_COUNT proxies the address is the one the
outermost proxy saw, not the proxy's nor one the client wrote; a successful login clears."""
import datetime as dt
import html

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse

PASSWORD = "motdepasse-solide-42"


@pytest.fixture
def staff(db):
    users = get_user_model().objects
    return (users.create_superuser("equipe", "equipe@example.org", PASSWORD),
            users.create_superuser("collegue", "collegue@example.org", PASSWORD))


def log_in(client, username, password, **meta):
    return client.post(reverse("wagtailadmin_login"), {"username": username, "password": password}, **meta)


def is_logged_in(client) -> bool:
    return client.get(reverse("wagtailadmin_home")).status_code == 200


def assert_locked_out(response):
    assert response.status_code == 429
    text = html.unescape(response.content.decode())
    assert "Connexion bloquée pour 15\u00a0minutes" in text and "Erreur 429" in text
    assert response["Retry-After"] == "900"


def test_five_failed_logins_lock_the_address_even_with_the_right_password(client, staff):
    address = {"REMOTE_ADDR": "203.0.113.7"}
    for attempt in range(4):
        response = log_in(client, f"essai{attempt}", "mauvais", **address)
        assert response.status_code == 200 and "Connexion bloquée" not in response.content.decode()
    assert_locked_out(log_in(client, "essai4", "mauvais", **address))

    assert_locked_out(log_in(client, "equipe", PASSWORD, **address))
    assert not is_logged_in(client)
    # Another address is not locked.
    assert log_in(client, "equipe", PASSWORD, REMOTE_ADDR="203.0.113.8").status_code == 302
    assert is_logged_in(client)


def test_five_failures_on_one_account_lock_it_from_every_address(client, staff):
    for attempt in range(5):
        log_in(client, "equipe", "mauvais", REMOTE_ADDR=f"198.51.100.{attempt + 1}")
    assert_locked_out(log_in(client, "equipe", PASSWORD, REMOTE_ADDR="198.51.100.99"))
    assert log_in(client, "collegue", PASSWORD, REMOTE_ADDR="198.51.100.99").status_code == 302


def test_the_lockout_ends_fifteen_minutes_after_the_last_attempt(client, staff):
    address = {"REMOTE_ADDR": "203.0.113.7"}
    with time_machine.travel(dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC), tick=False) as traveller:
        for _ in range(5):
            log_in(client, "equipe", "mauvais", **address)
        assert_locked_out(log_in(client, "equipe", PASSWORD, **address))
        traveller.shift(dt.timedelta(minutes=14))
        assert_locked_out(log_in(client, "equipe", PASSWORD, **address))  # which starts the 15 minutes again
        traveller.shift(dt.timedelta(minutes=14))
        assert_locked_out(log_in(client, "equipe", PASSWORD, **address))
        traveller.shift(dt.timedelta(minutes=15, seconds=1))
        assert log_in(client, "equipe", PASSWORD, **address).status_code == 302


def test_behind_the_proxy_the_client_address_is_locked_not_the_proxy(client, staff, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    attacker = "198.51.100.9"
    for attempt in range(5):
        # The client writes an address of its own; the proxy appends the one it saw.
        forwarded = f"192.0.2.{attempt}, {attacker}"
        log_in(client, f"essai{attempt}", "mauvais", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=forwarded)
    assert_locked_out(log_in(client, "equipe", PASSWORD, REMOTE_ADDR=proxy,
                             HTTP_X_FORWARDED_FOR=f"192.0.2.200, {attacker}"))
    assert not is_logged_in(client)
    # A colleague behind the same proxy is not locked out.
    response = log_in(client, "equipe", PASSWORD, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert response.status_code == 302 and is_logged_in(client)


def test_without_trusted_proxies_a_forged_forwarded_header_does_not_escape_the_lock(client, staff, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for attempt in range(5):
        log_in(client, f"essai{attempt}", "mauvais", REMOTE_ADDR="203.0.113.7",
               HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}")
    assert_locked_out(log_in(client, "equipe", PASSWORD, REMOTE_ADDR="203.0.113.7",
                             HTTP_X_FORWARDED_FOR="192.0.2.250"))


def test_a_successful_login_clears_the_failures(client, staff):
    address = {"REMOTE_ADDR": "203.0.113.7"}
    for _ in range(4):
        log_in(client, "equipe", "mauvais", **address)
    assert log_in(client, "equipe", PASSWORD, **address).status_code == 302
    client.post(reverse("wagtailadmin_logout"))
    for _ in range(4):
        assert log_in(client, "equipe", "mauvais", **address).status_code == 200
    assert log_in(client, "equipe", PASSWORD, **address).status_code == 302
    assert is_logged_in(client)
