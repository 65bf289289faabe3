"""Shared fixtures. Under CI=true every service must be real and nothing may be skipped."""
import json
import os

import pytest

pytest_plugins = ["tests.integration_fixtures", "tests.redis_fixtures", "tests.wsgi_front"]

IN_CI = os.environ.get("CI") == "true"


def pytest_configure(config):
    """Under pytest-xdist (`make test` runs two workers) each worker gets its own Redis
    database for the Celery broker: TEST_REDIS_DB + the worker's index. The test database
    (pytest-django adds _gw0, _gw1…) and the media folders (config/settings/test.py) follow
    the worker the same way."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if worker.startswith("gw"):
        base = int(os.environ.get("TEST_REDIS_DB", "1"))
        os.environ["TEST_REDIS_DB"] = str((base + int(worker[2:])) % 16)


@pytest.fixture(autouse=True)
def _close_redis_breakers():
    """A Redis outage simulated by one test must not make the next one skip Redis."""
    from config.cache import reset_breakers

    reset_breakers()
    yield
    reset_breakers()


@pytest.fixture(autouse=True)
def _empty_page_cache():
    """Each test's database starts anew: so does the page cache (core/pagecache.py), and a new
    generation makes what an earlier test derived from its own database a miss."""
    from django.conf import settings
    from django.core.cache import caches

    from core import pagecache

    caches[settings.PAGE_CACHE_ALIAS].clear()
    pagecache.next_generation()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"Skipped under CI=true, which is forbidden: {report.longrepr}"


def load_database_state(alias, contents, warm_from=None):
    """Empty every table (without post_migrate and without resetting sequences, as
    TransactionTestCase does), point the content-type cache at the snapshot's ids (`contents`,
    or `warm_from` when `contents` is None), then load `contents` (None: leave the tables empty)."""
    from django.core.management import call_command
    from django.db import connections

    call_command(
        "flush", verbosity=0, interactive=False, database=alias,
        reset_sequences=False, allow_cascade=False, inhibit_post_migrate=True,
    )
    warm_content_type_cache(alias, contents or warm_from)
    if contents:
        connections[alias].creation.deserialize_db_from_string(contents)


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends by emptying every table (Django's flush): the migrated data
    (Wagtail's root page and site, the communes, the working groups) is gone for the tests
    after it. pytest-django runs transactional tests last, but two xdist workers sharing the
    tests (worksteal) do not keep that order: load the migrated data back unless the next
    test is transactional too (it loads its own). The browser tests' modules manage theirs."""
    yield
    if nextitem is None or not _transactional(item) or _transactional(nextitem):
        return
    from django.db import DEFAULT_DB_ALIAS, connections
    from pytest_django.plugin import blocking_manager_key

    contents = getattr(connections[DEFAULT_DB_ALIAS], "_test_serialized_contents", None)
    if not contents:  # nothing serialized in this run: no test restores the migrated data
        return
    with item.config.stash[blocking_manager_key].unblock():
        load_database_state(DEFAULT_DB_ALIAS, contents)


def warm_content_type_cache(alias, contents):
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


def _content_type_ids_differ(alias, contents) -> bool:
    from django.contrib.contenttypes.models import ContentType

    wanted = {
        (entry["fields"]["app_label"], entry["fields"]["model"]): entry["pk"]
        for entry in json.loads(contents) if entry["model"] == "contenttypes.contenttype"
    }
    present = ContentType.objects.using(alias).values_list("app_label", "model", "pk")
    return any(wanted.get((app_label, model), pk) != pk for app_label, model, pk in present)


@pytest.fixture(scope="session", autouse=True)
def _content_types_cached_before_deserializing():
    """Serialized rollback (``serialized_rollback=True``) deserializes the migrated database
    after an earlier transactional test's flush recreated the content types with new ids:
    warm the cache from the snapshot first, or Wagtail's Task.__init__ inserts a duplicate."""
    from django.db.backends.base.creation import BaseDatabaseCreation

    original = BaseDatabaseCreation.deserialize_db_from_string

    def deserialize(self, data):
        alias = self.connection.alias
        if _content_type_ids_differ(alias, data):  # recreated by post_migrate after a plain flush
            from django.core.management import call_command

            call_command(
                "flush", verbosity=0, interactive=False, database=alias, reset_sequences=False, inhibit_post_migrate=True
            )
        warm_content_type_cache(alias, data)
        return original(self, data)

    BaseDatabaseCreation.deserialize_db_from_string = deserialize
    yield
    BaseDatabaseCreation.deserialize_db_from_string = original
