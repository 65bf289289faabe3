"""The site when Redis is down or hung: degrade, never fail (README, « When Redis is down »).

- `FailSoftRedisCache`: the Django cache on django-redis with short socket timeouts, no
  redis-py retries and IGNORE_EXCEPTIONS: a failing Redis reads as a miss and writes as a
  no-op. A circuit breaker stops calling Redis for a few seconds after a failure, so a page
  that touches the cache many times waits for at most one timeout.
- `publish_or_skip(send, *args)`: the same breaker for the Celery broker; callers leave the
  work to a database-driven sweep when the publish fails or is skipped.

Each outage is logged once when it starts and once when it ends, never per call.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

logger = logging.getLogger(__name__)

# Errors that mean "Redis is not there" (refused, reset, timed out, loading), as opposed to a
# command error such as WRONGTYPE, which says nothing about availability.
OUTAGE_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)  # socket.timeout is an OSError


class CircuitBreaker:
    """Stop calling a failing service for `cooldown` seconds after a failure.

    Closed: every call goes through. A failure opens it: `allow()` answers False (callers serve
    a miss, a no-op, or leave the work for later) until `cooldown` seconds have passed; then a
    single call is let through as a probe while the others keep skipping: its success closes
    the breaker, its failure opens it again. Shared by the threads of a process.
    """

    def __init__(self, name: str, cooldown: float):
        self.name = name
        self.cooldown = cooldown
        self._lock = threading.Lock()
        self._open_until = 0.0  # time.monotonic() deadline; 0.0 when closed
        self._outage_started = 0.0

    @property
    def is_open(self) -> bool:
        return bool(self._open_until)

    def allow(self) -> bool:
        if not self._open_until:
            return True
        with self._lock:
            now = time.monotonic()
            if not self._open_until:
                return True
            if now < self._open_until:
                return False
            self._open_until = now + self.cooldown  # this caller probes; the others keep skipping
            return True

    def record_success(self) -> None:
        if not self._outage_started:
            return
        with self._lock:
            started, self._outage_started, self._open_until = self._outage_started, 0.0, 0.0
        if started:
            logger.warning("%s: Redis answers again after %.0f s of outage", self.name, time.monotonic() - started)

    def record_failure(self, error: BaseException) -> None:
        with self._lock:
            now = time.monotonic()
            self._open_until = now + self.cooldown
            first = not self._outage_started
            if first:
                self._outage_started = now
        if first:
            logger.warning(
                "%s: Redis unavailable (%s: %s); not called again for %s s at a time until it answers",
                self.name, type(error).__name__, error, self.cooldown,
            )
        else:
            logger.debug("%s: Redis still unavailable (%s)", self.name, type(error).__name__)


_breakers: dict[str, CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(name: str, cooldown: float) -> CircuitBreaker:
    """The process-wide breaker called `name` (cache backends are per thread; the breaker is not)."""
    with _breakers_lock:
        breaker = _breakers.get(name)
        if breaker is None:
            breaker = _breakers[name] = CircuitBreaker(name, cooldown)
        breaker.cooldown = cooldown
        return breaker


def reset_breakers() -> None:
    """Close every breaker (tests, or after an operator restored Redis and wants no wait)."""
    with _breakers_lock:
        for breaker in _breakers.values():
            with breaker._lock:
                breaker._open_until = breaker._outage_started = 0.0


class BreakerOpen(Exception):
    """Redis was failing a moment ago: the call was not made."""


class _GuardedClient:
    """Wraps django-redis' client: skips calls while the breaker is open, feeds it outcomes.

    Every error is raised as ConnectionInterrupted, which the backend (IGNORE_EXCEPTIONS) turns
    into the miss / no-op answer of that method.
    """

    _LOCAL = frozenset({"close"})  # no network round trip: says nothing about Redis

    def __init__(self, client, breaker: CircuitBreaker):
        self._client = client
        self._breaker = breaker

    def __getattr__(self, name):
        attribute = getattr(self._client, name)
        if name in self._LOCAL or not callable(attribute):
            return attribute
        breaker = self._breaker

        def call(*args, **kwargs):
            if not breaker.allow():
                raise ConnectionInterrupted(connection=None) from BreakerOpen(breaker.name)
            try:
                result = attribute(*args, **kwargs)
            except ConnectionInterrupted as exc:
                if isinstance(exc.__cause__, OUTAGE_ERRORS):
                    breaker.record_failure(exc.__cause__)
                raise
            breaker.record_success()
            return result

        return call


class FailSoftRedisCache(RedisCache):
    """django-redis cache that never fails a page: a miss on read, a no-op on write.

    OPTIONS (besides django-redis' own): BREAKER_SECONDS (default 5). Defaults set here:
    SOCKET_CONNECT_TIMEOUT and SOCKET_TIMEOUT 0.3 s; IGNORE_EXCEPTIONS is always on, and the
    connections never retry (redis-py would otherwise retry with a backoff).
    """

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        cooldown = float(options.pop("BREAKER_SECONDS", 5))
        options.setdefault("SOCKET_CONNECT_TIMEOUT", 0.3)
        options.setdefault("SOCKET_TIMEOUT", 0.3)
        options["IGNORE_EXCEPTIONS"] = True
        options["CONNECTION_POOL_KWARGS"] = {
            **(options.get("CONNECTION_POOL_KWARGS") or {}),
            "retry": Retry(NoBackoff(), 0),
        }
        super().__init__(server, {**params, "OPTIONS": options})
        self.breaker = breaker_for(f"Cache {server}", cooldown)
        self._guarded = None

    @property
    def client(self):
        if self._guarded is None:
            self._guarded = _GuardedClient(RedisCache.client.fget(self), self.breaker)
        return self._guarded


def publish_or_skip(send: Callable, *args, cooldown: float | None = None, **kwargs) -> bool:
    """Call `send(*args, **kwargs)` (a Celery publish) unless the broker failed in the last seconds.

    Never raises. Returns True when the message was handed to the broker; False when the
    publish failed or was skipped: the caller's work must then be picked up by a sweep.
    """
    breaker = breaker_for("Celery broker", cooldown or settings.CELERY_BROKER_BREAKER_SECONDS)
    if not breaker.allow():
        return False
    try:
        send(*args, **kwargs)
    except Exception as exc:  # kombu OperationalError, redis errors, socket timeouts…
        breaker.record_failure(exc)
        return False
    breaker.record_success()
    return True
