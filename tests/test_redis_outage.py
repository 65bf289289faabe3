"""Redis down or hung: every visitor gets an answer, submissions succeed, no e-mail is lost.

Against real services: our own redis-server on a free port (stopped and restarted by the
test; the shared Redis is never touched), a socket that accepts and never answers (a hung
Redis), PostgreSQL under CI, a real Celery worker and an SMTP sink. The bounds on elapsed
time are fault bounds (a hung socket used to cost 5 s per cache call and an unbounded
publish), not benchmarks.
"""
from __future__ import annotations

import datetime as dt
import logging
import time

import pytest
import redis
from django.core.cache import cache, caches
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ami.models import Commune, Dossier, OutboxEmail
from ami.services.steps import STEPS
from ami.tasks import send_pending_emails
from config.cache import reset_breakers
from tests.ami.factories import (
    commune,
    complete_dossier,
    dossier_path,
    make_campaign,
    make_dossier,
    open_dossier_in_session,
    step_url,
)
from tests.wsgi_front import wsgi_get

pytestmark = pytest.mark.integration



def use_cache_at(settings, url: str, **options) -> None:
    """Point the Django cache at `url` with the production options (config/settings/base.py)."""
    settings.REDIS_URL = url
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.FailSoftRedisCache",
            "LOCATION": url,
            "OPTIONS": {**settings.REDIS_CACHE_OPTIONS, **options},
        }
    }
    settings.PAGE_CACHE_ALIAS = "default"  # the page cache shares Redis, as in production


@pytest.fixture
def worker_on_own_redis(own_redis, monkeypatch, request):
    """The real Celery worker of tests/integration_fixtures.py, consuming from our own Redis."""
    monkeypatch.setenv("TEST_REDIS_URL", f"redis://127.0.0.1:{own_redis.port}")
    monkeypatch.setenv("TEST_REDIS_DB", "0")
    return request.getfixturevalue("celery_worker_live")


def timed(call, *args, **kwargs):
    start = time.monotonic()
    response = call(*args, **kwargs)
    return response, time.monotonic() - start


def site_with_campaign():
    """The public site as `make run` builds it, with a campaign open today."""
    campaign = make_campaign()  # before load_bnm_content, which then keeps it as the current campaign
    call_command("load_bnm_content", stdout=open("/dev/null", "w"))
    return campaign


def submitted_dossiers(campaign, count):
    dossiers = []
    for index, commune_obj in enumerate(Commune.objects.order_by("name")[:count]):
        dossier = make_dossier(campaign, commune_obj, agent_email=f"referent{index}@example.fr")
        dossiers.append(complete_dossier(dossier))
    return dossiers


# --- Redis stopped -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_redis_stopped_every_page_answers_and_the_emails_leave_after_it_restarts(
    worker_on_own_redis, own_redis, smtp_sink, settings, caplog
):
    use_cache_at(settings, own_redis.url(db=1))
    campaign = site_with_campaign()
    dossiers = submitted_dossiers(campaign, 20)
    caplog.set_level(logging.WARNING, logger="config.cache")

    own_redis.stop()

    visitor = Client()
    for url in ("/", reverse("ami:home")):
        response, elapsed = timed(visitor.get, url)
        assert response.status_code == 200, url
        assert elapsed < 1.0, (url, elapsed)
    home = visitor.get("/").content.decode()
    assert 'href="/faq/"' in home and 'href="/mentions-legales/"' in home  # menus built from the database

    receipts = []
    for index, dossier in enumerate(dossiers):
        referent = Client()
        open_dossier_in_session(referent, dossier)
        if index == 0:  # every page of the dossier, once
            urls = [dossier_path("ami:dossier", dossier)] + [step_url(dossier, step.slug) for step in STEPS]
            for url in urls:
                assert referent.get(url).status_code == 200, url
        response, elapsed = timed(referent.post, dossier_path("ami:submit", dossier))
        assert response.status_code == 302 and response["Location"] == dossier_path("ami:confirmation", dossier)
        assert elapsed < 3.0, elapsed
        dossier.refresh_from_db()
        assert dossier.status == Dossier.Status.SUBMITTED
        confirmation = referent.get(dossier_path("ami:confirmation", dossier))
        assert confirmation.status_code == 200
        assert dossier.receipt_number in confirmation.content.decode()
        receipts.append(dossier.receipt_number)

    # Nothing could be handed to the broker: every e-mail waits in the outbox, none was lost.
    assert len(set(receipts)) == 20
    assert OutboxEmail.objects.pending().count() == 40  # confirmation + team notice
    assert smtp_sink.messages == []
    # The outage was logged once per Redis use, not once per call.
    outage_logs = [r.getMessage() for r in caplog.records if "Redis unavailable" in r.getMessage()]
    assert len(outage_logs) == 2, outage_logs  # the cache and the broker

    own_redis.start()
    # Later the periodic sweep runs in the worker, a process with its own breakers.
    OutboxEmail.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    reset_breakers()
    send_pending_emails.delay()

    messages = smtp_sink.wait_for(40, timeout=180)
    subjects = [" ".join(str(m["Subject"]).split()) for m in messages]
    confirmations = [s for s in subjects if s.startswith("Candidature BNM déposée")]
    assert sorted(s.rsplit(" ", 1)[1] for s in confirmations) == sorted(receipts)
    deadline = time.monotonic() + 30
    while OutboxEmail.objects.pending().exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not OutboxEmail.objects.pending().exists()
    # Sent once each: nothing is left for the sweep, and no message arrived twice.
    assert send_pending_emails() == 0
    assert len(smtp_sink.messages) == 40
    # And the cache is used again once Redis answers.
    visitor.get("/")
    assert redis.Redis.from_url(own_redis.url(db=1)).dbsize() > 0


def test_the_cache_skips_redis_for_a_while_after_a_failure_then_uses_it_again(own_redis, settings, caplog):
    caplog.set_level(logging.WARNING, logger="config.cache")
    use_cache_at(settings, own_redis.url(db=1), BREAKER_SECONDS=0.5)
    stored = redis.Redis.from_url(own_redis.url(db=1))
    own_redis.stop()
    assert cache.get("menus") is None  # a miss, not an error
    cache.set("menus", "from the database")  # a no-op
    own_redis.start()
    cache.set("menus", "from the database")  # the breaker is open: Redis is not called yet
    assert stored.dbsize() == 0
    deadline = time.monotonic() + 5
    while stored.dbsize() == 0 and time.monotonic() < deadline:  # after the cooldown, one call probes
        time.sleep(0.1)
        cache.set("menus", "from the database")
    assert cache.get("menus") == "from the database"
    messages = [r.getMessage() for r in caplog.records]
    assert sum("Redis unavailable" in m for m in messages) == 1
    assert sum("Redis answers again" in m for m in messages) == 1


def test_pages_stored_on_redis_are_built_by_django_while_redis_is_stopped(db, own_redis, settings, front):
    """The WSGI front (config/wsgi.py) reads the stored pages on Redis: Redis stopped, every
    visitor still gets the page, built from the database; once Redis answers, pages are stored
    and served from it again."""
    use_cache_at(settings, own_redis.url(db=1), BREAKER_SECONDS=0.5)
    site_with_campaign()
    app, django = front
    assert wsgi_get(app, "/")[0] == "200 OK"
    assert wsgi_get(app, "/")[1]["X-Page-Cache"] == "hit" and django.calls == 1

    own_redis.stop()
    for path in ("/", "/faq/", reverse("ami:home")):
        status, headers, body = wsgi_get(app, path)
        assert status == "200 OK" and headers["X-Page-Cache"] == "miss", path
        assert "Bibliothèque Numérique Métropolitaine" in body.decode()
    assert django.calls == 4

    own_redis.start()
    deadline = time.monotonic() + 5
    while wsgi_get(app, "/faq/")[1]["X-Page-Cache"] != "hit" and time.monotonic() < deadline:
        time.sleep(0.1)  # the breaker's cooldown, then the page is stored again
    assert wsgi_get(app, "/faq/")[1]["X-Page-Cache"] == "hit"


def test_rate_limits_fail_open_while_redis_is_stopped(db, own_redis, settings):
    """No count can be read without Redis: the forms keep answering instead of refusing everyone,
    and the links still go only to the referent registered for the dossier."""
    use_cache_at(settings, own_redis.url(db=1))
    campaign = make_campaign()
    make_dossier(campaign, commune("Lille"), agent_email="referent@example.fr")
    own_redis.stop()
    client = Client()
    posts = 12  # beyond the 10 posts per hour per address, and the 5 link e-mails per hour per target
    for _ in range(posts):
        response = client.post(reverse("ami:resume"), {"email": "referent@example.fr"})
        assert response.status_code == 200
        assert "ami/link_sent.html" in [t.name for t in response.templates]
    client.post(reverse("ami:resume"), {"email": "someone.else@example.org"})
    recipients = [tuple(to) for to in OutboxEmail.objects.values_list("to", flat=True)]
    assert recipients == [("referent@example.fr",)] * posts


# --- Redis hung ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_redis_hung_pages_and_submit_answer_within_bounds(hung_redis, settings, broker_at):
    campaign = site_with_campaign()
    [dossier] = submitted_dossiers(campaign, 1)
    # The same page built from the database with a working cache, on this machine, now.
    Client().get("/")
    for alias in {"default", settings.PAGE_CACHE_ALIAS}:
        caches[alias].clear()
    response, built = timed(Client().get, "/")
    assert response.status_code == 200

    use_cache_at(settings, hung_redis.url(db=1))
    broker_at(hung_redis.url(db=0))
    response, elapsed = timed(Client().get, "/")
    assert response.status_code == 200
    # One socket timeout at most (the breaker then skips Redis), not one per cache call; twice the
    # build time allows for the noise of a shared machine.
    timeout = settings.REDIS_CACHE_OPTIONS["SOCKET_TIMEOUT"]
    assert elapsed <= 2 * built + 2 * timeout, (elapsed, built)

    referent = Client()
    open_dossier_in_session(referent, dossier)
    response, elapsed = timed(referent.post, dossier_path("ami:submit", dossier))
    assert response.status_code == 302
    assert elapsed <= 3.0, elapsed
    dossier.refresh_from_db()
    assert dossier.status == Dossier.Status.SUBMITTED
    assert OutboxEmail.objects.pending().filter(dossier=dossier).count() == 2  # pending for the sweep
    assert referent.get(dossier_path("ami:confirmation", dossier)).status_code == 200
