"""The e-mail outbox and the background processes' heartbeats."""
from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from .common import private_storage
from .dossier import Dossier


def outbox_first_sweep_time() -> datetime:
    """A new row is dispatched on commit; the sweep only looks at it after this grace delay."""
    return timezone.now() + timedelta(seconds=settings.OUTBOX_RETRY_DELAY)


class OutboxEmailQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=OutboxEmail.Status.PENDING)

    def failed(self):
        return self.filter(status=OutboxEmail.Status.FAILED)

    def due(self, now: datetime | None = None):
        """Pending rows whose next attempt time has come (what the periodic sweep dispatches)."""
        return self.pending().filter(next_attempt_at__lte=now or timezone.now())


class OutboxEmail(models.Model):
    """Every e-mail is written here in the business transaction, then sent by Celery.

    `key` is unique: the same message can never be queued twice; the status becomes « envoyé »
    under a row lock by the sending task, so it can never be sent twice. The row, not a
    Celery countdown, says when the next attempt is due (`next_attempt_at`, see ami.tasks).
    """

    # Not in Wagtail's reference index: it references no page, image or document and nothing reads
    # its « usage »; indexing it cost two queries on every e-mail queued.
    wagtail_reference_index_ignore = True

    class Status(models.TextChoices):
        PENDING = "pending", "en attente"
        SENT = "sent", "envoyé"
        FAILED = "failed", "échec"

    key = models.CharField("clé", max_length=200, unique=True)
    to = models.JSONField("destinataires", default=list)
    subject = models.CharField("objet", max_length=255)
    body = models.TextField("texte")
    html_body = models.TextField("texte HTML", blank=True)
    attachment = models.FileField("pièce jointe", storage=private_storage, blank=True, max_length=255)
    attachment_name = models.CharField("nom de la pièce jointe", max_length=255, blank=True)
    dossier = models.ForeignKey(
        Dossier, null=True, blank=True, on_delete=models.SET_NULL, related_name="emails", verbose_name="dossier"
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    status = models.CharField("état", max_length=10, choices=Status.choices, default=Status.PENDING)
    next_attempt_at = models.DateTimeField("prochaine tentative", default=outbox_first_sweep_time)
    retry_since = models.DateTimeField(
        "tentatives depuis", default=timezone.now,
        help_text="Début de la période de nouvelles tentatives (création, ou dernier « Renvoyer »).",
    )
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    failed_at = models.DateTimeField("en échec depuis", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    last_error = models.TextField("dernière erreur", blank=True)

    objects = OutboxEmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "e-mail"
        verbose_name_plural = "e-mails"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="ami_outbox_due")]

    def __str__(self):
        return self.subject


class Heartbeat(models.Model):
    """Last sign of life of a background process, written in the database (not Redis) so that
    /sante/ can read it while Redis is down. See ami.heartbeat."""

    class Source(models.TextChoices):
        WORKER = "worker", "worker Celery"
        BEAT = "beat", "Celery beat"

    source = models.CharField(max_length=10, choices=Source.choices, primary_key=True)
    seen_at = models.DateTimeField("dernier signe de vie")

    class Meta:
        verbose_name = "signe de vie"
        verbose_name_plural = "signes de vie"

    def __str__(self):
        return f"{self.get_source_display()} : {self.seen_at:%Y-%m-%d %H:%M:%S}"
