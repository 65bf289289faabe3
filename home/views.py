from django.contrib.sitemaps import Sitemap as DjangoSitemap
from django.contrib.sitemaps.views import sitemap as django_sitemap
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import reverse
from wagtail.models import Page, Site
from wagtail.views import serve as wagtail_serve

from ami.middleware import PUBLIC_VIEWS, private_path_prefixes
from core.pagecache import public_cache
from core.parsing import parse_ascii_int
from core.public_urls import absolute_url, base_scheme_and_host

from .routing import SiteTree
from .search import search_items

SEARCH_PER_PAGE = 10


@public_cache()
def robots_txt(request):
    """The call (/candidater/) is crawled; its private pages (dossiers, private links, the start
    and resume forms), the admin and search results are not (they also answer `noindex`)."""
    disallowed = ["/admin/", *private_path_prefixes(), reverse("search")]
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in disallowed), "", f"Sitemap: {absolute_url(reverse('sitemap'))}"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def page_not_found(request, exception=None):
    return render(request, "404.html", {"seo_noindex": True}, status=404)


def server_error(request):
    return render(request, "500.html", status=500)


def serve_ics(request, path):
    """Wagtail only routes slash-terminated paths: hand `/calendrier/bnm.ics` to the calendar page's routes."""
    return wagtail_serve(request, f"{path}/")


def search(request):
    query = request.GET.get("q", "").replace("\x00", "").strip()[:200]  # PostgreSQL text cannot hold NUL
    results = None
    if query:
        queryset = Page.objects.live().public().exclude(depth=1).search(query, operator="and")
        paginator = Paginator(queryset, SEARCH_PER_PAGE)
        number = parse_ascii_int(request.GET.get("page", "1"), max_digits=6) or 1
        results = paginator.page(min(number, paginator.num_pages))
    items = search_items(results, query, request) if results is not None else []
    return TemplateResponse(request, "search/search.html", {"search_query": query, "results": results, "items": items})


class PagesSitemap(DjangoSitemap):
    """The live public Wagtail pages, read from the site's tree (home.routing.SiteTree, kept per
    generation: no query, no page object): each page's URL on its site, on SITE_BASE_URL, and its
    last publication (as Wagtail's sitemap); view-restricted sections left out as `public()` does."""

    def __init__(self, request):
        self.request = request

    def items(self):
        site = Site.find_for_request(self.request) or Site.objects.select_related("root_page").get(is_default_site=True)
        tree = SiteTree.of(site.root_page, self.request)
        return [(tree.site_url(page), page.lastmod) for page in tree.public_pages()]

    def location(self, item):
        return item[0]

    def lastmod(self, item):
        return item[1]

    def get_protocol(self, protocol=None):
        return base_scheme_and_host()[0]

    def get_domain(self, site=None):
        return base_scheme_and_host()[1]


class ViewsSitemap(DjangoSitemap):
    """Public pages that are Django views, not Wagtail pages (by URL name), on SITE_BASE_URL:
    the integration page and the AMI's public views (ami.middleware.PUBLIC_VIEWS: the call)."""

    changefreq = "weekly"

    def items(self):
        return ["integration", *(f"ami:{name}" for name in sorted(PUBLIC_VIEWS))]

    def location(self, name):
        return reverse(name)

    def get_protocol(self, protocol=None):
        return base_scheme_and_host()[0]

    def get_domain(self, site=None):
        return base_scheme_and_host()[1]


@public_cache()
def sitemap(request):
    """Every live public Wagtail page and the public pages that are views (the AMI's call, the
    integration page), on SITE_BASE_URL."""
    return django_sitemap(request, sitemaps={"pages": PagesSitemap(request), "views": ViewsSitemap()})
