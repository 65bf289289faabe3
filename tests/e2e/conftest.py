"""Browser tests: Playwright (sync API) on the system Chromium against pytest-django's live server.

- One Chromium per test session (per xdist worker), a fresh context + page per test.
- Every request that does not go to the live server is aborted and fails the test
  (no CDN, no web font, no third-party script); so do uncaught JavaScript errors and
  page resources of the site answering 4xx/5xx.
- The database is transactional (the live server runs in another thread), so it is
  flushed after each test. ``serialized_rollback`` restores what the migrations created
  (Wagtail root page and default site, the 95 MEL communes, the working groups) before
  each test, and ``bnm_content`` runs ``load_bnm_content`` on top of it.
"""
import json
import os
from pathlib import Path

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse
# ORM calls made from the test body ("You cannot call this from an async context").
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402

from .helpers import RequestGuard  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEFAULT_TIMEOUT_MS = 15_000
E2E_DIR = Path(__file__).resolve().parent

guards_key = pytest.StashKey[list[RequestGuard]]()


def pytest_collection_modifyitems(config, items):
    """Every test under tests/e2e/ carries the ``e2e`` marker (``-m e2e`` / ``-m "not e2e"``)."""
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Fail the test (not just its teardown) when the page reached a third-party host,
    threw an uncaught JavaScript error or loaded a broken resource."""
    result = yield
    problems = [line for guard in item.stash.get(guards_key, []) for line in guard.problems()]
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
    return result


@pytest.fixture(scope="session")
def _playwright(django_db_setup):
    """Start Playwright once the test databases exist.

    While Playwright's event loop is running, Django's thread-critical ``connections``
    hands out *new* connection wrappers (asgiref keeps them in a context variable), which
    would lose the serialized copy of the migrated data that ``serialized_rollback``
    restores before each test: carry it over to the new wrappers.
    """
    from django.db import connections
    from playwright.sync_api import sync_playwright

    serialized = _serialized_contents()
    connections.close_all()
    with sync_playwright() as playwright:
        for alias, contents in serialized.items():
            connections[alias]._test_serialized_contents = contents
        yield playwright
        connections.close_all()
    connections.close_all()


def _serialized_contents():
    from django.db import connections

    return {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }


def _reset_to_migrated_state(restore: bool):
    """Empty every table (without post_migrate and without resetting sequences, as
    TransactionTestCase does), point the content-type cache at the ids of the snapshot,
    then optionally reload the data the migrations created."""
    from django.core.management import call_command
    from django.db import connections

    for alias, contents in _serialized_contents().items():
        call_command(
            "flush", verbosity=0, interactive=False, database=alias,
            reset_sequences=False, allow_cascade=False, inhibit_post_migrate=True,
        )
        _warm_content_type_cache(alias, contents)
        if restore:
            connections[alias].creation.deserialize_db_from_string(contents)


def _warm_content_type_cache(alias, contents):
    """Deserializing Wagtail's tasks calls ``ContentType.objects.get_for_model`` from
    ``Task.__init__``: with a cold cache, or one holding the ids post_migrate gave after an
    earlier flush, it inserts a content type that then collides with the snapshot's copy.
    Load the snapshot's content types into the cache (Django's own per-alias cache)."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    for entry in json.loads(contents):
        if entry["model"] == "contenttypes.contenttype":
            ct = ContentType(pk=entry["pk"], **entry["fields"])
            ct._state.db = alias
            ContentType.objects._add_to_cache(alias, ct)


@pytest.fixture(scope="module", autouse=True)
def _migrated_database_around_module(_playwright, django_db_blocker):
    """``serialized_rollback`` reloads the migrated data before each test, which only works
    on empty tables: a non-serialized transactional test from another module leaves the
    content types and permissions that post_migrate recreated, and reloading them would
    collide. Start each e2e module from empty tables, and leave the migrated data behind
    for the tests that run after it."""
    with django_db_blocker.unblock():
        _reset_to_migrated_state(restore=False)
    yield
    with django_db_blocker.unblock():
        _reset_to_migrated_state(restore=True)


@pytest.fixture(scope="session")
def browser(_playwright):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Browser tests need Chromium at {CHROMIUM} (browsers are never downloaded). "
            "Install it with: apt-get install -y chromium",
            pytrace=False,
        )
    browser = _playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def e2e_db(django_db_serialized_rollback, live_server):
    """Transactional database seeded as after ``migrate``; empties the cache (ids change between tests)."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    from ami.communes import load_mel_communes
    from ami.models import Commune

    if not Commune.objects.exists():  # safety net if the serialized copy was not restored
        load_mel_communes(Commune)
    return live_server


@pytest.fixture
def bnm_content(e2e_db):
    """The BNM public content, as ``make run`` loads it."""
    from django.core.management import call_command

    call_command("load_bnm_content", verbosity=0)
    return e2e_db


def _new_context(browser, live_server, request, **options):
    context = browser.new_context(
        base_url=live_server.url,
        locale="fr-FR",
        timezone_id="Europe/Paris",
        viewport={"width": 1280, "height": 900},
        **options,
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    guard = RequestGuard(live_server.url)
    context.route("**/*", guard.route)
    context.on("page", lambda p: (p.on("pageerror", guard.on_page_error), p.on("response", guard.on_response)))
    request.node.stash.setdefault(guards_key, []).append(guard)
    return context


@pytest.fixture
def context(browser, e2e_db, request):
    context = _new_context(browser, e2e_db, request)
    yield context
    context.close()


@pytest.fixture
def page(context):
    """A page with JavaScript, base URL = the live server (``page.goto("/faq/")``)."""
    return context.new_page()


@pytest.fixture
def request_guard(request, page):
    """The guard of this test's context, for tests that check the guard itself."""
    return request.node.stash[guards_key][0]


@pytest.fixture
def nojs_page(browser, e2e_db, request):
    """A page with JavaScript disabled: everything must work without it."""
    context = _new_context(browser, e2e_db, request, java_script_enabled=False)
    yield context.new_page()
    context.close()
