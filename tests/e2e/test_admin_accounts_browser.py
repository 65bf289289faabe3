"""Admin accounts in a real browser: a user enrols an authenticator app from the account menu
(QR code drawn by the server, nothing from another host), a user with an app gives its code after
the password (a wrong one refused at the field), and five failed logins show the French lockout
page; axe-core finds nothing on any of these pages."""
import time

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from .helpers import assert_no_axe_violations

pytestmark = pytest.mark.e2e

PASSWORD = "motdepasse-equipe-42"


@pytest.fixture
def staff(e2e_db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("equipe-bnm", "equipe@example.org", PASSWORD)


def code_now(device) -> str:
    from django_otp.oath import TOTP

    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def submit_login(page, username, password):
    page.goto(reverse("wagtailadmin_login"))
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").first.click()


def test_staff_enrols_an_authenticator_app(page, staff):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    submit_login(page, staff.username, PASSWORD)
    page.wait_for_url(lambda url: url.endswith(reverse("wagtailadmin_home")))
    page.goto(reverse("wagtailadmin_account"))
    page.get_by_role("tab", name="Actions").click()  # Wagtail's account page lists hook items under this tab
    page.get_by_role("link", name="Double authentification").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Double authentification")
    expect(page.get_by_role("img", name="Code QR à scanner avec votre application d’authentification")).to_be_visible()
    assert_no_axe_violations(page, "the enrolment page")

    page.get_by_label("Code à 6 chiffres").fill("12")
    page.get_by_role("button", name="Activer la double authentification").click()
    expect(page.locator("#code-error-summary")).to_contain_text("exactement 6 chiffres")
    assert_no_axe_violations(page, "the enrolment page with an error")

    device = TOTPDevice.objects.get(user=staff)
    page.get_by_label("Code à 6 chiffres").fill(code_now(device))
    page.get_by_role("button", name="Activer la double authentification").click()
    expect(page.get_by_text("Double authentification activée")).to_be_visible()
    device.refresh_from_db()
    assert device.confirmed


def test_login_asks_for_the_code_after_the_password(page, staff, settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the wrong code below does not make the right one wait
    device = TOTPDevice.objects.create(user=staff, name="Téléphone", confirmed=True)
    submit_login(page, staff.username, PASSWORD)
    page.wait_for_url(lambda url: reverse("accounts_verify") in url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Double authentification")
    assert_no_axe_violations(page, "the code page")

    page.get_by_label("Code à 6 chiffres").fill("000000" if code_now(device) != "000000" else "111111")
    page.get_by_role("button", name="Valider le code").click()
    expect(page.locator("#code-error-summary")).to_contain_text("Ce code n’est pas le bon")
    assert_no_axe_violations(page, "the code page with an error")

    page.get_by_label("Code à 6 chiffres").fill(code_now(device))
    page.get_by_role("button", name="Valider le code").click()
    page.wait_for_url(lambda url: url.endswith(reverse("wagtailadmin_home")))


def test_five_failed_logins_show_the_lockout_page(page, staff):
    for _ in range(5):
        submit_login(page, staff.username, "mauvais-mot-de-passe")
        page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion bloquée pour 15\u00a0minutes")
    assert_no_axe_violations(page, "the lockout page")


def test_required_second_factor_starts_at_the_enrolment_page(page, staff, settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.ADMIN_REQUIRE_2FA = True
    submit_login(page, staff.username, PASSWORD)
    page.wait_for_url(lambda url: reverse("accounts_two_factor") in url)
    expect(page.get_by_text("La double authentification est obligatoire")).to_be_visible()
    assert_no_axe_violations(page, "the required enrolment page")
    page.get_by_label("Code à 6 chiffres").fill(code_now(TOTPDevice.objects.get(user=staff)))
    page.get_by_role("button", name="Activer la double authentification").click()
    page.wait_for_url(lambda url: url.endswith(reverse("wagtailadmin_home")))
    expect(page.get_by_text("Double authentification activée")).to_be_visible()
