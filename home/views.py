from django.contrib.sitemaps import Sitemap as DjangoSitemap
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import reverse
from wagtail.contrib.sitemaps import Sitemap as WagtailSitemap
from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap
from wagtail.models import Page
from wagtail.views import serve as wagtail_serve

from core.parsing import parse_ascii_int
from core.public_urls import absolute_url, page_url

SEARCH_PER_PAGE = 10


def robots_txt(request):
    sitemap_url = absolute_url(reverse("sitemap"))
    return HttpResponse(
        f"User-agent: *\nDisallow: /admin/\nDisallow: /candidater/\nDisallow: /recherche/\n\nSitemap: {sitemap_url}\n",
        content_type="text/plain",
    )


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


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
    return TemplateResponse(request, "search/search.html", {"search_query": query, "results": results})


class PublicSitemap(WagtailSitemap):
    """Wagtail's sitemap with each page's address on SITE_BASE_URL (not the request's host)."""

    def location(self, obj):
        return page_url(obj)

    def _urls(self, page, protocol, domain):
        urls = super()._urls(page, protocol, domain)
        for url_info in urls:
            url_info["location"] = absolute_url(url_info["location"])
        return urls


class ViewsSitemap(DjangoSitemap):
    """Public pages that are Django views, not Wagtail pages (by URL name), on SITE_BASE_URL."""

    names = ["integration"]

    def items(self):
        return self.names

    def location(self, name):
        return reverse(name)

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        for url_info in urls:
            url_info["location"] = absolute_url(reverse(url_info["item"]))
        return urls


def sitemap(request):
    return wagtail_sitemap(request, sitemaps={"wagtail": PublicSitemap(request), "views": ViewsSitemap()})
