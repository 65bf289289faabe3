"""/sante/: what a supervisor or a load balancer reads. Real PostgreSQL and Redis; Redis down
is a port where nothing listens, Redis hung is a socket that accepts and never answers."""
import datetime as dt
import json
import time

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from ami.models import Heartbeat, OutboxEmail
from tests.integration_fixtures import _free_port, _require_redis, redis_broker_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_like(settings):
    """A broker and a cache on the real Redis, as on a server (a worker and beat expected)."""
    url = redis_broker_url()
    _require_redis(url)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = url
    settings.REDIS_URL = url
    return settings


def beat_now(**ages):
    now = timezone.now()
    for source in ("worker", "beat"):
        seen = now - dt.timedelta(seconds=ages.get(source, 5))
        Heartbeat.objects.update_or_create(source=source, defaults={"seen_at": seen})


def get_health(client, **params):
    started = time.monotonic()
    response = client.get(reverse("health"), params)
    elapsed = time.monotonic() - started
    return response, json.loads(response.content), elapsed


def test_healthy(client, production_like, django_assert_max_num_queries):
    beat_now(worker=10, beat=20)
    OutboxEmail.objects.create(key="k1", to=["lucas.martin@example.org"], subject="Lien privé – Roubaix", body="…")
    with django_assert_max_num_queries(3):  # SELECT 1, the heartbeats, the outbox counts
        response, report, _ = get_health(client)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"] == "application/json"
    assert report["status"] == "ok"
    assert report["database"] == {"status": "ok"}
    assert report["redis"] == {"status": "ok"}
    assert report["worker"]["status"] == "ok" and 9 <= report["worker"]["age_seconds"] <= 12
    assert report["beat"]["status"] == "ok" and 19 <= report["beat"]["age_seconds"] <= 22
    assert dt.datetime.fromisoformat(report["beat"]["last_seen"]) < timezone.now()
    assert report["outbox"]["pending"] == 1 and report["outbox"]["failed"] == 0
    assert 0 <= report["outbox"]["oldest_pending_age_seconds"] <= 2
    # No personal data: neither the address nor the subject of the e-mail.
    assert "example.org" not in response.content.decode() and "Roubaix" not in response.content.decode()


@pytest.mark.parametrize("source", ["worker", "beat"])
def test_a_stale_or_missing_heartbeat_is_503(client, production_like, source):
    beat_now(**{source: 600})
    response, report, _ = get_health(client)
    assert response.status_code == 503
    assert report["status"] == "error" and report[source]["status"] == "error"
    assert report[source]["age_seconds"] >= 600
    Heartbeat.objects.filter(source=source).delete()
    response, report, _ = get_health(client)
    assert response.status_code == 503
    assert report[source] == {"status": "error", "last_seen": None, "age_seconds": None, "max_age_seconds": 180}


def test_failed_emails_are_503(client, production_like):
    beat_now()
    OutboxEmail.objects.create(
        key="k2", to=["claire.durand@example.org"], subject="Récépissé – Wattrelos", body="…",
        status=OutboxEmail.Status.FAILED, failed_at=timezone.now(),
    )
    response, report, _ = get_health(client)
    assert response.status_code == 503
    assert report["outbox"]["status"] == "error" and report["outbox"]["failed"] == 1
    assert "Wattrelos" not in response.content.decode()
    # The load balancer's view: this web process can still serve.
    response, report, _ = get_health(client, web="")
    assert response.status_code == 200 and report["outbox"]["failed"] == 1


def test_redis_down_is_503_quickly(client, production_like):
    beat_now()
    production_like.CELERY_BROKER_URL = f"redis://127.0.0.1:{_free_port()}/0"
    response, report, elapsed = get_health(client)
    assert response.status_code == 503
    assert report["redis"] == {"status": "error"} and report["database"] == {"status": "ok"}
    assert elapsed < 2
    assert get_health(client, web="")[0].status_code == 200


def test_hung_redis_is_503_within_two_seconds(client, production_like, hung_redis):
    beat_now()
    url, accepted = hung_redis.url(), hung_redis.accepted
    production_like.CELERY_BROKER_URL = url
    production_like.REDIS_URL = url
    response, report, elapsed = get_health(client)
    assert accepted, "the health check did connect to the hung server"
    assert response.status_code == 503
    assert report["redis"] == {"status": "error"}
    assert elapsed <= 2.0, f"/sante/ took {elapsed:.2f} s"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_database_down_is_503(client, production_like):
    if connection.vendor != "postgresql":
        pytest.skip("a database server to lose needs PostgreSQL (CI runs this test on PostgreSQL)")
    beat_now()
    saved_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = str(_free_port())  # nothing listens there: connection refused
    try:
        response, report, elapsed = get_health(client)
        web_response = get_health(client, web="")[0]
    finally:
        connection.close()
        connection.settings_dict["PORT"] = saved_port
    assert response.status_code == 503
    assert report["database"] == {"status": "error"}
    assert report["outbox"]["status"] == "error" and report["worker"]["status"] == "error"
    assert report["redis"] == {"status": "ok"}
    assert elapsed < 2
    assert web_response.status_code == 503


def test_without_a_broker_worker_and_beat_are_not_expected(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_BROKER_URL = "memory://"
    settings.REDIS_URL = ""
    response, report, _ = get_health(client)
    assert response.status_code == 200
    assert report["worker"] == {"status": "disabled"} and report["redis"] == {"status": "disabled"}


def test_post_is_refused(client):
    assert client.post(reverse("health")).status_code == 405
