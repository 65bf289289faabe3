"""This process's copy of the page cache's generation, kept current by Redis (README « Page cache »).

A stored page is valid while it carries the current generation (core/pagecache.py). Reading the
counter from Redis costs a network round trip on every request: about half of what a stored page
costs to serve. Instead, on Redis, every change of the counter is announced on a channel in the
same MULTI/EXEC as the change itself (`announce`), and each process subscribes to it and keeps the
last value it read (`known`), trusting it only while:

- no change was announced since: before each use, what the subscription's socket holds is read
  without waiting, and any announcement forgets the value (the next request reads the counter
  again, as before, and `remember`s it);
- the subscription is alive: a PING every half second on it, and no trust once the last PONG is older
  than TRUST_SECONDS (a hung or restarted Redis); a lost subscription is opened again after
  RETRY_SECONDS, and the value read again.

So a change is seen by every process as soon as Redis has written the announcement to its socket,
which Redis does before it answers the process that made the change. With the file or memory
cache (no Redis) nothing is watched: `known()` is None and `announce()` False.
"""
from __future__ import annotations

import os
import secrets
import threading
import time

from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

from config.cache import OUTAGE_ERRORS, FailSoftRedisCache

PING_SECONDS = 0.5
TRUST_SECONDS = 1.5
RETRY_SECONDS = 5.0
FAILURES = (*OUTAGE_ERRORS, RedisError, ConnectionInterrupted)


class GenerationWatch:
    def __init__(self, cache: FailSoftRedisCache, key: str):
        self.cache = cache
        self.key = key
        self.pid = os.getpid()
        self.lock = threading.Lock()
        self.pubsub = None
        self.channel = None
        self.generation: int | None = None
        self.trusted = False  # Redis answered the subscription lately (last known())
        self.changes = 0  # announcements read so far: a value read before one is not kept
        self.last_pong = self.last_ping = self.failed_at = 0.0

    # --- the counter's value ---------------------------------------------------------------

    def known(self) -> int | None:
        """The current generation without a round trip, or None: read it from the cache."""
        with self.lock:
            self.trusted = self._poll()
            return self.generation if self.trusted else None

    def token(self) -> int:
        """Take before reading the counter; give back to `remember`."""
        return self.changes

    def remember(self, value: int | None, token: int) -> int | None:
        """Keep the counter just read, unless a change was announced since `token` was taken, and
        return it. None while Redis answers: the counter was lost (a Redis restart, an eviction):
        start it again (or no process could keep anything) and return the new value."""
        if value is None and self.trusted:
            return self.announce()
        with self.lock:
            if value is not None and self.pubsub is not None and token == self.changes:
                self.generation = value
        return value

    # --- announcing a change ---------------------------------------------------------------

    def announce(self) -> int | None:
        """Move the counter and announce it in one MULTI/EXEC; its new value (None when Redis did
        not answer). A lost counter starts again at a random value (never one that stored entries
        carry). Fail-soft, as the cache is."""
        try:
            raw = self.cache.client.get_client(write=True)
            key = self.cache.client.make_key(self.key)
            channel = self._channel(raw)
            pipe = raw.pipeline(transaction=True)
            pipe.incr(key)
            pipe.publish(channel, b"1")
            value, _ = pipe.execute()
            if value == 1:  # INCR created it: the counter had been lost
                value = secrets.randbits(62)
                pipe = raw.pipeline(transaction=True)
                pipe.set(key, value)
                pipe.publish(channel, b"1")
                pipe.execute()
            return value
        except FAILURES:
            return None  # Redis down: the pages are built from the database meanwhile (config/cache.py)

    # --- the subscription ------------------------------------------------------------------

    def _channel(self, raw) -> str:
        if self.channel is None:
            # Channels are shared by every database of a Redis server: name the database too.
            db = raw.connection_pool.connection_kwargs.get("db", 0)
            self.channel = f"{self.cache.client.make_key(self.key)}@{db}"
        return self.channel

    def _poll(self) -> bool:
        """Read what the subscription holds (without waiting); True when `generation` may be trusted."""
        now = time.monotonic()
        if self.pubsub is None and not self._subscribe(now):
            return False
        try:
            while (message := self.pubsub.get_message(timeout=0.0)) is not None:
                if message["type"] == "message":
                    self.generation = None
                    self.changes += 1
                else:  # the subscription's confirmation, a PONG: Redis answers
                    self.last_pong = now
            if now - self.last_ping >= PING_SECONDS:
                self.pubsub.ping()
                self.last_ping = now
        except FAILURES:
            self._drop(now)
            return False
        return now - self.last_pong < TRUST_SECONDS

    def _subscribe(self, now: float) -> bool:
        if now - self.failed_at < RETRY_SECONDS:
            return False
        try:  # through the cache's breaker: skipped while Redis was failing a moment ago
            raw = self.cache.client.get_client(write=False)
            pubsub = raw.pubsub()
            pubsub.subscribe(self._channel(raw))
        except FAILURES as exc:
            self.failed_at = now
            if isinstance(exc, OUTAGE_ERRORS):
                # Connecting waited for a socket timeout: the cache's own calls skip Redis now, so
                # that a request waits for one timeout at most (config/cache.py).
                self.cache.breaker.record_failure(exc)
            return False
        self.pubsub, self.generation, self.last_ping = pubsub, None, 0.0
        self.changes += 1
        return True

    def _drop(self, now: float) -> None:
        pubsub, self.pubsub, self.generation, self.failed_at = self.pubsub, None, None, now
        self.changes += 1
        try:
            pubsub.close()
        except FAILURES:
            pass


def watch_for(cache, key: str) -> GenerationWatch | None:
    """The watch of `cache` in this process (None when it is not on Redis)."""
    if not isinstance(cache, FailSoftRedisCache):
        return None
    watch = getattr(cache, "_generation_watch", None)
    if watch is None or watch.pid != os.getpid():  # after a fork, a subscription of its own
        watch = cache._generation_watch = GenerationWatch(cache, key)
    return watch
