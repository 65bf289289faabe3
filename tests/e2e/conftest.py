"""Browser tests: Playwright (sync API) on the system Chromium against pytest-django's live server.

- One Chromium per test session (per xdist worker), a fresh context + page per test.
- Every request that does not go to the live server is aborted and fails the test
  (no CDN, no web font, no third-party script); so do uncaught JavaScript errors and
  page resources of the site answering 4xx/5xx.
- The database is transactional (the live server runs in another thread), so it is
  flushed after each test. ``serialized_rollback`` restores, before each test, a snapshot
  taken once per session: what the migrations created (Wagtail root page and default
  site, the 95 MEL communes, the working groups) plus ``load_bnm_content``.
"""
import os
from pathlib import Path

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse
# ORM calls made from the test body ("You cannot call this from an async context").
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402

from tests.conftest import load_database_state, warm_content_type_cache  # noqa: E402

from .helpers import CSP_LISTENER, RequestGuard  # noqa: E402

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

    _MIGRATED.update(
        (alias, connections[alias]._test_serialized_contents)
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    )
    connections.close_all()
    with sync_playwright() as playwright:
        for alias, contents in _MIGRATED.items():
            connections[alias]._test_serialized_contents = contents
        yield playwright
        connections.close_all()
    connections.close_all()


# alias -> JSON of the database right after ``migrate`` (taken by pytest-django/Django).
_MIGRATED: dict[str, str] = {}


def _load_state(alias, contents):
    """The tables emptied, then ``contents`` loaded (``None``: left empty)."""
    load_database_state(alias, contents, warm_from=_MIGRATED[alias])


@pytest.fixture(scope="session")
def _site_snapshot(_playwright, django_db_blocker):
    """JSON of the database as ``make run`` leaves it: migrated, then ``load_bnm_content``.

    Built once per session (per xdist worker): the command takes seconds, reloading its
    result takes a fraction of that."""
    from django.core.management import call_command
    from django.db import DEFAULT_DB_ALIAS, connections

    assert DEFAULT_DB_ALIAS in _MIGRATED, "the e2e tests need serialized_rollback (see e2e_db)"
    with django_db_blocker.unblock():
        _load_state(DEFAULT_DB_ALIAS, _MIGRATED[DEFAULT_DB_ALIAS])
        call_command("load_bnm_content", "--demo", verbosity=0)  # as `make run`
        snapshot = connections[DEFAULT_DB_ALIAS].creation.serialize_db_to_string()
        _load_state(DEFAULT_DB_ALIAS, None)
    return snapshot


@pytest.fixture(scope="module", autouse=True)
def _site_database_around_module(_site_snapshot, django_db_blocker):
    """Before each e2e test, Django's ``serialized_rollback`` reloads
    ``connection._test_serialized_contents`` into empty tables (the previous test's flush
    emptied them). For the e2e modules that copy is the BNM site (migrated + content).

    A non-serialized transactional test from another module leaves behind the content
    types and permissions post_migrate recreated, which would collide with the reload:
    start each e2e module from empty tables, and leave the plain migrated data behind for
    the tests that run after it."""
    from django.db import DEFAULT_DB_ALIAS, connections

    connection = connections[DEFAULT_DB_ALIAS]
    with django_db_blocker.unblock():
        _load_state(DEFAULT_DB_ALIAS, None)
    connection._test_serialized_contents = _site_snapshot
    warm_content_type_cache(DEFAULT_DB_ALIAS, _site_snapshot)
    yield
    connection._test_serialized_contents = _MIGRATED[DEFAULT_DB_ALIAS]
    with django_db_blocker.unblock():
        _load_state(DEFAULT_DB_ALIAS, _MIGRATED[DEFAULT_DB_ALIAS])


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
    """Transactional database holding the BNM site as ``make run`` leaves it (migrations:
    Wagtail root, 95 communes, 4 working groups; ``load_bnm_content``: pages, campaign…),
    restored before each test and flushed after it. Returns the live server."""
    from django.core.cache import caches

    for cache in caches.all():  # page ids change between tests: no stale menus/site roots
        cache.clear()
    return live_server


@pytest.fixture
def bnm_content(e2e_db):
    """Explicit name for tests that read the public content (already in ``e2e_db``)."""
    from home.models import HomePage

    assert HomePage.objects.live().exists(), "load_bnm_content left no live home page"
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
    context.add_init_script(CSP_LISTENER)
    context.on("page", lambda p: (p.on("pageerror", guard.on_page_error), p.on("response", guard.on_response),
                                  p.on("console", guard.on_console)))
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
    page = context.new_page()
    page.javascript_disabled = True  # read by helpers.run_axe
    yield page
    context.close()
