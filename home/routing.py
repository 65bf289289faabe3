"""Serving a Wagtail page in a few queries: the site of the request, the page tree and the view
restrictions are read from the cache (core.pagecache.cached: rebuilt after any publish, move,
deletion or change of a page, a site or a restriction), so a page costs one query to find
(its own row) instead of two per level of the tree, plus what its template lists.

- `CachedSiteMiddleware` gives Wagtail the site of the request (`Site.find_for_request`) and
  the root paths of the sites (the URL of a page given the request: `get_url(request)`);
- `SiteTree` is every page of a site (id, path, URL path, type, title, live) and the paths
  with a view restriction;
- `TreeRoutingMixin` (the site's root page, HomePage) routes a URL with the tree, exactly as
  Wagtail's `Page.route` would, down to the page that answers it; a page with routes of its own
  (RoutablePageMixin) decides its sub-paths itself;
- `RoutedPageMixin` (every page type) answers Wagtail's view-restriction check and the
  breadcrumbs from the tree when the page was routed so.
"""
from __future__ import annotations

import datetime as dt
import functools
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import DisallowedHost
from django.db.models.functions import Coalesce
from django.http import Http404
from django.http.request import split_domain_port
from django.urls import reverse
from django.utils.functional import cached_property
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.coreutils import WAGTAIL_APPEND_SLASH
from wagtail.models import Page, PageViewRestriction, Site

from core import pagecache


class CachedSiteMiddleware:
    """Find the Wagtail site of the request in the cache (one query per generation and host
    instead of one per request), once the URL names a view that may read it, and only when it
    is read: a step save answered by a redirect or by JSON reads no site, and costs no Redis
    round trip for it. Below the page cache: a hit never needs it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # _wagtail_site: the attribute Site.find_for_request reads (hasattr would read it here).
        if "_wagtail_site" in vars(request) or isinstance(request, LazySiteRequest):
            return None
        try:
            request.get_host()  # a host outside ALLOWED_HOSTS gets no cache entry (Django refuses it)
        except DisallowedHost:
            return None
        request.__class__ = _lazy_site_class(type(request))
        return None


class LazySiteRequest:
    """Mixed into the request's class by CachedSiteMiddleware: `_wagtail_site` is cached_site()'s
    answer, looked up on first read (Site.find_for_request's hasattr) and kept for the request;
    so are the sites' root paths (`_wagtail_cached_site_root_paths`, Page._get_site_root_paths)."""

    @cached_property
    def _wagtail_site(self):
        return cached_site(self)

    @cached_property
    def _wagtail_cached_site_root_paths(self):
        # Wagtail's URL of a page given the request (get_url, pageurl, routable pages) reads the
        # root paths of every site: kept with the rest, not one read of the shared cache per page.
        return pagecache.cached("wagtail:site_root_paths", Site.get_site_root_paths, self)


@functools.cache
def _lazy_site_class(request_class: type) -> type:
    return type(request_class.__name__, (LazySiteRequest, request_class), {"__module__": request_class.__module__})


def cached_site(request) -> Site | None:
    # Site._find_for_request's own reading of the request (raw host: no ALLOWED_HOSTS check here).
    hostname = split_domain_port(request._get_raw_host())[0]
    port = request.get_port()
    return pagecache.cached(f"wagtail:site:{hostname}:{port}", lambda: _find_site(request), request)


def _find_site(request) -> Site | None:
    site = Site._find_for_request(request)
    if site is not None and site.root_page_id is not None:
        # Kept with its root page as its own type (HomePage): Wagtail's serve() starts every route
        # from `site.root_page.specific`, a query per request otherwise.
        site.root_page = site.root_page.specific
    return site


@dataclass(frozen=True)
class TreePage:
    pk: int
    path: str
    url_path: str
    depth: int
    title: str
    content_type_id: int
    live: bool
    alias_of_id: int | None
    lastmod: dt.datetime | None = None  # last publication (Wagtail's sitemap lastmod)

    @property
    def model(self):
        return ContentType.objects.get_for_id(self.content_type_id).model_class()

    def as_page(self) -> Page:
        """A generic Page holding these fields only: for its title and URL (get_url), nothing else."""
        return Page(id=self.pk, path=self.path, url_path=self.url_path, depth=self.depth, title=self.title,
                    content_type_id=self.content_type_id, live=self.live)


@dataclass
class SiteTree:
    root_path: str
    by_url_path: dict[str, TreePage] = field(default_factory=dict)
    by_path: dict[str, TreePage] = field(default_factory=dict)
    by_pk: dict[int, TreePage] = field(default_factory=dict)
    restricted_paths: tuple[str, ...] = ()

    @classmethod
    def build(cls, root: Page) -> SiteTree:
        tree = cls(root_path=root.path)
        ancestors = Page.objects.filter(path__in=[root.path[:end] for end in range(Page.steplen, len(root.path), Page.steplen)])
        rows = (ancestors | Page.objects.filter(path__startswith=root.path)).values_list(
            "pk", "path", "url_path", "depth", "title", "content_type_id", "live", "alias_of_id",
            Coalesce("last_published_at", "latest_revision_created_at"),
        )
        for row in rows:
            page = TreePage(*row)
            tree.by_path[page.path] = page
            tree.by_pk[page.pk] = page
            if page.path.startswith(root.path):
                tree.by_url_path[page.url_path] = page
        tree.restricted_paths = tuple(PageViewRestriction.objects.values_list("page__path", flat=True))
        return tree

    @classmethod
    def of(cls, root: Page, request=None) -> SiteTree:
        return pagecache.cached(f"wagtail:tree:{root.pk}", lambda: cls.build(root), request)

    def site_url(self, page: TreePage) -> str | None:
        """The page's URL on the tree's site, as `page.get_url(request)` gives it for a request of
        that site (its path below the site's root page), without a page object; None for a page
        outside the site (the tree's ancestors of its root)."""
        root = self.by_path.get(self.root_path)
        if root is None or not page.path.startswith(self.root_path):
            return None
        url = reverse("wagtail_serve", args=(page.url_path[len(root.url_path):],))
        return url if WAGTAIL_APPEND_SLASH or url == "/" else url.rstrip("/")

    def public_pages(self) -> list[TreePage]:
        """The live pages of the site that no view restriction covers, in tree order (Wagtail's
        `live().public()` below the root, inclusive)."""
        return sorted(
            (page for page in self.by_url_path.values()
             if page.live and not any(page.path.startswith(path) for path in self.restricted_paths)),
            key=lambda page: page.path,
        )

    def ancestors(self, page) -> list[TreePage] | None:
        """The page's ancestors from the tree's root (None when one is missing from the tree)."""
        found = []
        for end in range(Page.steplen, len(page.path), Page.steplen):
            ancestor = self.by_path.get(page.path[:end])
            if ancestor is None:
                return None
            found.append(ancestor)
        return found

    def is_restricted(self, page) -> bool:
        """True when a view restriction may apply to the page: one on the page or an ancestor, or
        an alias on the way (Wagtail then checks the alias's source: its own query decides)."""
        if any(page.path.startswith(path) for path in self.restricted_paths):
            return True
        ancestors = self.ancestors(page)
        return ancestors is None or any(p.alias_of_id is not None for p in [*ancestors, page])


def _decides_sub_paths(model, remaining: list[str]) -> bool:
    """True when a page of `model` answers `remaining` itself instead of handing it to a child
    page as Page.route does: a routable page whose routes match it, or any other own route()."""
    if model.route is Page.route:
        return False
    if issubclass(model, RoutablePageMixin) and model.route is RoutablePageMixin.route:
        try:
            model.get_resolver().resolve("/" + "/".join(remaining) + "/")
        except Http404:
            return False  # RoutablePageMixin.route then falls back to Page.route: the child
    return True


# The site's tree while a page routed with it is rendered (RoutedPageMixin.serve): the pages its
# blocks link to are read from it (home.blocks.SitePageChooserBlock), not from the database.
RENDERING_TREE: ContextVar[SiteTree | None] = ContextVar("bnm_rendering_tree", default=None)


class RoutedPageMixin:
    """Before `Page` in every page class: what the tree answers without a query once the page
    was routed by TreeRoutingMixin (`routed_tree`); otherwise Wagtail's own answers."""

    routed_tree: SiteTree | None = None

    def serve(self, request, *args, **kwargs):
        if self.routed_tree is None:
            return super().serve(request, *args, **kwargs)
        token = RENDERING_TREE.set(self.routed_tree)
        try:
            response = super().serve(request, *args, **kwargs)
            if getattr(response, "is_rendered", True) is False:
                response.render()  # now, while the tree is the one of this request
            return response
        finally:
            RENDERING_TREE.reset(token)

    def get_view_restrictions(self):
        tree = self.routed_tree
        if tree is not None and not tree.is_restricted(self):
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()

    def tree_ancestors(self) -> list[TreePage] | None:
        """The page's ancestors (from the tree's root) when it was routed with the tree, else None."""
        return self.routed_tree.ancestors(self) if self.routed_tree is not None else None


# A value no page id takes, standing for the id in the query read_page() has Django write once.
_ANY_PK = -7_919_993


@functools.cache
def _page_query(model) -> tuple[str, tuple, int]:
    """The SELECT of one page of `model` by id, as its default manager's `filter(pk=…)` writes
    it, with the position of the id among its parameters."""
    sql, params = model._default_manager.filter(pk=_ANY_PK).query.sql_with_params()
    if params.count(_ANY_PK) != 1:
        raise ValueError(f"{model.__name__}: the id is not a parameter of its query")
    return sql, params, params.index(_ANY_PK)


def read_page(model, pk: int):
    """The page `pk` of `model` with all its fields (as `model.objects.get(pk=pk)`), or None. The
    query Django writes for it is kept per page type: `get()` writes it again on every request
    (a FAQ page's row read in 0.8 ms instead of 1.1)."""
    sql, params, position = _page_query(model)
    rows = list(model._default_manager.raw(sql, (*params[:position], pk, *params[position + 1:])))
    return rows[0] if rows else None


class TreeRoutingMixin(RoutedPageMixin):
    """On the site's root page: route with the cached tree (see the module's docstring)."""

    def route(self, request, path_components):
        tree = SiteTree.of(self, request)
        url_path, found, consumed = self.url_path, None, 0
        for component in path_components:
            if found is not None and _decides_sub_paths(found.model, path_components[consumed:]):
                break
            child = tree.by_url_path.get(f"{url_path}{component}/")
            if child is None:
                break
            url_path, found, consumed = child.url_path, child, consumed + 1
        if found is None or found.model is None:
            self.routed_tree = tree
            return super().route(request, path_components)
        page = read_page(found.model, found.pk)
        if page is None:  # deleted since the tree was built: Wagtail's own walk decides
            return super().route(request, path_components)
        page.routed_tree = tree
        # The URLs the page gives of itself (`page.url`, its feeds' addresses) from the root paths
        # kept for the request (CachedSiteMiddleware), as `page.get_url(request)` would.
        if hasattr(request, "_wagtail_cached_site_root_paths"):
            page._wagtail_cached_site_root_paths = request._wagtail_cached_site_root_paths
        return page.route(request, path_components[consumed:])
