"""What /sante/ reports: the database, Redis, the worker's and beat's heartbeats, the outbox.

Every check is bounded in time (Redis: HEALTH_REDIS_TIMEOUT per server in all, no retry),
so the report comes back in well under 2 s even when Redis accepts connections and never
answers. No personal data: counts, times and statuses only.
"""
from __future__ import annotations

import logging
import threading
import time
from datetime import datetime
from urllib.parse import urlparse

from django.conf import settings
from django.db import connection
from django.db.models import Count, Min, Q
from django.utils import timezone

logger = logging.getLogger(__name__)
OK, ERROR, DISABLED = "ok", "error", "disabled"
HEALTH_REDIS_TIMEOUT = 0.5


def redis_ping(url: str, timeout: float = HEALTH_REDIS_TIMEOUT) -> bool:
    """True when the Redis server at `url` answers PING within `timeout` seconds in all.

    One try, no retry and no backoff (redis-py retries by default), a fresh connection
    closed afterwards. The probe runs in a daemon thread joined with `timeout`, so a slow
    connect followed by a hung read still costs the caller `timeout` at most.
    """
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    answers: list[bool] = []

    def probe():
        client = redis.Redis.from_url(
            url, socket_connect_timeout=timeout, socket_timeout=timeout, retry=Retry(NoBackoff(), 0)
        )
        try:
            answers.append(bool(client.ping()))
        except Exception:  # refused, timed out, authentication error: not healthy
            answers.append(False)
        finally:
            client.close()

    thread = threading.Thread(target=probe, name="health-redis-ping", daemon=True)
    thread.start()
    thread.join(timeout)
    return bool(answers and answers[0])


def redis_urls() -> list[str]:
    """The Redis servers in use (broker and cache), one URL per host and port."""
    urls = {}
    for url in (settings.CELERY_BROKER_URL, getattr(settings, "REDIS_URL", "")):
        if url and url.startswith(("redis://", "rediss://", "unix://")):
            parsed = urlparse(url)
            urls.setdefault((parsed.scheme, parsed.hostname, parsed.port, parsed.path if parsed.scheme == "unix" else ""), url)
    return list(urls.values())


def _database() -> dict:
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return {"status": ERROR}
    return {"status": OK}


def _redis() -> dict:
    urls = redis_urls()
    if not urls:
        return {"status": DISABLED}
    return {"status": OK if all(redis_ping(url) for url in urls) else ERROR}


def _age(moment: datetime | None, now: datetime) -> int | None:
    return None if moment is None else max(0, round((now - moment).total_seconds()))


def _heartbeats(now: datetime, database_ok: bool) -> dict:
    from ami.models import Heartbeat

    sources = [Heartbeat.Source.WORKER, Heartbeat.Source.BEAT]
    if settings.CELERY_TASK_ALWAYS_EAGER:  # no broker: tasks run in the web process, no worker nor beat
        return {source.value: {"status": DISABLED} for source in sources}
    if not database_ok:
        return {source.value: {"status": ERROR, "last_seen": None, "age_seconds": None} for source in sources}
    seen = dict(Heartbeat.objects.values_list("source", "seen_at"))
    report = {}
    for source in sources:
        moment = seen.get(source.value)
        age = _age(moment, now)
        report[source.value] = {
            "status": OK if age is not None and age <= settings.HEALTH_HEARTBEAT_MAX_AGE else ERROR,
            "last_seen": moment.isoformat() if moment else None,
            "age_seconds": age,
            "max_age_seconds": round(settings.HEALTH_HEARTBEAT_MAX_AGE),
        }
    return report


def _outbox(now: datetime, database_ok: bool) -> dict:
    from ami.models import OutboxEmail

    if not database_ok:
        return {"status": ERROR, "pending": None, "oldest_pending_age_seconds": None, "failed": None}
    counts = OutboxEmail.objects.aggregate(
        pending=Count("pk", filter=Q(status=OutboxEmail.Status.PENDING)),
        failed=Count("pk", filter=Q(status=OutboxEmail.Status.FAILED)),
        oldest=Min("created_at", filter=Q(status=OutboxEmail.Status.PENDING)),
    )
    return {
        "status": ERROR if counts["failed"] else OK,
        "pending": counts["pending"],
        "oldest_pending_age_seconds": _age(counts["oldest"], now),
        "failed": counts["failed"],
    }


def _guarded(check, now: datetime, database_ok: bool, keys: tuple[str, ...]) -> dict:
    """Run a database-backed check; an unexpected error is reported, never raised (no HTTP 500)."""
    try:
        result = check(now, database_ok)
    except Exception:
        logger.exception("Health check %s failed", check.__name__)
        return {key: {"status": ERROR} for key in keys}
    return result if len(keys) > 1 else {keys[0]: result}


def health_report() -> dict:
    """The whole report; `status` is "ok" only when no check is in error."""
    started = time.monotonic()
    now = timezone.now()
    report = {"database": _database()}
    database_ok = report["database"]["status"] == OK
    report["redis"] = _redis()
    report.update(_guarded(_heartbeats, now, database_ok, keys=("worker", "beat")))
    report.update(_guarded(_outbox, now, database_ok, keys=("outbox",)))
    healthy = all(part["status"] != ERROR for part in report.values())
    return {
        "status": OK if healthy else ERROR,
        "checked_at": now.isoformat(),
        "duration_ms": round((time.monotonic() - started) * 1000),
        **report,
    }
