"""A commune's application (dossier), the communes it covers, its submitted versions and its
private resume links. Partie 1 Volet 2, Partie 2 and the validation are answered on the dossier;
Volet 1 per library (ami.models.library)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property

from ..constants import (
    COMPATIBLE_SOFTWARE_CHOICES,
    OBJECTIVE_LEVEL_CHOICES,
    OBJECTIVES,
    VALIDATION_MODE_CHOICES,
)
from .campaign import Campaign, Commune
from .common import new_public_id, private_storage, signed_document_path, version_pdf_path, yes_no


class Dossier(models.Model):
    # Not in Wagtail's reference index: it references no page, image or document, nothing reads its
    # « usage », and indexing it cost two queries on every save of a referent.
    wagtail_reference_index_ignore = True

    class Status(models.TextChoices):
        # Written by the referent: DRAFT → SUBMITTED (and back by « Modifier ma candidature »).
        DRAFT = "draft", "brouillon"
        SUBMITTED = "submitted", "déposé"
        # The MEL team's review (ami.services.review holds the allowed transitions).
        IN_REVIEW = "in_review", "en instruction"
        TO_COMPLETE = "to_complete", "à compléter"
        ACCEPTED = "accepted", "retenu"
        REJECTED = "rejected", "non retenu"

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="dossiers", verbose_name="campagne")
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="+", verbose_name="Nom de la commune"
    )
    # Names the dossier in its URLs; access still needs the dossier in the browser's session.
    public_id = models.CharField("identifiant public", max_length=22, unique=True, default=new_public_id,
                                 editable=False)
    # Optimistic concurrency: {step slug: number of saves of that step}. A save sent from an
    # older revision of a step is shown as a conflict instead of overwriting.
    step_revisions = models.JSONField("révisions des étapes", default=dict, blank=True, editable=False)
    status = models.CharField("état", max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    submitted_at = models.DateTimeField("déposé le", null=True, blank=True)
    receipt_number = models.CharField("numéro de récépissé", max_length=20, unique=True, null=True, blank=True)
    version = models.PositiveIntegerField("version déposée", default=0)
    # Set by the MEL team when it asks the commune to complete a submitted dossier: the dossier is
    # writable again until then (ami.services.deadlines); cleared on resubmission or decision.
    completion_due_at = models.DateTimeField("à compléter avant le", null=True, blank=True)

    # Network (one dossier for a network of several communes)
    is_network = models.BooleanField("Dossier déposé pour un réseau de bibliothèques", null=True, blank=True)
    communes = models.ManyToManyField(
        Commune, through="DossierCommune", related_name="dossiers", verbose_name="Communes du réseau", blank=True
    )
    head_commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="Commune tête de réseau"
    )
    has_head_commune = models.BooleanField(
        "Une commune « tête de réseau » est désignée officiellement", null=True, blank=True
    )

    # Élu référent du dossier
    elected_last_name = models.CharField("Nom", max_length=150, blank=True)
    elected_first_name = models.CharField("Prénom", max_length=150, blank=True)
    elected_delegation = models.CharField("Délégation", max_length=255, blank=True)
    elected_email = models.EmailField("E-mail", blank=True)

    # Agent référent identifié pour la mise en oeuvre et le suivi du projet
    agent_last_name = models.CharField("Nom", max_length=150, blank=True)
    agent_first_name = models.CharField("Prénom", max_length=150, blank=True)
    agent_position = models.CharField("Poste", max_length=255, blank=True)
    agent_department = models.CharField("Direction et service", max_length=255, blank=True)
    agent_email = models.EmailField("E-mail", blank=True)
    agent_phone = models.CharField("Téléphone", max_length=20, blank=True)

    # Validation du dépôt
    validation_mode = models.CharField(
        "Dépôt du dossier AMI validé par signature de l'élu référent ou délibération",
        max_length=20,
        choices=VALIDATION_MODE_CHOICES,
        blank=True,
    )
    deliberation_date = models.DateField("Date", null=True, blank=True)
    deliberation_number = models.CharField("Numéro", max_length=50, blank=True)

    # Volet 2
    project_statement = models.TextField(
        "Comment intégrez-vous la Bibliothèque Numérique Métropolitaine (BNM) dans votre projet communal ?",
        blank=True,
    )

    # Partie 2 – engagements (values: oui / non / n+1 / n+2, see Campaign.engagement_choices)
    engagement_sigb = models.CharField(
        "La commune souhaite intégrer le logiciel de gestion de bibliothèque métropolitain", max_length=5, blank=True
    )
    engagement_portal_link = models.CharField(
        "La commune souhaite valoriser les ressources en ligne métropolitaines via un lien vers le portail "
        "« à suivre... » sur son propre portail",
        max_length=5,
        blank=True,
    )
    compatible_software = models.CharField(
        "La commune souhaite conserver son logiciel métier compatible (PMB, Nanook, Orphée) et que la MEL "
        "développe les connecteurs suivants",
        max_length=10,
        choices=COMPATIBLE_SOFTWARE_CHOICES,
        blank=True,
    )
    engagement_double_sso = models.CharField(
        "La commune souhaite intégrer les ressources en ligne métropolitaines sur son propre portail "
        "(identification unique pour l'utilisateur : double SSO)",
        max_length=5,
        blank=True,
    )
    engagement_federated_search = models.CharField(
        "La commune souhaite intégrer les ressources en ligne métropolitaines dans la recherche catalogue de "
        "sa bibliothèque (recherche fédérée)",
        max_length=5,
        blank=True,
    )
    engagement_ebooks = models.CharField(
        "La commune souhaite participer à la politique documentaire du livre numérique", max_length=5, blank=True
    )
    engagement_mediation_design = models.BooleanField(
        "La commune souhaite participer à la conception d'un service expérimental de médiation numérique en mode design",
        **yes_no,
    )
    engagement_mediation_programme = models.CharField(
        "La commune souhaite intégrer le service expérimental de médiation numérique dans sa programmation culturelle",
        max_length=5,
        blank=True,
    )

    # Objectives: one level (+++, ++, +) on exactly three different objectives.
    objective_public_service = models.CharField(OBJECTIVES["public_service"], max_length=3, choices=OBJECTIVE_LEVEL_CHOICES, blank=True)
    objective_varied_offer = models.CharField(OBJECTIVES["varied_offer"], max_length=3, choices=OBJECTIVE_LEVEL_CHOICES, blank=True)
    objective_networking = models.CharField(OBJECTIVES["networking"], max_length=3, choices=OBJECTIVE_LEVEL_CHOICES, blank=True)
    objective_staff_skills = models.CharField(OBJECTIVES["staff_skills"], max_length=3, choices=OBJECTIVE_LEVEL_CHOICES, blank=True)
    objective_visibility = models.CharField(OBJECTIVES["visibility"], max_length=3, choices=OBJECTIVE_LEVEL_CHOICES, blank=True)
    objective_cultural_practice = models.CharField(OBJECTIVES["cultural_practice"], max_length=3, choices=OBJECTIVE_LEVEL_CHOICES, blank=True)
    objective_modernise = models.CharField(OBJECTIVES["modernise"], max_length=3, choices=OBJECTIVE_LEVEL_CHOICES, blank=True)
    objective_savings = models.CharField(OBJECTIVES["savings"], max_length=3, choices=OBJECTIVE_LEVEL_CHOICES, blank=True)
    objective_other = models.CharField(OBJECTIVES["other"], max_length=3, choices=OBJECTIVE_LEVEL_CHOICES, blank=True)
    objective_other_text = models.CharField("Autre objectif : précisez", max_length=255, blank=True)

    # Engagements obligatoires
    training_commitment = models.BooleanField(
        "La formation : le numérique en bibliothèque, remise à niveau informatique", default=False
    )

    # Signature
    signed_place = models.CharField("Fait à", max_length=150, blank=True)
    signed_on = models.DateField("Le", null=True, blank=True)
    signed_document = models.FileField(
        "Signature du représentant légal + cachet",
        upload_to=signed_document_path,
        storage=private_storage,
        blank=True,
        max_length=255,
    )
    signed_document_uploaded_at = models.DateTimeField(null=True, blank=True)
    signed_document_size = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["commune__name"]
        verbose_name = "dossier de candidature"
        verbose_name_plural = "dossiers de candidature"
        constraints = [
            models.UniqueConstraint(fields=["campaign", "commune"], name="one_dossier_per_commune_and_campaign"),
        ]

    def __str__(self):
        return f"{self.commune} – {self.campaign}"

    @property
    def is_submitted(self) -> bool:
        """« Déposé » and nothing more: the only state the referent may reopen (« Modifier ma candidature »)."""
        return self.status == self.Status.SUBMITTED

    @property
    def is_with_mel(self) -> bool:
        """A submitted version stands and the referent is not editing: déposé, en instruction or decided."""
        return self.status in WITH_MEL

    @property
    def is_under_review(self) -> bool:
        """En instruction or decided: the referent can neither edit nor reopen it."""
        return self.status in UNDER_REVIEW

    @property
    def is_to_complete(self) -> bool:
        """The team asked the referent to complete it: writable until completion_due_at."""
        return self.status == self.Status.TO_COMPLETE

    @cached_property
    def objective_fields(self):
        return {key: f"objective_{key}" for key in OBJECTIVES}


UNDER_REVIEW = frozenset({Dossier.Status.IN_REVIEW, Dossier.Status.ACCEPTED, Dossier.Status.REJECTED})
WITH_MEL = UNDER_REVIEW | {Dossier.Status.SUBMITTED}


class DossierEvent(models.Model):
    """One change of a dossier's state: who (a staff user, or nobody for the referent), when,
    from which state to which, and the message sent to the referent with a decision."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events", verbose_name="dossier")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="par",
    )
    at = models.DateTimeField("le", default=timezone.now)
    from_state = models.CharField("état avant", max_length=20, choices=Dossier.Status.choices)
    to_state = models.CharField("état après", max_length=20, choices=Dossier.Status.choices)
    message = models.TextField("message à la commune", blank=True)
    due_at = models.DateTimeField("à compléter avant le", null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "changement d’état"
        verbose_name_plural = "changements d’état"

    def __str__(self):
        return f"{self.dossier_id} : {self.get_from_state_display()} → {self.get_to_state_display()}"


class DossierNote(models.Model):
    """A private note of the MEL team on a dossier: never shown to the commune, never in its PDF."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="staff_notes", verbose_name="dossier")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="auteur",
    )
    created_at = models.DateTimeField("le", default=timezone.now)
    text = models.TextField("note")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "note interne"
        verbose_name_plural = "notes internes"

    def __str__(self):
        return f"Note sur le dossier {self.dossier_id}"


class DossierCommune(models.Model):
    """Communes covered by a dossier (the candidate commune plus network members).

    The campaign is repeated here so the database itself guarantees that a commune
    is in at most one dossier per campaign.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="commune_links")
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="dossier_links")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "commune du dossier"
        verbose_name_plural = "communes du dossier"
        constraints = [
            models.UniqueConstraint(fields=["campaign", "commune"], name="one_dossier_per_commune_in_campaign"),
        ]

    def __str__(self):
        return str(self.commune)

    def save(self, *args, **kwargs):
        self.campaign_id = self.dossier.campaign_id
        super().save(*args, **kwargs)


class DossierVersion(models.Model):
    """A frozen copy of each submission: what was sent, when, and its PDF."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("version")
    submitted_at = models.DateTimeField("déposée le")
    data = models.JSONField("réponses", default=dict)
    pdf = models.FileField(upload_to=version_pdf_path, storage=private_storage, blank=True, max_length=255)

    class Meta:
        ordering = ["dossier", "-number"]
        verbose_name = "version déposée"
        verbose_name_plural = "versions déposées"
        constraints = [models.UniqueConstraint(fields=["dossier", "number"], name="one_version_number_per_dossier")]

    def __str__(self):
        return f"{self.dossier} – version {self.number}"


class AccessToken(models.Model):
    """A private resume link. Only the SHA-256 of the token is stored.

    A link is valid for settings.AMI_LINK_LIFETIME from its creation and never after its
    campaign closes (the campaign's current deadline, so an extension decided by MEL extends
    every link already sent, within the lifetime). Issuing a new link revokes the older ones:
    at most one link per dossier is not revoked (enforced by the database).
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="access_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)

    class Meta:
        verbose_name = "lien de reprise"
        verbose_name_plural = "liens de reprise"
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"], condition=models.Q(revoked_at__isnull=True), name="one_live_access_token_per_dossier"
            ),
        ]

    def __str__(self):
        return f"Lien de reprise du dossier {self.dossier_id}"
