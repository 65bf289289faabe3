"""The portal's point of view: the fetch() example copied from /integration/ into a page of
another origin shows the BNM's latest news and the call's status (CORS in a real browser), and
links to the portal are marked as leaving the site."""
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from .helpers import assert_no_axe_violations

pytestmark = pytest.mark.e2e


def other_origin(url: str) -> str:
    """The live server under its other local name: another origin for the browser."""
    parts = urlsplit(url)
    host = "127.0.0.1" if parts.hostname == "localhost" else "localhost"
    return f"{parts.scheme}://{host}:{parts.port}"


def test_fetch_example_works_on_another_origin(page, bnm_content, settings):
    settings.SITE_BASE_URL = bnm_content.url  # the examples' addresses: this live server
    page.goto("/integration/")
    assert_no_axe_violations(page, "integration page")
    example = page.locator("pre.code-example", has_text="fetch(").inner_text()
    assert f'fetch("{bnm_content.url}/integration/bnm.json")' in example

    # A page of the portal (another origin) holding the copied example, and nothing of ours.
    portal = other_origin(bnm_content.url) + "/portail/"
    page.route(portal, lambda route: route.fulfill(
        status=200, content_type="text/html; charset=utf-8",
        body=f'<!DOCTYPE html><html lang="fr"><head><title>Portail</title></head><body><main>{example}</main></body></html>',
    ))
    # Both origins are on this machine: Chromium asks before a page reads the loopback address
    # (Local Network Access), which the real portal, on the Internet, never needs.
    page.context.grant_permissions(["local-network-access"], origin=other_origin(bnm_content.url))
    with page.expect_response(lambda r: r.url.endswith("/integration/bnm.json")) as answer:
        page.goto(portal)
    assert answer.value.headers["access-control-allow-origin"] == "*"
    news = page.locator("#bnm-actualites li a")
    expect(news.first).to_have_text("Démonstration : une actualité d’exemple")
    assert news.first.get_attribute("href").startswith(bnm_content.url + "/actualites/")
    expect(news.last).to_have_text("Toutes les actualités de la BNM")  # the no-JS link stays, last
    expect(page.locator("#bnm-appel a")).to_contain_text("Candidatures ouvertes")


def test_portal_links_are_marked_as_leaving_the_site(page, bnm_content):
    page.goto("/")
    links = page.locator("a[href^='https://asuivre.lillemetropole.fr']")
    assert links.count() >= 3  # header, home page, footer
    for index in range(links.count()):
        link = links.nth(index)
        assert link.get_attribute("target") is None
        expect(link).to_have_accessible_name(re.compile(r"à suivre.*\(site externe\)$"))
        assert link.locator("svg.external-marker").is_visible()
