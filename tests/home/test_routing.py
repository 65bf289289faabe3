"""home/routing.py routes public URLs with a cached copy of the page tree: it must answer every
URL exactly as Wagtail's own `Page.route` would (same page, same sub-route, same 404), so a
Wagtail upgrade that changes routing shows up here."""
import datetime as dt

import pytest
from django.http import Http404
from django.test import RequestFactory
from wagtail.models import Page, PageViewRestriction, Site

from home.models import HomePage, StandardPage
from tests.home.conftest import add_event

pytestmark = pytest.mark.django_db


def outcome(route, request, components):
    """What a visitor gets: the page (type and id) and the sub-route's view and arguments, or 404."""
    try:
        result = route(request, components)
    except Http404:
        return "404"
    page, args, kwargs = result
    if args and callable(args[0]):  # RoutablePageMixin: (view, view_args, view_kwargs)
        args = (args[0].__name__, *args[1:])
    # Every field of the page as read (home.routing.read_page reads the row with a query of its own).
    return type(page).__name__, page.pk, page.serializable_data(), args, kwargs


def urls_to_try(home):
    pages = Page.objects.descendant_of(home, inclusive=True).specific()
    paths = set()
    for page in pages:
        relative = page.url_path[len(home.url_path):]
        paths.update({relative, relative + "inconnue/", relative + "rss/", relative + "bnm.ics/",
                      relative + f"{page.slug}.ics/", relative + "rss/en-trop/"})
    return sorted(paths) + ["inconnue/", "calendrier/inconnue.ics/", "a/b/c/"]


def assert_same_routing_as_wagtail(home):
    site_root = HomePage.objects.get(pk=home.pk)
    request = RequestFactory().get("/")
    request._wagtail_site = Site.objects.get(is_default_site=True)
    tried = 0
    for relative in urls_to_try(site_root):
        components = [part for part in relative.split("/") if part]
        ours = outcome(HomePage.objects.get(pk=home.pk).route, request, components)
        wagtails = outcome(lambda r, c: Page.route(HomePage.objects.get(pk=home.pk), r, c), request, components)
        assert ours == wagtails, relative
        tried += 1
    return tried


def test_every_url_of_the_site_routes_as_wagtail_routes_it(content):
    home = HomePage.objects.get()
    assert assert_same_routing_as_wagtail(home) > 60


def test_drafts_unpublished_restricted_and_aliased_pages_route_as_wagtail(content):
    home = HomePage.objects.get()
    add_event("atelier-2027", "Atelier", dt.date(2027, 2, 4))
    contact = StandardPage.objects.get(slug="contact")
    contact.unpublish()
    draft = StandardPage(title="Brouillon", slug="brouillon", live=False, body="<p>Texte</p>")
    home.add_child(instance=draft)
    restricted = StandardPage(title="Réservée", slug="reservee", body="<p>Texte</p>")
    home.add_child(instance=restricted)
    restricted.save_revision().publish()
    PageViewRestriction.objects.create(page=restricted, restriction_type=PageViewRestriction.PASSWORD, password="x")
    restricted.add_child(instance=StandardPage(title="Sous-page", slug="sous-page", body="<p>Texte</p>"))
    faq = Page.objects.get(slug="faq")
    faq.create_alias(parent=restricted, update_slug="faq-alias")
    assert assert_same_routing_as_wagtail(home) > 60


def test_the_tree_gives_each_page_the_url_wagtail_gives_it(content):
    """SiteTree.site_url (breadcrumbs, sitemap) is Page.get_url(request) without a page object."""
    from home.routing import SiteTree

    add_event("atelier-2027", "Atelier", dt.date(2027, 2, 4))
    home = HomePage.objects.get()
    request = RequestFactory().get("/")
    request._wagtail_site = Site.objects.get(is_default_site=True)
    tree = SiteTree.build(home)
    pages = list(Page.objects.descendant_of(home, inclusive=True))
    assert len(pages) > 20
    for page in pages:
        assert tree.site_url(tree.by_pk[page.pk]) == page.get_url(request), page.url_path
    root = Page.objects.get(depth=1)
    assert tree.site_url(tree.by_pk[root.pk]) is None
