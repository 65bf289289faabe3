"""Working groups and the dossiers' sign-ups to them."""
from __future__ import annotations

from django.db import models

from .dossier import Dossier


class WorkingGroup(models.Model):
    name = models.CharField("nom", max_length=200)
    description = models.TextField("description", blank=True)
    sort_order = models.PositiveSmallIntegerField("ordre", default=0)
    is_active = models.BooleanField("proposé dans le formulaire", default=True)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = "groupe de travail"
        verbose_name_plural = "groupes de travail"

    def __str__(self):
        return self.name


class WorkingGroupSignup(models.Model):
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
