"""Redis servers a test may break: our own redis-server on a free port (stopped and
restarted by the test; the shared Redis is never touched), a socket that accepts and never
answers (a hung Redis), and publishing tasks to a given broker as the web process does.
Registered from tests/conftest.py (pytest_plugins).
"""
from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time

import pytest

from tests.integration_fixtures import _free_port, _reset_producer_pools


class OwnRedis:
    """A redis-server subprocess without persistence: a restart loses every queued task."""

    def __init__(self, executable: str):
        self.executable = executable
        self.port = _free_port()
        self.process = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self, db: int = 0):
        import redis

        return redis.Redis.from_url(self.url(db), socket_connect_timeout=1, socket_timeout=1)

    def start(self) -> None:
        import redis

        self.process = subprocess.Popen(
            [self.executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url(), socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        try:
            while True:
                try:
                    client.ping()
                    return
                except redis.ConnectionError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


class HungRedis:
    """A TCP server that accepts every connection and never answers (like a SIGSTOPped Redis)."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.port = self.listener.getsockname()[1]
        self.accepted = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def _accept(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:  # closed by stop()
                return
            self.accepted.append(conn)

    def stop(self):
        self.listener.close()
        for conn in self.accepted:
            conn.close()


@pytest.fixture
def own_redis():
    executable = shutil.which("redis-server")
    if executable is None:  # never skip: a missing service is a failure
        pytest.fail("redis-server is required for the Redis fault tests (apt-get install -y redis-server)")
    server = OwnRedis(executable)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def hung_redis():
    server = HungRedis()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def broker_at(settings):
    """Publish tasks (on commit) to a given broker URL, as the web process does in production."""
    from config.celery import app

    saved = {key: app.conf.get(key) for key in ("task_always_eager", "broker_url")}

    def point(url: str) -> None:
        settings.CELERY_TASK_ALWAYS_EAGER = False
        settings.CELERY_BROKER_URL = url
        app.conf.update(task_always_eager=False, broker_url=url)
        _reset_producer_pools(app)

    yield point
    app.conf.update(saved)
    _reset_producer_pools(app)
