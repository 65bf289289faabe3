"""Fixtures for tests against real services: an SMTP sink (aiosmtpd) and a real Celery worker
on Redis. Registered from tests/conftest.py (pytest_plugins).

Under CI=true a missing service is a failure, never a skip. Locally, too: a missing service
fails with a clear message (start Redis on 127.0.0.1:6379).

Environment:
- TEST_REDIS_URL (default redis://127.0.0.1:6379) and TEST_REDIS_DB (default 1): the broker
  database used by `celery_worker_live`, so parallel runs can use their own index.

Also: `make_complete_dossier(...)` builds a complete network dossier (two communes, two
libraries, every answer) and `submit_dossier_version(dossier)` records a submitted version
with the snapshot, for e-mail, PDF and integration tests.
"""
from __future__ import annotations

import datetime as dt
import os
import socket
import threading
from decimal import Decimal
from email import message_from_bytes, policy

import pytest

IN_CI = os.environ.get("CI") == "true"


# --- SMTP sink ------------------------------------------------------------------------


class SmtpSink:
    """Messages received by the aiosmtpd controller, parsed as email.message.EmailMessage."""

    def __init__(self):
        self.messages = []
        self.envelopes = []
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)

    async def handle_DATA(self, server, session, envelope):
        with self._arrived:
            self.envelopes.append(envelope)
            self.messages.append(message_from_bytes(envelope.original_content or envelope.content, policy=policy.default))
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 30.0) -> list:
        """Wait until at least `count` messages arrived; return them all."""
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.messages) >= count, timeout=timeout)
            return list(self.messages)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_sink(settings):
    """A real SMTP server on 127.0.0.1; Django's SMTP backend points at it for the test."""
    from aiosmtpd.controller import Controller

    sink = SmtpSink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    sink.port = port
    try:
        yield sink
    finally:
        controller.stop()


# --- Celery worker on Redis ----------------------------------------------------------------


def redis_broker_url() -> str:
    base = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/")
    return f"{base}/{int(os.environ.get('TEST_REDIS_DB', '1'))}"


def _require_redis(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception as exc:  # never skip: a missing service is a failure
        pytest.fail(f"Redis is required for integration tests ({url}): {exc}")


def _reset_producer_pools(app) -> None:
    """Forget the cached producer pools so the next publish uses the current broker_url.

    The pools are not closed: kombu keeps them in a registry keyed by connection and would
    hand a closed pool back on the next run.
    """
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@pytest.fixture
def celery_worker_live(transactional_db, django_db_serialized_rollback, settings):
    """A real Celery worker (thread) consuming from Redis; tasks are no longer eager.

    Needs transactional_db: the worker thread uses its own database connection and only sees
    committed rows. Serialized rollback restores the seeded communes and working groups that
    the flush after a transactional test removes.
    """
    import redis
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun
    from django.db import connections

    import ami.tasks  # noqa: F401  (registers the tasks on the app)
    from config.celery import app

    url = redis_broker_url()
    _require_redis(url)
    redis.Redis.from_url(url).flushdb()  # stale tasks of an earlier run must not leak in

    keys = ("task_always_eager", "broker_url", "result_backend")
    saved = {key: app.conf.get(key) for key in keys}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = url
    app.conf.update(task_always_eager=False, broker_url=url, result_backend=None)
    _reset_producer_pools(app)

    def close_worker_connections(**kwargs):
        # Runs in the worker thread: its DB connection must not outlive the test database.
        connections.close_all()

    task_postrun.connect(close_worker_connections, weak=False)
    try:
        with start_worker(
            app, pool="solo", concurrency=1, perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30
        ) as worker:
            yield worker
    finally:
        task_postrun.disconnect(close_worker_connections)
        app.conf.update(saved)
        _reset_producer_pools(app)


# --- A local S3-compatible server --------------------------------------------------------------


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory):
    """moto's server mode on a free port: the object storage of tests/test_object_storage.py and
    of the web processes of tests/test_two_web_processes.py. Returns its URL."""
    import subprocess

    from tests.gunicorn_process import BIN, stop, wait_until_answering

    port = _free_port()
    log = (tmp_path_factory.mktemp("moto") / "moto.log").open("w")
    server = subprocess.Popen([str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                              stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(server, f"{endpoint}/moto-api/")
        yield endpoint
    finally:
        stop(server)
        log.close()


# --- A complete dossier ---------------------------------------------------------------------


def _complete_library_values(index: int, communes) -> dict:
    from django.db import models

    from ami.models import Library

    values = {}
    for field in Library._meta.concrete_fields:
        if field.name in {"id", "dossier", "sort_order"}:
            continue
        if isinstance(field, models.BooleanField):
            values[field.name] = True
        elif field.choices:
            values[field.name] = field.choices[0][0]
        elif isinstance(field, models.DecimalField):
            values[field.name] = Decimal("1234.50") if field.max_digits == 12 else Decimal("35.5")
        elif isinstance(field, models.PositiveSmallIntegerField) and field.name.endswith("_since"):
            values[field.name] = 2015 + index
        elif isinstance(field, models.IntegerField):
            values[field.name] = 10 + index
        elif isinstance(field, models.EmailField):
            values[field.name] = f"bib{index}@example.org"
        elif isinstance(field, models.URLField):
            values[field.name] = f"https://bib{index}.example.org/"
        elif field.name == "phone":
            values[field.name] = "03 20 00 00 0" + str(index)
        elif isinstance(field, models.CharField | models.TextField):
            values[field.name] = f"Réponse {field.name} {index}"[: field.max_length or 200]
    values["name"] = ["Médiathèque La Grand-Plage", "Bibliothèque Jean-Lévy", "Médiathèque de l’Odyssée"][index % 3]
    values["network"] = "intercommunal"
    values["management_mode"] = "direct"
    values["management_mode_other"] = ""
    values["facebook_account"] = f"@mediatheque{index}"
    values["sigb_hosting"] = "vendor"
    values["online_resources"] = "Cafeyn, Tout apprendre"
    return values


def make_complete_dossier(campaign=None, communes=("Roubaix", "Wattrelos"), libraries=2, **overrides):
    """A draft network dossier with every answer filled, `libraries` libraries and two signups."""
    from django.utils import timezone

    from ami.models import (
        Campaign,
        Commune,
        Dossier,
        DossierCommune,
        Library,
        WorkingGroup,
        WorkingGroupSignup,
    )

    if campaign is None:
        now = timezone.now()
        campaign = Campaign.objects.create(
            title="AMI Bibliothèque Numérique Métropolitaine 2022",
            statistics_year=2021,
            first_engagement_year=2023,
            opens_at=now - dt.timedelta(days=10),
            closes_at=now + dt.timedelta(days=20),
            team_email="equipe-bnm@example.org",
        )
    if not Commune.objects.exists():  # flushed by an earlier transactional test
        from ami.communes import load_mel_communes
        from ami.constants import DEFAULT_WORKING_GROUPS

        load_mel_communes(Commune)
        for order, (name, description) in enumerate(DEFAULT_WORKING_GROUPS):
            WorkingGroup.objects.get_or_create(name=name, defaults={"description": description, "sort_order": order})
    commune_objs = [Commune.objects.get(name=name) for name in communes]
    head = commune_objs[0]
    fields = dict(
        campaign=campaign,
        commune=head,
        is_network=len(commune_objs) > 1,
        head_commune=head,
        has_head_commune=True,
        elected_last_name="Durand",
        elected_first_name="Claire",
        elected_delegation="Culture et lecture publique",
        elected_email="claire.durand@example.org",
        agent_last_name="Martin",
        agent_first_name="Lucas",
        agent_position="Directeur de la médiathèque",
        agent_department="Direction de la culture",
        agent_email="lucas.martin@example.org",
        agent_phone="03 20 12 34 56",
        validation_mode="deliberation",
        deliberation_date=dt.date(2022, 9, 12),
        deliberation_number="DEL-2022-117",
        project_statement="Notre projet : ouvrir la médiathèque au numérique pour tous les habitants.",
        engagement_sigb="oui",
        engagement_portal_link="n+1",
        compatible_software="pmb",
        engagement_double_sso="non",
        engagement_federated_search="n+2",
        engagement_ebooks="oui",
        engagement_mediation_design=True,
        engagement_mediation_programme="oui",
        objective_public_service="+++",
        objective_networking="++",
        objective_modernise="+",
        training_commitment=True,
        signed_place="Roubaix",
        signed_on=dt.date(2022, 9, 20),
    )
    fields.update(overrides)
    dossier = Dossier.objects.create(**fields)
    for commune in commune_objs:
        DossierCommune.objects.create(dossier=dossier, commune=commune)
    for index in range(libraries):
        values = _complete_library_values(index, commune_objs)
        library = Library.objects.create(dossier=dossier, sort_order=index, **values)
        library.associated_communes.set(commune_objs)
    groups = list(WorkingGroup.objects.order_by("sort_order")[:2])
    for group, names in zip(groups, ["Lucas Martin", "Inès Petit, Paul Leroy"], strict=False):
        WorkingGroupSignup.objects.create(dossier=dossier, group=group, agent_names=names)
    return dossier


def submit_dossier_version(dossier, receipt_number=None, submitted_at=None):
    """Mark `dossier` submitted and record its next DossierVersion with the snapshot."""
    from django.utils import timezone

    from ami.models import DossierVersion
    from ami.services.snapshot import dossier_snapshot

    submitted_at = submitted_at or timezone.now()
    dossier.status = dossier.Status.SUBMITTED
    dossier.submitted_at = submitted_at
    dossier.receipt_number = receipt_number or dossier.receipt_number or f"BNM-2022-{dossier.pk:04d}"
    dossier.version += 1
    dossier.save()
    return DossierVersion.objects.create(
        dossier=dossier, number=dossier.version, submitted_at=submitted_at, data=dossier_snapshot(dossier)
    )


@pytest.fixture
def complete_dossier(db):
    return make_complete_dossier()
