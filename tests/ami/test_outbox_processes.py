"""The outbox under process failures, with real processes: `celery -A config worker` and
`celery -A config beat` (short schedules through the environment) on a Redis server of our
own (started on a free port, restarted by the test), the test PostgreSQL database and a real
SMTP sink.

Worker and beat are killed (SIGKILL) mid-batch, e-mails are queued while they are down,
Redis is restarted with those tasks in flight (they are lost: no persistence), then again
while the worker runs. Every e-mail must arrive, and none twice except the one duplicate
the SMTP boundary allows (SMTP accepted, then the worker was killed before its commit),
recognised by its Message-ID.
"""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from ami.models import Heartbeat, OutboxEmail
from ami.services.notifications import queue_resume_link_email
from tests.integration_fixtures import make_complete_dossier

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def wait_until(predicate, timeout: float, what: str, logs=()) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    if not predicate():
        tails = "\n".join(f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}" for path in logs)
        pytest.fail(f"Timed out after {timeout} s waiting for {what}\n{tails}")


class CeleryProcess:
    def __init__(self, args: list[str], env: dict, log: Path):
        self.args, self.env, self.log = args, env, log
        self.process = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", *self.args],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


def queue_emails(dossier, first: int, count: int) -> None:
    with transaction.atomic():  # dispatched to Redis on commit
        for n in range(first, first + count):
            queue_resume_link_email(dossier, f"tok_{n:04d}" + "D" * 40, recipient=f"referent{n}@example.org")


def test_worker_beat_and_redis_restarts_lose_no_email_and_send_none_twice(
    transactional_db, django_db_serialized_rollback, own_redis, smtp_sink, broker_at, tmp_path, client, settings
):
    if connection.vendor != "postgresql":
        pytest.skip("the worker and beat processes share the test database: PostgreSQL (as in CI)")
    settings.OUTBOX_RETRY_DELAY = 2  # the web side (this process) shares the processes' settings
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_BROKER_URL": own_redis.url(),
        "REDIS_URL": "",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_sink.port}",
        "PRIVATE_MEDIA_ROOT": str(django_settings.PRIVATE_MEDIA_ROOT),
        "MEDIA_ROOT": str(django_settings.MEDIA_ROOT),
        "OUTBOX_SWEEP_SECONDS": "1",
        "OUTBOX_RETRY_DELAY": "2",
        "HEARTBEAT_SECONDS": "1",
        "PYTHONUNBUFFERED": "1",
    }
    worker_log, beat_log = tmp_path / "worker.log", tmp_path / "beat.log"
    logs = (worker_log, beat_log)
    worker = CeleryProcess(
        ["worker", "--pool=solo", "-l", "info", "--without-gossip", "--without-mingle", "--without-heartbeat",
         "-n", f"outbox-test-{os.getpid()}@%h"],
        env, worker_log,
    )
    beat = CeleryProcess(["beat", "-l", "info", "--schedule", str(tmp_path / "beat-schedule")], env, beat_log)

    # The SMTP server takes 0.2 s per message, so that a kill lands in the middle of a batch.
    accept = smtp_sink.handle_DATA

    async def slow_accept(server, session, envelope):
        await asyncio.sleep(0.2)
        return await accept(server, session, envelope)

    smtp_sink.handle_DATA = slow_accept
    broker_at(own_redis.url())
    settings.REDIS_URL = ""  # /sante/ of this (web) process checks only the broker
    dossier = make_complete_dossier(communes=("Lille",), libraries=1)
    broker = own_redis.client()
    sent = OutboxEmail.objects.filter(status=OutboxEmail.Status.SENT)
    try:
        worker.start()
        beat.start()
        wait_until(lambda: Heartbeat.objects.filter(source="beat").exists(), 30, "beat to start", logs)

        # 1. A batch is being sent: worker and beat are killed in the middle of it.
        queue_emails(dossier, 0, 10)
        wait_until(lambda: len(smtp_sink.messages) >= 3, 30, "the first e-mails", logs)
        worker.kill()
        beat.kill()
        assert sent.count() < 10

        # 2. More e-mails while nothing consumes: their tasks are in Redis, then Redis restarts.
        queue_emails(dossier, 10, 6)
        assert broker.llen("celery") >= 6
        own_redis.stop()
        own_redis.start()
        assert broker.llen("celery") == 0  # the tasks in flight are gone

        # 3. Worker and beat come back: the sweep dispatches what was lost.
        restarted = timezone.now()
        worker.start()
        beat.start()
        wait_until(
            lambda: Heartbeat.objects.filter(seen_at__gt=restarted).count() == 2, 30,
            "the heartbeats of the restarted worker and beat", logs,
        )
        wait_until(lambda: sent.count() == 16, 40, "the 16 e-mails to be sent", logs)

        # 4. Redis restarts under a running worker with tasks in flight.
        queue_emails(dossier, 16, 6)
        own_redis.stop()
        own_redis.start()
        wait_until(lambda: sent.count() == 22, 40, "the 22 e-mails to be sent", logs)
        assert worker.alive() and beat.alive(), "the worker and beat survive a Redis restart"

        # Heartbeats of the restarted processes, read by /sante/ from the database.
        wait_until(
            lambda: client.get(reverse("health")).status_code == 200, 10, "/sante/ to report healthy", logs
        )
    finally:
        worker.kill()
        beat.kill()
        broker.close()

    emails = list(OutboxEmail.objects.all())
    assert len(emails) == 22 and all(e.status == OutboxEmail.Status.SENT for e in emails)
    from ami.tasks import outbox_message_id

    expected = {outbox_message_id(e): e for e in emails}
    received = Counter(str(m["Message-ID"]) for m in smtp_sink.messages)
    assert set(received) == set(expected), "every e-mail arrived, with its own Message-ID"
    duplicates = {message_id: n for message_id, n in received.items() if n > 1}
    # At most the one e-mail whose SMTP exchange was under way when the worker was killed.
    assert len(duplicates) <= 1 and all(n == 2 for n in duplicates.values()), duplicates
    recipients = Counter(str(m["To"]) for m in smtp_sink.messages)
    assert len(recipients) == 22
