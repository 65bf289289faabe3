"""On Redis each web process keeps its own copy of the pages it served and of the page cache's
generation, trusted while Redis announces no change (core/pagewatch.py). What a visitor must
never notice: a change published by another process, or made while Redis is stopped or hung,
is shown at once (stopped) or within a moment (hung), never the old page for minutes.

Two cache objects on one Redis stand for two web processes (each has its own watch)."""
import os
import signal
import time
from unittest import mock

import pytest
from django.core.cache import caches

from core import pagecache
from home.models import StandardPage
from tests.integration_fixtures import _require_redis, redis_broker_url
from tests.wsgi_front import wsgi_get

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def two_processes_on(settings, url, **options):
    options = {**settings.REDIS_CACHE_OPTIONS, **options}
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "config.cache.FailSoftRedisCache", "LOCATION": url, "OPTIONS": options},
        "process_a": {"BACKEND": "config.cache.FailSoftRedisCache", "LOCATION": url, "OPTIONS": options},
        "process_b": {"BACKEND": "config.cache.FailSoftRedisCache", "LOCATION": url, "OPTIONS": options},
    }
    settings.PAGE_CACHE_ALIAS = "process_a"
    caches["process_a"].clear()
    pagecache._pages.clear()


def visit(app, path):
    """GET `path` through process A: (answered from its own copy without asking Redis, body)."""
    cache_class = type(caches["process_a"])
    original = cache_class.get_many
    with mock.patch.object(cache_class, "get_many", autospec=True, side_effect=original) as get_many:
        status, headers, body = wsgi_get(app, path)
    assert status == "200 OK"
    return headers["X-Page-Cache"] == "hit" and not get_many.called, body.decode()


def served_locally(app, path):
    return visit(app, path)[0]


def warm(app, path):
    """Until process A serves `path` from its own copy (its watch has subscribed and read the counter)."""
    return until(lambda: wsgi_get(app, path) and served_locally(app, path))


def until(condition, seconds=5.0):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def publish_contact_title(title):
    page = StandardPage.objects.get(slug="contact")
    page.title = title
    page.save_revision().publish()


def test_a_page_kept_by_one_process_changes_at_once_when_another_publishes(content, settings, front):
    redis_url = redis_broker_url()
    _require_redis(redis_url)
    two_processes_on(settings, redis_url)
    app, django = front
    assert wsgi_get(app, "/")[1]["X-Page-Cache"] == "miss"
    assert warm(app, "/"), "process A never served its own copy"

    settings.PAGE_CACHE_ALIAS = "process_b"
    publish_contact_title("Écrire à l’équipe BNM")  # published through process B
    settings.PAGE_CACHE_ALIAS = "process_a"

    local, body = visit(app, "/")
    assert not local and "Écrire à l’équipe BNM" in body
    assert warm(app, "/") and "Écrire à l’équipe BNM" in visit(app, "/")[1]
    caches["process_a"].clear()


def test_a_stopped_redis_makes_every_process_build_its_pages_again(content, settings, front, own_redis):
    two_processes_on(settings, own_redis.url(db=1), BREAKER_SECONDS=0.5)
    app, _ = front
    wsgi_get(app, "/")
    assert warm(app, "/")
    own_redis.stop()
    publish_contact_title("Publié pendant la panne")  # the announcement cannot reach Redis
    status, headers, body = wsgi_get(app, "/")
    assert status == "200 OK" and "Publié pendant la panne" in body.decode()


def test_a_hung_redis_is_trusted_no_longer_than_a_moment(content, settings, front, own_redis):
    two_processes_on(settings, own_redis.url(db=1), BREAKER_SECONDS=0.5)
    app, _ = front
    wsgi_get(app, "/")
    assert warm(app, "/")
    os.kill(own_redis.process.pid, signal.SIGSTOP)  # answers nothing, closes nothing
    try:
        publish_contact_title("Publié pendant que Redis ne répond plus")
        started = time.monotonic()
        assert until(lambda: "Publié pendant que Redis ne répond plus" in wsgi_get(app, "/")[2].decode())
        # Within the watch's trust (1.5 s without an answer to its PING) and a socket timeout.
        assert time.monotonic() - started < 1.5 + 2 * 0.3 + 1.0
    finally:
        os.kill(own_redis.process.pid, signal.SIGCONT)
