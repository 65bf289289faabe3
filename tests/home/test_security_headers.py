"""Security headers of the public site: a nonce-based CSP, Permissions-Policy; the admin keeps working;
`check --deploy` is clean with the production settings."""
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.urls import reverse

from home.models import HomePage

from .test_pages import PUBLIC_PAGES

REQUIRED_DIRECTIVES = {
    "default-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_strict_policy_without_inline_code(response):
    """No nonce (the page cache would replay it to everyone), so no inline code at all: scripts
    come from this origin's files, or are data blocks (JSON-LD), which a browser never runs."""
    directives = policy(response)
    for name, value in REQUIRED_DIRECTIVES.items():
        assert directives[name] == [value], (name, directives.get(name))
    for name in ("script-src", "style-src"):
        assert directives[name] == ["'self'"], (name, directives[name])
    soup = BeautifulSoup(response.content, "html.parser")
    scripts = soup.find_all("script")
    assert scripts, "the page has no script to check"
    for element in scripts:
        data_block = element.get("type") == "application/ld+json"
        assert data_block or (element.get("src", "").startswith("/static/") and not element.string), str(element)[:200]
    assert not soup.find_all("style"), "inline style element"
    assert not soup.find_all(style=True), [str(e)[:120] for e in soup.find_all(style=True)]
    assert not [a for e in soup.find_all(True) for a in e.attrs if a.startswith("on")], "inline event handler"


@pytest.mark.django_db
@pytest.mark.parametrize("url", [url for url, _ in PUBLIC_PAGES] + ["/candidater/"])
def test_public_pages_have_a_strict_csp_and_no_inline_code(editors_items, client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert_strict_policy_without_inline_code(response)
    assert_strict_policy_without_inline_code(client.get(url))  # the same from the page cache


@pytest.mark.django_db
def test_faq_structured_data_is_a_data_block(content, client):
    response = client.get("/faq/")
    assert_strict_policy_without_inline_code(response)
    assert '<script type="application/ld+json">' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/robots.txt", "/calendrier/bnm.ics", "/page-qui-n-existe-pas/"])
def test_permissions_policy_on_every_response(content, client, url):
    response = client.get(url)
    header = response.headers["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in header
    assert "Content-Security-Policy" in response.headers


@pytest.mark.django_db
def test_public_pages_set_no_cookie(content, client):
    for url in ("/", "/faq/", reverse("ami:home")):
        assert not client.get(url).cookies, url


@pytest.mark.django_db
def test_admin_is_outside_the_policy_and_still_renders(content, client):
    """The Wagtail editor needs inline scripts and styles: /admin/ has no CSP, keeps the other headers."""
    user = get_user_model().objects.create_superuser("editrice", "editrice@example.org", "motdepasse-long-42")
    assert "Content-Security-Policy" not in client.get(reverse("wagtailadmin_login")).headers
    client.force_login(user)
    home = HomePage.objects.live().first()
    for url in (
        reverse("wagtailadmin_home"),
        reverse("wagtailadmin_pages:edit", args=[home.pk]),
        reverse("wagtailadmin_explore", args=[home.pk]),
        reverse("ami_dossier_modeladmin_index"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Content-Security-Policy" not in response.headers
        assert "camera=()" in response.headers["Permissions-Policy"]


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "bnm.example.org",
    }
    for name in ("SECURE_SSL_REDIRECT", "DJANGO_ALLOW_ASYNC_UNSAFE"):  # the latter: set by the browser tests
        env.pop(name, None)
    manage = Path(__file__).resolve().parents[2] / "manage.py"
    result = subprocess.run(
        [sys.executable, str(manage), "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"System check identified no issues \(\d+ silenced\)", result.stdout), result.stdout
