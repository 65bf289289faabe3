"""Heartbeats of the Celery worker and of Celery beat, kept in the database.

Why the database and not Redis: /sante/ must still answer, and say which process is
silent, while Redis is down or hung.

How each one is recorded (one row per source, model ami.models.Heartbeat):
- « beat »: beat publishes `ami.tasks.heartbeat` every HEARTBEAT_SECONDS. In the beat process
  only (the receiver is connected on `beat_init`, or `beat_embedded_init` for a worker run
  with -B), publishing that task records « beat » now, from `before_task_publish` (so even
  when the broker refuses the message) and at start-up. It
  proves that beat's scheduling loop is ticking, whatever the broker and the worker do.
- « worker »: when a worker runs `ami.tasks.heartbeat`, it records « worker » now. It proves
  the whole path beat → Redis → worker → database, not just that a worker process exists;
  a worker stuck on a lost broker connection goes stale. The worker also records itself when
  it becomes ready (`worker_ready`), so a restart shows at once.
The periodic tasks expire after one period: heartbeats queued while no worker runs are
dropped, not replayed as a burst that would look like a recent sign of life.

If beat stops, both rows go stale (nothing schedules the worker's heartbeat): /sante/ then
reports beat first. A write that fails (database down) is logged and never stops the process.
"""
from __future__ import annotations

import logging

from celery import signals
from django.db import close_old_connections, connections
from django.utils import timezone

logger = logging.getLogger(__name__)


def record(source: str) -> None:
    """Upsert the heartbeat row of `source` with the current time; never raises."""
    from ami.models import Heartbeat

    try:
        close_old_connections()  # long-running processes: drop a connection the database closed
        Heartbeat.objects.update_or_create(source=source, defaults={"seen_at": timezone.now()})
    except Exception:
        logger.exception("Could not record the %s heartbeat", source)


HEARTBEAT_TASK = "ami.tasks.heartbeat"


def _record_beat(sender=None, **kwargs) -> None:
    if sender == HEARTBEAT_TASK:
        record("beat")


def _in_beat_process(sender=None, **kwargs) -> None:
    signals.before_task_publish.connect(_record_beat, weak=False, dispatch_uid="ami-beat-heartbeat")
    record("beat")


def _worker_ready(sender=None, **kwargs) -> None:
    record("worker")
    # The worker's main process forks pool children later (replaced children): leave them no
    # database connection to inherit.
    connections.close_all()


def connect_signals() -> None:
    """Called from AmiConfig.ready(): every Celery process (worker, beat) runs it after django.setup()."""
    signals.beat_init.connect(_in_beat_process, weak=False, dispatch_uid="ami-beat-init")
    signals.beat_embedded_init.connect(_in_beat_process, weak=False, dispatch_uid="ami-beat-embedded-init")
    signals.worker_ready.connect(_worker_ready, weak=False, dispatch_uid="ami-worker-ready")
