"""The page cache for anonymous visitors (README, « Page cache »).

A response is stored only when its view opted in (`public_cache`, or a page class with
`CachedPageMixin`), the request came without a session or message cookie and without a query
string, the status is 200 and the response sets no cookie and is not marked private. Stored
entries are served to the next anonymous GET or HEAD of the same URL without touching the
database; a conditional request with the entry's ETag gets a 304.

Invalidation is by generation: `invalidate()` (connected to page publish, unpublish, move,
delete, and to the models public pages read: settings, sites, campaigns) increments a counter
kept in the same cache, and again when the change's transaction commits. The counter and the
entry are read in one round trip (`get_many`, a single MGET on Redis), and an entry of an older generation is a miss. An entry also expires
before the next instant the pages can change by themselves: a campaign opening, closing or an
extension ending, and midnight in Paris (« J-3 »).

The cache is the `pages` alias: Redis when REDIS_URL is set (fail-soft: Redis down reads as a
miss), else files under var/ shared by the processes of one host. PAGE_CACHE_SECONDS = 0 turns
it off.

The same generation keys what public pages derive from the database and keep between requests
in the default cache (`cached()`: the Wagtail site of a host, its page tree, the menus and
settings, the call shown to the public): a page missing from this cache is still cheap to build
(README, « A miss is cheap too »), and an edit reaches both at once. Each process also keeps its
own copy of those values under their generation; on Redis it also knows the generation without
asking while Redis announces no change (core/pagewatch.py), and then serves the pages it already
read from its own copy: a hit usually costs no round trip at all.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import pickle
import secrets
import time
from collections.abc import Callable
from functools import wraps
from http import HTTPStatus
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.http.cookie import parse_cookie
from django.utils import timezone
from django.utils.http import http_date, parse_etags

from core.pagewatch import watch_for

logger = logging.getLogger(__name__)

GENERATION_KEY = "pagecache:generation"
_MISSING = object()
DATA_KEY_PREFIX = "pagecache:data:"
# What the site's code reads back from the cache (pages, and the data derived for them) has the
# shape that code gave it: keys carry a hash of the code, so a deploy, or two versions running
# side by side during one, never reads what another version wrote (code_version()).
# The static files too: a page names them by their hashed names (ManifestStaticFilesStorage).
CODE_DIRECTORIES = ("accounts", "ami", "config", "core", "faq", "home", "ops", "static", "templates")
CODE_SUFFIXES = (".py", ".html", ".txt", ".xml", ".json", ".css", ".js", ".svg", ".png")
# Derived data is dropped by the generation; this only bounds what an idle key keeps.
DATA_SECONDS = 24 * 3600
ATTRIBUTE = "public_cache_seconds"
# Request cookies that may change what a page shows: the session (a logged-in editor's user bar,
# a referent's dossier) and flash messages. A CSRF cookie alone changes nothing.
PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, getattr(settings, "MESSAGE_COOKIE_NAME", "messages"))
PARIS = ZoneInfo("Europe/Paris")
# Headers that belong to one response or are set again by the outer middleware on every answer.
NOT_STORED = {"set-cookie", "date"}


def _cache():
    return caches[settings.PAGE_CACHE_ALIAS]


@functools.cache
def code_version() -> str:
    """A hash of the site's code and templates (their bytes, so every host of one release agrees),
    computed once per process."""
    digest = hashlib.blake2b(digest_size=8)
    for directory in CODE_DIRECTORIES:
        for path in sorted((settings.BASE_DIR / directory).rglob("*")):
            if path.suffix in CODE_SUFFIXES and path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(settings.BASE_DIR)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def mark_public(response: HttpResponse, seconds: int | None = None) -> HttpResponse:
    """Let the page cache store this response for `seconds` (default PAGE_CACHE_SECONDS)."""
    setattr(response, ATTRIBUTE, settings.PAGE_CACHE_SECONDS if seconds is None else min(seconds, settings.PAGE_CACHE_SECONDS))
    return response


def public_cache(seconds: int | None = None) -> Callable:
    """View decorator: the view's answer is the same for every anonymous visitor."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            return mark_public(view(request, *args, **kwargs), seconds)

        return wrapped

    return decorator


class CachedPageMixin:
    """A Wagtail page whose rendering is the same for every anonymous visitor.

    `serve()` runs only once Wagtail's view restrictions have let the visitor through, so a
    password or login form shown instead of the page is never stored."""

    def serve(self, request, *args, **kwargs):
        return mark_public(super().serve(request, *args, **kwargs))


def invalidate(**kwargs) -> None:
    """Every stored page and derived value (`cached()`) becomes a miss, at once, for every process.

    Called inside the transaction that makes the change (a publish, a save): the generation moves
    now, and again once that transaction commits. Until the commit, another process still reads
    the old rows, so a page it builds meanwhile is stored under the new generation with the old
    content; the second move makes it a miss. (The first keeps the change visible to the rest of
    the transaction, and to tests, which never commit.)"""
    next_generation()
    transaction.on_commit(next_generation)


def next_generation() -> None:
    cache = _cache()
    watch = watch_for(cache, GENERATION_KEY)
    if watch is not None:  # Redis: moved and announced to every process at once (core/pagewatch.py)
        watch.announce()
        return
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no counter yet (or it was lost): a random start differs from the entries'
        cache.set(GENERATION_KEY, secrets.randbits(62), None)


def _watch_and_known():
    """This process's watch of the counter (None without Redis) and the value it trusts, if any."""
    watch = watch_for(_cache(), GENERATION_KEY)
    return watch, (watch.known() if watch is not None else None)


def _fetch(keys: list[str], watch=None, known: int | None = None) -> tuple[int | None, dict]:
    """The counter (`known`, this process's copy while no change was announced: core/pagewatch.py)
    and `keys` from the cache, in one round trip at most; the counter is None when the cache has
    none or did not answer."""
    cache = _cache()
    if known is not None:
        return known, cache.get_many(keys) if keys else {}
    token = watch.token() if watch is not None else 0
    found = cache.get_many([GENERATION_KEY, *keys])
    value = found.pop(GENERATION_KEY, None)
    if watch is not None:
        value = watch.remember(value, token)
    return value, found


_UNREAD = object()


def _read_generation(request: HttpRequest | None) -> int | None:
    """The counter as the cache holds it, read once per request; None when the cache has none or
    did not answer (Redis down: fail-soft reads are misses)."""
    value = getattr(request, "_page_cache_generation", _UNREAD) if request is not None else _UNREAD
    if value is _UNREAD:
        value, _ = _fetch([], *_watch_and_known())
        if request is not None:
            request._page_cache_generation = value
    return value


# This process's copy of the values `cached()` read or built, pickled (each request unpickles its
# own, as from the shared cache) and tagged with their generation: once the request has read the
# generation, a value of that generation is taken from here without a round trip to the shared
# cache. Only while the generation is known: with the cache down or emptied, the values are
# built from the database as before.
_local: dict[str, tuple[int, bytes]] = {}
LOCAL_MAX_ENTRIES = 256


def _keep(store: dict, limit: int, key: str, value: Any) -> None:
    """Put `value` in one of this process's bounded copies (`_local`, `_pages`): emptied when full."""
    if len(store) >= limit and key not in store:
        store.clear()
    store[key] = value


def _keep_locally(key: str, current: int, value: Any) -> None:
    try:
        _keep(_local, LOCAL_MAX_ENTRIES, key, (current, pickle.dumps(value, pickle.HIGHEST_PROTOCOL)))
    except (pickle.PicklingError, TypeError, AttributeError):
        _local.pop(key, None)


def cached(key: str, build: Callable[[], Any], request: HttpRequest | None = None,
           still_valid: Callable[[Any], bool] | None = None) -> Any:
    """`build()`'s value, kept in the default Django cache until the next `invalidate()` (or
    until `still_valid(value)` says otherwise: a value that changes with time).

    For what public pages read from the database on every request (the site, its page tree,
    menus and settings, the call): only the models whose changes call `invalidate()` may go
    into it (WATCHED_APPS, WATCHED_MODELS). Read once per request (kept on it), and from this
    process's copy while the generation has not moved (`_local`)."""
    from django.core.cache import cache

    memo = getattr(request, "_page_cache_data", None) if request is not None else None
    if memo is None and request is not None:
        memo = request._page_cache_data = {}
    if memo is not None and key in memo and (still_valid is None or still_valid(memo[key])):
        return memo[key]
    known = _read_generation(request)
    current = 0 if known is None else known
    value = _MISSING
    local = _local.get(key) if known is not None else None
    if local is not None and local[0] == current:
        value = pickle.loads(local[1])
        if still_valid is not None and not still_valid(value):
            value = _MISSING
    if value is _MISSING:
        entry = cache.get(f"{DATA_KEY_PREFIX}{code_version()}:{key}")
        if entry is not None and entry[0] == current and (still_valid is None or still_valid(entry[1])):
            value = entry[1]
        else:
            value = build()
            cache.set(f"{DATA_KEY_PREFIX}{code_version()}:{key}", (current, value), DATA_SECONDS)
        if known is not None:
            _keep_locally(key, current, value)
    if memo is not None:
        memo[key] = value
    return value


def seconds_until_change(now: dt.datetime | None = None, request: HttpRequest | None = None) -> int:
    """Seconds until the public pages change without any edit: the next campaign date or
    extension end (ami.services.public_call, kept by generation), or the next midnight in Paris
    (the « J-n » countdown)."""
    from ami.services.public_call import next_change

    now = now or timezone.now()
    local = now.astimezone(PARIS)
    midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), tzinfo=PARIS)
    moments = [midnight, *(moment for moment in [next_change(request, now)] if moment is not None)]
    return max(1, int((min(moments) - now).total_seconds()))


def _is_candidate(meta: dict) -> bool:
    """A request the cache may answer: read from the WSGI environ (request.META is a copy), so the
    WSGI front (PageCacheApplication) and the middleware decide alike."""
    if settings.PAGE_CACHE_SECONDS <= 0 or meta.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return False
    if meta.get("QUERY_STRING") or _path(meta).startswith(settings.PAGE_CACHE_EXCLUDED_PREFIXES):
        return False
    cookies = meta.get("HTTP_COOKIE")
    return not cookies or not any(name in parse_cookie(cookies) for name in PERSONAL_COOKIES)


def _path(meta: dict) -> str:
    return meta.get("SCRIPT_NAME", "") + meta.get("PATH_INFO", "")


def _scheme(meta: dict) -> str:
    # As HttpRequest.scheme: the page cache runs before SecurityMiddleware's redirect to HTTPS,
    # so an http:// request must not find the https:// page.
    proxy_header = settings.SECURE_PROXY_SSL_HEADER
    if proxy_header and proxy_header[0] in meta:
        return "https" if meta[proxy_header[0]].split(",", 1)[0].strip() == proxy_header[1] else "http"
    return meta.get("wsgi.url_scheme", "http")


def _key(meta: dict) -> str:
    # Responses are stored after compression: a client that accepts gzip gets its own copy. The
    # host is the one the request named; a host Django refuses never gets an entry stored.
    gzip = "gzip" in meta.get("HTTP_ACCEPT_ENCODING", "")
    host = meta.get("HTTP_HOST") or f"{meta.get('SERVER_NAME', '')}:{meta.get('SERVER_PORT', '')}"
    raw = f"{_scheme(meta)}://{host}{_path(meta)}|{int(gzip)}"
    return f"pagecache:page:{code_version()}:" + hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


def _is_storable(response: HttpResponse) -> bool:
    if getattr(response, ATTRIBUTE, 0) <= 0 or response.status_code != 200 or response.streaming:
        return False
    if response.cookies or response.has_header("Set-Cookie"):
        return False
    cache_control = response.get("Cache-Control", "")
    return "private" not in cache_control and "no-store" not in cache_control


# Kept on a 304, as HTTP asks (the headers a cache needs to update its stored copy).
NOT_MODIFIED_HEADERS = ("etag", "last-modified", "cache-control", "vary", "access-control-allow-origin")


def lookup(meta: dict) -> tuple[int, list[tuple[str, str]], bytes] | None:
    """The stored answer to this request, as (status, headers, body), or None (not a candidate,
    a miss, or the cache unreachable: the page is built). On a miss the generation read in the
    same round trip is left in `meta` for the middleware that will store the page.

    On Redis, while this process knows the generation (core/pagewatch.py), a page it already read
    is answered from its own copy, without a round trip."""
    if not _is_candidate(meta):
        return None
    key = _key(meta)
    watch, known = _watch_and_known()
    entry = _pages.get(key) if known is not None else None
    if entry is None or entry[0] != known or entry[5] <= time.time():
        raw_generation, found = _fetch([key], watch, known)
        generation = raw_generation or 0
        entry = found.get(key)
        if entry is None or entry[0] != generation:
            # Django rewrites PATH_INFO (decoded from the raw WSGI string): the key is kept as computed
            # here; the generation as read too (None: no counter, or the cache is down).
            meta[MISS_META] = (generation, key, raw_generation)
            return None
        if watch is not None:
            _keep(_pages, PAGES_MAX_ENTRIES, key, entry)
    _, status, headers, content, etag, _ = entry
    if etag in parse_etags(meta.get("HTTP_IF_NONE_MATCH", "")):
        return 304, [(name, value) for name, value in headers if name.lower() in NOT_MODIFIED_HEADERS], b""
    return status, [*headers, ("X-Page-Cache", "hit")], content if meta.get("REQUEST_METHOD") == "GET" else b""


# This process's copies of the pages it served from Redis, each with its generation and expiry:
# served again only while the watch trusts that generation (lookup). Bounded; emptied when full.
_pages: dict[str, tuple] = {}
PAGES_MAX_ENTRIES = 500


MISS_META = "bnm.page_cache_miss"


def _store(request: HttpRequest, response: HttpResponse, generation: int, key: str) -> HttpResponse:
    seconds = min(getattr(response, ATTRIBUTE), seconds_until_change(request=request))
    etag = response.get("ETag") or '"' + hashlib.blake2b(response.content, digest_size=12).hexdigest() + '"'
    response["ETag"] = etag
    if not response.has_header("Last-Modified"):
        response["Last-Modified"] = http_date(timezone.now().timestamp())
    # Unless the view said otherwise, browsers and proxies may keep the page but ask again each
    # time: a published change is seen at once, and an unchanged page costs a 304.
    if not response.has_header("Cache-Control"):
        response["Cache-Control"] = "public, max-age=0, must-revalidate"
    headers = [(name, value) for name, value in response.items() if name.lower() not in NOT_STORED]
    if request.method == "GET":  # a HEAD answer has no body to store
        expires_at = time.time() + seconds  # kept in the entry: this process's copy expires with it
        _cache().set(key, (generation, response.status_code, headers, response.content, etag, expires_at), seconds)
    response["X-Page-Cache"] = "miss"
    if etag in parse_etags(request.META.get("HTTP_IF_NONE_MATCH", "")):
        not_modified = HttpResponseNotModified()
        for name, value in headers:
            if name.lower() in NOT_MODIFIED_HEADERS:
                not_modified[name] = value
        return not_modified
    return response


class PageCacheMiddleware:
    """Serve and store anonymous pages (see the module's docstring). First in MIDDLEWARE: what
    the other middleware add to an answer (security headers, CSP) is stored with it, and a hit
    runs none of them. Behind the WSGI front (config/wsgi.py) hits never reach Django; this
    serves them where Django is called without it (the test client, ASGI)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        # Behind the WSGI front, a candidate reaching Django is a miss already looked up.
        found = None if MISS_META in meta else lookup(meta)
        if found is not None:
            status, headers, content = found
            response = HttpResponseNotModified() if status == 304 else HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            return response
        if MISS_META not in meta:
            return self.get_response(request)  # not a candidate
        generation, key, request._page_cache_generation = meta[MISS_META]
        response = self.get_response(request)
        return _store(request, response, generation, key) if _is_storable(response) else response


class PageCacheApplication:
    """WSGI front of the page cache (config/wsgi.py): answers a stored page from the cache, with
    the headers stored with it, before Django's request handling, middleware and signals run;
    anything else goes to Django unchanged. A hit costs one cache round trip (README « Page cache »)."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        try:
            found = lookup(environ)
        except Exception:  # an unreadable entry: build the page, as on a miss
            logger.exception("Page cache lookup failed")
            environ.pop(MISS_META, None)
            found = None
        if found is None:
            return self.application(environ, start_response)
        status, headers, content = found
        start_response(f"{status} {HTTPStatus(status).phrase}", headers)
        return [content]


# Public pages read these apps' models (pages, site settings, sites, images, documents,
# redirects) and the call's dates. Over-invalidating on an editor's action costs one miss per
# page; forgetting a model would show stale content.
WATCHED_APPS = {"home", "faq", "wagtailcore", "wagtailimages", "wagtaildocs", "wagtailredirects"}
WATCHED_MODELS = {"ami.campaign", "ami.campaignextension"}


def _on_model_change(sender, **kwargs) -> None:
    from wagtail.contrib.settings.models import BaseGenericSetting, BaseSiteSetting

    if kwargs.get("created") and issubclass(sender, (BaseSiteSetting, BaseGenericSetting)):
        return  # created on first read with the defaults the pages already showed
    meta = sender._meta
    if meta.app_label in WATCHED_APPS or meta.label_lower in WATCHED_MODELS:
        invalidate()


def connect_signals() -> None:
    from django.db.models.signals import post_delete, post_save
    from wagtail.signals import page_published, page_unpublished, post_page_move

    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(invalidate, dispatch_uid=f"pagecache_{id(signal)}")
    post_save.connect(_on_model_change, dispatch_uid="pagecache_saved")
    post_delete.connect(_on_model_change, dispatch_uid="pagecache_deleted")
