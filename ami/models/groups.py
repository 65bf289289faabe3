"""Working groups, the dossiers' sign-ups to them, the members the team adds and the groups'
meetings (published on the public calendar, see ami.services.working_groups)."""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from .campaign import Commune
from .dossier import Dossier


class WorkingGroup(models.Model):
    name = models.CharField("nom", max_length=200)
    description = models.TextField("description", blank=True)
    rhythm = models.CharField(
        "rythme", max_length=200, blank=True, help_text="Par exemple «\u00a0une réunion par mois\u00a0»."
    )
    contact = models.CharField(
        "contact", max_length=200, blank=True, help_text="Personne ou adresse à qui écrire au sujet du groupe."
    )
    sort_order = models.PositiveSmallIntegerField("ordre", default=0)
    is_active = models.BooleanField("proposé dans le formulaire", default=True)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = "groupe de travail"
        verbose_name_plural = "groupes de travail"

    def __str__(self):
        return self.name


class WorkingGroupSignup(models.Model):
    # Not in Wagtail's reference index: it references no page, image or document, nothing reads its
    # « usage », and indexing it cost two queries on every save of a referent.
    wagtail_reference_index_ignore = True

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="working_group_signups")
    group = models.ForeignKey(WorkingGroup, on_delete=models.PROTECT, related_name="signups", verbose_name="groupe")
    agent_names = models.CharField(
        "Agent(s) proposé(s)", max_length=500, blank=True, help_text="Nom et prénom, séparés par des virgules."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "inscription à un groupe de travail"
        verbose_name_plural = "inscriptions aux groupes de travail"
        constraints = [models.UniqueConstraint(fields=["dossier", "group"], name="one_signup_per_group_and_dossier")]

    def __str__(self):
        return f"{self.group} – {self.dossier.commune}"


class WorkingGroupMember(models.Model):
    """A member the MEL team adds to a group by hand. The sign-ups of submitted dossiers are
    the group's other members: both are listed together by ami.services.working_groups."""

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="members", verbose_name="groupe")
    name = models.CharField("nom de l’agent", max_length=200, help_text="Prénom et nom.")
    email = models.EmailField("adresse e-mail", blank=True, help_text="Sans adresse, le membre ne reçoit pas les e-mails du groupe.")
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="commune"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="ajouté par", editable=False,
    )
    created_at = models.DateTimeField("ajouté le", auto_now_add=True)

    class Meta:
        ordering = ["group", "name"]
        verbose_name = "membre ajouté par l’équipe"
        verbose_name_plural = "membres ajoutés par l’équipe"

    def __str__(self):
        return f"{self.name} ({self.group})"


class WorkingGroupMeeting(models.Model):
    """A meeting of a group. `sequence` counts the changes of its time or place: each member
    gets one invitation per sequence (the outbox key holds it)."""

    group = models.ForeignKey(WorkingGroup, on_delete=models.PROTECT, related_name="meetings", verbose_name="groupe")
    starts_at = models.DateTimeField("début", help_text="Date et heure de Paris.")
    ends_at = models.DateTimeField("fin", null=True, blank=True, help_text="Facultatif. Vide : une heure après le début.")
    place = models.CharField("lieu", max_length=200, blank=True, help_text="Adresse de la salle. Vide pour une réunion en visio seulement.")
    is_online = models.BooleanField("en visio", default=False)
    online_url = models.URLField(
        "lien de la visio", max_length=500, blank=True,
        help_text="Envoyé aux membres dans l’invitation, jamais affiché sur le calendrier public.",
    )
    description = models.TextField("description", blank=True, help_text="Ordre du jour, informations pratiques.")
    sequence = models.PositiveIntegerField("version", default=0, editable=False)
    event_page = models.OneToOneField(
        "home.EventPage", on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+",
        verbose_name="page du calendrier",
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    SCHEDULE_FIELDS = ("starts_at", "ends_at", "place", "is_online", "online_url")

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = "réunion de groupe de travail"
        verbose_name_plural = "réunions des groupes de travail"

    def __str__(self):
        from ami.pdf import paris_datetime_label

        return f"{self.group} – {paris_datetime_label(self.starts_at)}" if self.starts_at else str(self.group)

    def clean(self):
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = "La fin doit suivre le début."
        if not self.place.strip() and not self.is_online:
            errors["place"] = "Indiquez le lieu de la réunion, ou cochez «\u00a0en visio\u00a0»."
        if self.online_url and not self.is_online:
            errors["is_online"] = "Cochez «\u00a0en visio\u00a0» pour envoyer le lien de la visio."
        if errors:
            raise ValidationError(errors)
