"""The AMI's private pages are never cached, and dossier access ends with the browser or after idle time."""
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.conf import settings
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from ami.services.tokens import issue_token
from tests.home.test_security_headers import assert_strict_policy_without_inline_code

from .factories import commune, dossier_path

PRIVATE_CACHE = {"no-store", "private"}


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.headers.get("Cache-Control", "").split(",") if part.strip()}


def ami_links(html: str) -> set[str]:
    """The AMI URLs a page links to (pages and downloads), except the public call page."""
    out = set()
    for anchor in BeautifulSoup(html, "html.parser").find_all("a", href=True):
        path = urlsplit(anchor["href"]).path
        try:
            match = resolve(path)
        except Resolver404:
            continue
        if match.namespace == "ami" and match.url_name != "home":
            out.add(path)
    return out


def crawl(client, start: str) -> dict[str, object]:
    """Every AMI page reachable from `start` by links (two levels), with its response."""
    seen: dict[str, object] = {}
    frontier = {start}
    for _ in range(4):
        next_frontier = set()
        for url in frontier - seen.keys():
            response = client.get(url)
            seen[url] = response
            if response.status_code in (301, 302, 303):
                next_frontier.add(urlsplit(response["Location"]).path)
            elif response.get("Content-Type", "").startswith("text/html"):
                next_frontier |= ami_links(response.content.decode())
        frontier = next_frontier
    return seen


def test_every_dossier_page_and_download_is_no_store(referent, complete, django_capture_on_commit_callbacks):
    pages = crawl(referent, reverse("ami:dossiers"))
    names = {resolve(url).url_name for url in pages}
    assert {"dossiers", "dossier", "step", "draft_pdf", "signed_document"} <= names, names
    for url, response in pages.items():
        assert response.status_code in (200, 302), url
        assert PRIVATE_CACHE <= cache_control(response), (url, response.headers.get("Cache-Control"))
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            assert_strict_policy_without_inline_code(response)  # strict CSP, no inline code

    with django_capture_on_commit_callbacks(execute=True):
        submitted = referent.post(dossier_path("ami:submit", complete))
    assert PRIVATE_CACHE <= cache_control(submitted)
    pages = crawl(referent, dossier_path("ami:confirmation", complete))
    assert {"confirmation", "receipt_pdf"} <= {resolve(url).url_name for url in pages}
    for url, response in pages.items():
        assert response.status_code in (200, 302), url
        assert PRIVATE_CACHE <= cache_control(response), url


def test_no_access_page_is_no_store_too(client, dossier):
    response = client.get(dossier_path("ami:dossier", dossier))
    assert response.status_code == 403
    assert PRIVATE_CACHE <= cache_control(response)


def test_private_link_start_and_resume_answers_are_no_store(client, dossier):
    token = issue_token(dossier)
    for response in (
        client.get(reverse("ami:access", args=[token])),
        client.post(reverse("ami:access", args=[token])),
        client.get(reverse("ami:start")),
        client.post(reverse("ami:start"), {"commune": commune("Tourcoing").pk, "agent_email": "a@example.fr",
                                           "is_network": "false"}),
        client.get(reverse("ami:resume")),
        client.post(reverse("ami:resume"), {"email": "personne@example.fr"}),
    ):
        assert PRIVATE_CACHE <= cache_control(response), (response.request["PATH_INFO"], response.status_code)


def test_public_call_page_stays_cacheable(client, campaign):
    assert "no-store" not in cache_control(client.get(reverse("ami:home")))


def test_dossier_session_cookie_ends_with_the_browser(client, dossier):
    response = client.post(reverse("ami:access", args=[issue_token(dossier)]))
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value and not cookie["max-age"] and not cookie["expires"]  # a browser-session cookie
    assert cookie["httponly"]


def test_dossier_access_ends_after_the_idle_time_and_slides_with_use(client, dossier):
    idle = timedelta(seconds=settings.AMI_SESSION_IDLE_SECONDS)
    assert idle == timedelta(hours=2)
    start = timezone.now()
    overview = dossier_path("ami:dossier", dossier)
    with time_machine.travel(start, tick=False) as clock:
        client.post(reverse("ami:access", args=[issue_token(dossier)]))
        assert client.get(overview).status_code == 200
        clock.move_to(start + idle - timedelta(minutes=1))
        assert client.get(overview).status_code == 200  # used again: the idle time starts over
        clock.move_to(start + 2 * idle - timedelta(minutes=2))
        assert client.get(overview).status_code == 200
        clock.move_to(start + 3 * idle)  # more than 2 h without a dossier page
        response = client.get(overview)
        assert response.status_code == 403
        assert "lien" in response.content.decode()
        clock.move_to(start + 3 * idle + timedelta(minutes=1))
        assert client.get(overview).status_code == 403  # access is gone, not just one page


@pytest.mark.parametrize("idle_seconds", [600])
def test_idle_time_is_a_setting(client, dossier, settings, idle_seconds):
    settings.AMI_SESSION_IDLE_SECONDS = idle_seconds
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client.post(reverse("ami:access", args=[issue_token(dossier)]))
        assert client.get(dossier_path("ami:dossier", dossier)).status_code == 200
        clock.move_to(start + timedelta(seconds=idle_seconds + 1))
        assert client.get(dossier_path("ami:dossier", dossier)).status_code == 403
