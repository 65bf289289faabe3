"""The optional TOTP second factor of admin users (django-otp): enrolment with a QR code drawn on
the server, then every login asks for the app's code after the password; a wrong code is refused
in French at the field and in a summary; ADMIN_REQUIRE_2FA sends users without an app to the
enrolment page before any other admin page."""
import datetime as dt
import html
import time

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "motdepasse-solide-42"
START = dt.datetime(2026, 11, 26, 10, 0, 5, tzinfo=dt.UTC)


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_superuser("equipe", "equipe@example.org", PASSWORD)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def code_now(device) -> str:
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def text(response) -> str:
    return html.unescape(response.content.decode())


def log_in(client):
    response = client.post(reverse("wagtailadmin_login"), {"username": "equipe", "password": PASSWORD})
    assert response.status_code == 302
    return response


def enrol(client, clock) -> TOTPDevice:
    page = client.get(reverse("accounts_two_factor"))
    device = TOTPDevice.objects.get(user__username="equipe", confirmed=False)
    response = client.post(reverse("accounts_two_factor"), {"code": code_now(device)})
    assert response.status_code == 302, text(response)
    assert page.status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    clock.shift(dt.timedelta(seconds=30))  # a code is accepted once: the next one is for the next login
    return device


def test_staff_enrols_an_app_then_each_login_asks_for_its_code(client, staff, clock):
    client.force_login(staff)
    page = client.get(reverse("accounts_two_factor"))
    body = text(page)
    assert page.status_code == 200 and "<svg" in body and "otpauth" not in body  # the QR code, drawn here
    device = TOTPDevice.objects.get(user=staff)
    assert not device.confirmed
    assert device.config_url.split("secret=")[1].split("&")[0][:4] in body.replace(" ", "")  # the typed key

    wrong = client.post(reverse("accounts_two_factor"), {"code": "12 34"})
    assert wrong.status_code == 400
    assert "Le code compte exactement 6 chiffres" in text(wrong) and 'id="code-error-summary"' in text(wrong)
    assert client.post(reverse("accounts_two_factor"), {"code": code_now(device)}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert "La double authentification est activée" in text(client.get(reverse("accounts_two_factor")))
    client.post(reverse("wagtailadmin_logout"))
    clock.shift(dt.timedelta(seconds=30))

    log_in(client)
    home = reverse("wagtailadmin_home")
    held = client.get(reverse("wagtailadmin_explore_root"))
    assert held.status_code == 302 and held["Location"].startswith(reverse("accounts_verify"))
    verify = f"{reverse('accounts_verify')}?next={reverse('wagtailadmin_explore_root')}"
    assert "Saisissez maintenant le code" in text(client.get(verify))

    refused = client.post(verify, {"code": "000000" if code_now(device) != "000000" else "111111"})
    assert refused.status_code == 400
    assert "Ce code n’est pas le bon" in text(refused) and 'id="code-error-summary"' in text(refused)
    assert client.get(home).status_code == 302  # still held
    clock.shift(dt.timedelta(seconds=2))  # django-otp makes the next try wait after a failure

    accepted = client.post(verify, {"code": code_now(device)})
    assert accepted.status_code == 302 and accepted["Location"] == reverse("wagtailadmin_explore_root")
    assert client.get(home).status_code == 200


def test_a_code_cannot_be_guessed_quickly(client, staff, clock):
    client.force_login(staff)
    device = enrol(client, clock)
    client.post(reverse("wagtailadmin_logout"))
    log_in(client)
    client.post(reverse("accounts_verify"), {"code": "000000" if code_now(device) != "000000" else "111111"})
    # The right code right after a wrong one waits: the throttle refuses it.
    throttled = client.post(reverse("accounts_verify"), {"code": code_now(device)})
    assert throttled.status_code == 400 and "Trop de codes erronés" in text(throttled)
    assert client.get(reverse("wagtailadmin_home")).status_code == 302


def test_a_held_session_is_anonymous_on_the_rest_of_the_site(client, staff, clock):
    client.force_login(staff)
    search = reverse("search") + "?q=bibliothèque"
    assert "wagtail-userbar" in client.get(search).content.decode()  # a logged-in editor sees the user bar
    enrol(client, clock)
    client.post(reverse("wagtailadmin_logout"))
    log_in(client)
    page = client.get(search)
    assert page.status_code == 200 and "wagtail-userbar" not in page.content.decode()


def test_turning_the_second_factor_off_needs_a_current_code(client, staff, clock):
    client.force_login(staff)
    device = enrol(client, clock)
    assert client.post(reverse("accounts_two_factor"), {"code": ""}).status_code == 400
    assert TOTPDevice.objects.filter(user=staff).exists()
    response = client.post(reverse("accounts_two_factor"), {"code": code_now(device)})
    assert response.status_code == 302 and not TOTPDevice.objects.filter(user=staff).exists()
    client.post(reverse("wagtailadmin_logout"))
    log_in(client)
    assert client.get(reverse("wagtailadmin_home")).status_code == 200  # password alone again


def test_required_second_factor_sends_staff_to_enrolment_first(client, staff, clock, settings):
    settings.ADMIN_REQUIRE_2FA = True
    log_in(client)
    held = client.get(reverse("wagtailadmin_home"))
    assert held.status_code == 302 and held["Location"].startswith(reverse("accounts_two_factor"))
    page = client.get(held["Location"])
    assert "La double authentification est obligatoire" in text(page)
    device = TOTPDevice.objects.get(user=staff)
    response = client.post(reverse("accounts_two_factor"), {"code": code_now(device), "next": reverse("wagtailadmin_home")})
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
    # It cannot be turned off.
    clock.shift(dt.timedelta(seconds=30))
    assert "Désactiver" not in text(client.get(reverse("accounts_two_factor")))
    client.post(reverse("accounts_two_factor"), {"code": code_now(device)})
    assert TOTPDevice.objects.filter(user=staff, confirmed=True).exists()


def test_lost_phone_command_removes_the_app(client, staff, clock):
    from django.core.management import call_command

    client.force_login(staff)
    enrol(client, clock)
    call_command("remove_second_factor", "equipe")
    client.post(reverse("wagtailadmin_logout"))
    log_in(client)
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
