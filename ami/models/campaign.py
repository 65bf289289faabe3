"""Communes and campaigns (a call for applications with its opening and closing dates)."""
from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone


class Commune(models.Model):
    insee_code = models.CharField("code INSEE", max_length=5, unique=True)
    name = models.CharField("nom", max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = "commune"
        verbose_name_plural = "communes"

    def __str__(self):
        return self.name


class CampaignQuerySet(models.QuerySet):
    def current(self, now: datetime | None = None):
        """The campaign shown to the public, in one query: the open one first (earliest
        deadline), else the next to open, else the last closed."""
        now = now or timezone.now()
        rank = models.Case(
            models.When(opens_at__lte=now, closes_at__gt=now, then=models.Value(0)),
            models.When(opens_at__gt=now, then=models.Value(1)),
            default=models.Value(2),
        )
        # Within a rank: open -> soonest deadline, upcoming -> soonest opening, closed -> latest closing.
        return (
            self.annotate(rank=rank)
            .order_by(
                "rank",
                models.Case(models.When(rank=0, then="closes_at")),
                models.Case(models.When(rank=1, then="opens_at")),
                models.F("closes_at").desc(),
            )
            .first()
        )


class Campaign(models.Model):
    class State(models.TextChoices):
        UPCOMING = "upcoming", "à venir"
        OPEN = "open", "ouvert"
        CLOSED = "closed", "clos"

    title = models.CharField("titre", max_length=200)
    statistics_year = models.PositiveSmallIntegerField(
        "année de référence des statistiques", help_text="Par exemple 2021 pour l’AMI 2022."
    )
    first_engagement_year = models.PositiveSmallIntegerField(
        "première année d’engagement",
        help_text="Par exemple 2023 : le formulaire propose alors « Envisagé en 2024 » et « Envisagé en 2025 ».",
    )
    opens_at = models.DateTimeField("ouverture des candidatures")
    closes_at = models.DateTimeField(
        "date limite de dépôt", help_text="Heure de Paris. Après cette date, plus aucune modification."
    )
    team_email = models.EmailField("adresse de l’équipe MEL", default="bnm@lillemetropole.fr")
    dates_note = models.CharField(
        "dates en clair",
        max_length=255,
        blank=True,
        help_text="Pour une campagne dont les dates exactes ne sont pas connues, par exemple « Dossier de candidature "
        "daté de juin 2022 ». Remplace les dates d’ouverture et de clôture sur le site public. Vide : les dates sont affichées.",
    )
    is_demo = models.BooleanField(
        "campagne de démonstration",
        default=False,
        help_text="Créée par `make run` pour essayer le site en local ; signalée comme telle sur le site public.",
    )

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = "campagne d’AMI"
        verbose_name_plural = "campagnes d’AMI"
        constraints = [
            models.CheckConstraint(condition=models.Q(closes_at__gt=models.F("opens_at")), name="campaign_closes_after_opening")
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            from django.core.exceptions import ValidationError

            from ami.services.campaigns import dates_refusal

            raise ValidationError({"closes_at": dates_refusal(self.opens_at, self.closes_at).message})

    def state(self, now: datetime | None = None) -> str:
        now = now or timezone.now()
        if now < self.opens_at:
            return self.State.UPCOMING
        if now < self.closes_at:
            return self.State.OPEN
        return self.State.CLOSED

    def is_open(self, now: datetime | None = None) -> bool:
        return self.state(now) == self.State.OPEN

    def engagement_choices(self, with_next_year=True, with_year_after=True):
        """« OUI / NON / Envisagé en N+1 / Envisagé en N+2 », N being the first engagement year."""
        choices = [("oui", "OUI"), ("non", "NON")]
        if with_next_year:
            choices.append(("n+1", f"Envisagé en {self.first_engagement_year + 1}"))
        if with_year_after:
            choices.append(("n+2", f"Envisagé en {self.first_engagement_year + 2}"))
        return choices


class CampaignExtension(models.Model):
    """A later deadline for one commune of a campaign: only the dossier covering that commune
    stays writable (and may still be started) until then. Granted by the MEL team; the public
    page and the commune's resume link say so (ami.services.deadlines is the only reader)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="extensions", verbose_name="campagne")
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+", verbose_name="commune")
    closes_at = models.DateTimeField("nouvelle date limite", help_text="Heure de Paris.")
    reason = models.CharField("motif", max_length=255, blank=True)
    created_at = models.DateTimeField("accordée le", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name="accordée par",
    )

    class Meta:
        ordering = ["campaign", "commune__name"]
        verbose_name = "prolongation pour une commune"
        verbose_name_plural = "prolongations pour une commune"
        constraints = [
            models.UniqueConstraint(fields=["campaign", "commune"], name="one_extension_per_commune_and_campaign")
        ]

    def __str__(self):
        return f"{self.commune} – {self.campaign}"


class CampaignEvent(models.Model):
    """The campaign's journal: one row per change of its dates, its state or an extension,
    written by ami.services.campaigns (staff actions and the campaign edit form alike).

    `before` and `after` hold what changed ({"opens_at": iso, "closes_at": iso, "state": …} for
    the campaign, {"closes_at": iso, "reason": …} for an extension); empty on a creation or a
    withdrawal. `actor_name` keeps who did it if the account is deleted later."""

    class Kind(models.TextChoices):
        CREATED = "created", "campagne créée"
        EDITED = "edited", "dates modifiées"
        OPENED = "opened", "ouverte maintenant"
        CLOSED = "closed", "clôturée maintenant"
        EXTENDED = "extended", "prolongée pour toutes les communes"
        EXTENSION_GRANTED = "extension_granted", "prolongation accordée à une commune"
        EXTENSION_CHANGED = "extension_changed", "prolongation d’une commune modifiée"
        EXTENSION_WITHDRAWN = "extension_withdrawn", "prolongation d’une commune retirée"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="events", verbose_name="campagne")
    at = models.DateTimeField("le", default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name="par",
    )
    actor_name = models.CharField("par (nom)", max_length=255, blank=True)
    kind = models.CharField("action", max_length=30, choices=Kind.choices)
    commune = models.ForeignKey(
        Commune, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="commune"
    )
    before = models.JSONField("avant", default=dict, blank=True)
    after = models.JSONField("après", default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "événement de campagne"
        verbose_name_plural = "journal de la campagne"
        indexes = [models.Index(fields=["campaign", "-at"], name="ami_campaign_event_at")]

    def __str__(self):
        return f"{self.campaign} – {self.get_kind_display()}"
