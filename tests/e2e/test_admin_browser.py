"""The Wagtail admin in a real browser, next to the public site's Content-Security-Policy: an editor logs
in, opens the page editor and the AMI back-office (modeladmin), with no JavaScript error, no CSP
violation and no request to another host (the request guard of conftest.py checks all three); and on the
public site the editor's user bar (Wagtail's scripts) works under the policy."""
import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PASSWORD = "motdepasse-editeur-42"


@pytest.fixture
def editor(e2e_db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("editrice", "editrice@example.org", PASSWORD)


def log_in(page, editor):
    page.goto(reverse("wagtailadmin_login"))
    page.locator("input[name=username]").fill(editor.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(lambda url: url.endswith(reverse("wagtailadmin_home")))


def test_editor_opens_the_page_editor_and_the_ami_back_office(page, editor):
    from home.models import HomePage

    log_in(page, editor)
    home = HomePage.objects.live().first()
    response = page.goto(reverse("wagtailadmin_pages:edit", args=[home.pk]))
    assert response.ok and "Content-Security-Policy" not in response.headers
    expect(page.locator("form#page-edit-form")).to_be_visible()
    page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 500))")  # editor scripts settle
    response = page.goto(reverse("ami_dossier_modeladmin_index"))
    assert response.ok
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_editor_user_bar_on_the_public_site_respects_the_policy(page, editor):
    log_in(page, editor)
    response = page.goto("/")
    assert "x-page-cache" not in response.headers  # built for the editor, never the visitors' cached copy
    page.locator("wagtail-userbar").wait_for(state="attached")
    page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 300))")
