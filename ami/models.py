"""AMI data model: campaigns, communes, dossiers and their library sections.

Field verbose names carry the paper dossier's wording (../shared/spec/ami-questions.csv):
forms take their labels from here, so the wording lives in one place. Drafts may be
incomplete, so answers are nullable; completeness is checked at submission
(ami.services.completeness).
"""
from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property

from .constants import (
    COMPATIBLE_SOFTWARE_CHOICES,
    HOSTING_CHOICES,
    LIBRARY_NETWORK_CHOICES,
    MANAGEMENT_CHOICES,
    OBJECTIVE_LEVEL_CHOICES,
    OBJECTIVES,
    VALIDATION_MODE_CHOICES,
)


def private_storage():
    """Files that must never be served from public media (signed documents, PDFs)."""
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


def new_public_id() -> str:
    """The opaque id naming a dossier in its URLs (never the database key): 16 URL-safe characters."""
    return secrets.token_urlsafe(12)


def _random_pdf_name(prefix: str) -> str:
    """Stored names are random: the user's file name is never kept."""
    return f"{prefix}/{timezone.now():%Y}/{uuid.uuid4().hex}.pdf"


def signed_document_path(instance, filename):
    return _random_pdf_name("signed")


def version_pdf_path(instance, filename):
    return _random_pdf_name("receipts")


money = dict(max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)])
count = dict(null=True, blank=True)
yes_no = dict(null=True, blank=True)


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


class Dossier(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "brouillon"
        SUBMITTED = "submitted", "déposé"

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
        return self.status == self.Status.SUBMITTED

    @cached_property
    def objective_fields(self):
        return {key: f"objective_{key}" for key in OBJECTIVES}


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


class Library(models.Model):
    """Volet 1: one section per library of the commune or network."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="libraries")
    sort_order = models.PositiveSmallIntegerField(default=0)

    # Présentation de la bibliothèque municipale
    name = models.CharField("Nom de l'établissement", max_length=255, blank=True)
    manager_name = models.CharField("Nom, prénom du responsable", max_length=255, blank=True)
    address = models.CharField("Adresse", max_length=500, blank=True)
    phone = models.CharField("Téléphone", max_length=20, blank=True)
    email = models.EmailField("E-mail", blank=True)
    portal_url = models.URLField("Adresse URL du portail", max_length=500, blank=True)
    network = models.CharField("Fait partie d'un réseau", max_length=20, choices=LIBRARY_NETWORK_CHOICES, blank=True)
    network_name = models.CharField("Nom du réseau", max_length=255, blank=True)
    associated_communes = models.ManyToManyField(Commune, blank=True, related_name="+", verbose_name="Communes associées")
    network_library_count = models.PositiveIntegerField("Nombre de bibliothèques concernées par ce réseau", **count)
    management_mode = models.CharField(
        "Mode de gestion de l'établissement", max_length=20, choices=MANAGEMENT_CHOICES, blank=True
    )
    management_mode_other = models.CharField("Autre mode de gestion : préciser", max_length=255, blank=True)
    surface_m2 = models.PositiveIntegerField("Nombre de M² total (toutes zones confondues : couloirs, bureaux...)", **count)

    # Équipe
    staff_category_a = models.PositiveIntegerField("Nombre d'agents de catégorie A", **count)
    staff_category_b = models.PositiveIntegerField("Nombre d'agents de catégorie B", **count)
    staff_category_c = models.PositiveIntegerField("Nombre d'agents de catégorie C", **count)
    staff_fte = models.DecimalField(
        "Nombre d'équivalents temps plein", max_digits=6, decimal_places=2, validators=[MinValueValidator(0)], **count
    )
    volunteers = models.PositiveIntegerField("Nombre de bénévoles", **count)

    # Public
    active_members = models.PositiveIntegerField(
        "Nombre d'inscrits actifs",
        help_text="Adhésion valable dans l’année et ayant emprunté au moins un document dans l’année écoulée.",
        **count,
    )
    active_members_adults = models.PositiveIntegerField("Adultes (+ 15 ans)", **count)
    active_members_youth = models.PositiveIntegerField("Jeunesse (0 - 14 ans)", **count)
    daily_visitors = models.PositiveIntegerField("Fréquentation moyenne par jour", **count)

    # Budget
    budget_acquisitions = models.DecimalField("Acquisitions physiques (livres, CD, DVD, jeux...)", **money)
    budget_digital_resources = models.DecimalField("Abonnements aux ressources numériques", **money)
    budget_cultural_action = models.DecimalField("Action culturelle", **money)
    budget_communication = models.DecimalField("Communication", **money)

    # Collections
    documents_total = models.PositiveIntegerField("Nombre de documents total, tout support confondu", **count)
    books = models.PositiveIntegerField("Nombre de livres empruntables", **count)
    dvds = models.PositiveIntegerField("Nombre de DVD empruntables", **count)
    cds = models.PositiveIntegerField("Nombre de CD empruntables", **count)
    periodicals = models.PositiveIntegerField("Nombre d'abonnements à des revues, journaux...", **count)
    games = models.PositiveIntegerField("Nombre de jeux empruntables (société, vidéo...)", **count)

    # Tarifs annuels
    free_for_all = models.BooleanField("Gratuité universelle (gratuit pour tous, sans distinction géographique)", **yes_no)
    fee_adults_resident = models.DecimalField("Adultes de la commune", **money)
    fee_children_resident = models.DecimalField("Enfants de la commune", **money)
    fee_adults_non_resident = models.DecimalField("Adultes hors de la commune", **money)
    fee_children_non_resident = models.DecimalField("Enfants hors de la commune", **money)
    fee_specifics = models.CharField("Spécificité (préciser)", max_length=500, blank=True)

    # Horaires
    weekly_opening_hours = models.DecimalField(
        "Nombre d'heures d'ouverture hebdomadaire",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(168)],
        **count,
    )

    # Équipement
    public_computers = models.PositiveIntegerField("Nombre de postes informatiques à disposition du public", **count)
    staff_computers = models.PositiveIntegerField("Nombre de postes informatiques professionnels", **count)
    public_wifi = models.BooleanField("Accès WIFI public", **yes_no)
    ereaders = models.PositiveIntegerField("Nombre de liseuses", **count)
    ereaders_lendable = models.BooleanField("Les liseuses sont-elles empruntables ?", **yes_no)
    tablets = models.PositiveIntegerField("Nombre de tablettes", **count)
    tablets_lendable = models.BooleanField("Les tablettes sont-elles empruntables ?", **yes_no)
    has_digital_advisors = models.BooleanField("Disposez-vous des conseillers numériques ?", **yes_no)
    digital_advisors = models.PositiveIntegerField("Si oui, combien ?", **count)
    has_rfid = models.BooleanField("La bibliothèque est-elle équipée de la RFID ?", **yes_no)
    has_return_box = models.BooleanField("Disposez-vous une boîte de retour automatisée ?", **yes_no)

    # SIGB
    sigb_vendor = models.CharField("Prestataire SIGB", max_length=255, blank=True)
    sigb_name = models.CharField("Nom du SIGB", max_length=255, blank=True)
    sigb_version = models.CharField("Version du SIGB", max_length=100, blank=True)
    sigb_since = models.PositiveSmallIntegerField("Depuis quelle année avez-vous ce SIGB ?", **count)
    sigb_hosting = models.CharField("Hébergement du SIGB", max_length=20, choices=HOSTING_CHOICES, blank=True)
    sigb_annual_cost = models.DecimalField("Coût annuel pour l'hébergement et la maintenance du SIGB", **money)

    # Portail
    portal_vendor = models.CharField("Prestataire portail", max_length=255, blank=True)
    portal_name = models.CharField("Nom du portail", max_length=255, blank=True)
    portal_version = models.CharField("Version du portail", max_length=100, blank=True)
    portal_since = models.PositiveSmallIntegerField("Depuis quelle année avez-vous ce portail ?", **count)
    portal_hosting = models.CharField("Hébergement du portail", max_length=20, choices=HOSTING_CHOICES, blank=True)
    portal_annual_cost = models.DecimalField("Coût annuel pour l'hébergement et la maintenance du portail", **money)
    portal_unique_users = models.PositiveIntegerField(
        "Nombre d'utilisateurs se connectant sur le portail avec leurs identifiants",
        help_text="Utilisateurs uniques sur l’année de référence.",
        **count,
    )

    # Ressources en ligne
    offers_online_resources = models.BooleanField("Proposez-vous des ressources en ligne à vos utilisateurs ?", **yes_no)
    online_resources = models.TextField("Si oui, quelles sont les ressources auxquelles vous êtes abonnés ?", blank=True)

    # Réseaux sociaux
    facebook = models.BooleanField("Facebook", **yes_no)
    facebook_account = models.CharField("Compte Facebook", max_length=255, blank=True)
    instagram = models.BooleanField("Instagram", **yes_no)
    instagram_account = models.CharField("Compte Instagram", max_length=255, blank=True)
    tiktok = models.BooleanField("TikTok", **yes_no)
    tiktok_account = models.CharField("Compte TikTok", max_length=255, blank=True)
    social_other = models.CharField("Autre (précisez)", max_length=255, blank=True)

    # Besoins de formation (informatique)
    training_computer_basics = models.BooleanField("Prise en main de l'ordinateur", default=False)
    training_office = models.BooleanField("Bureautique (messagerie, traitement de texte...)", default=False)
    training_internet = models.BooleanField("Recherche sur Internet (sécurité, validité de l'information...)", default=False)
    training_social_media = models.BooleanField(
        "Réseaux sociaux (découverte, gestion d'identité, production de contenus)", default=False
    )
    training_media_software = models.BooleanField("Logiciels images et vidéo pour création de contenus", default=False)
    training_it_other = models.CharField("Autre besoin informatique (précisez)", max_length=255, blank=True)

    # Besoins de formation (numérique)
    training_digital_tools = models.BooleanField(
        "Le numérique : un outil au service de la bibliothèque, nouveaux outils et services", default=False
    )
    training_online_resources = models.BooleanField(
        "Ressources en ligne : découverte des ressources, comment en faire la promotion", default=False
    )
    training_digital_activities = models.BooleanField("Animation avec des outils numériques", default=False)
    training_tablets = models.BooleanField("Tablettes en bibliothèque : contenus, applications et gestion", default=False)
    training_ereaders = models.BooleanField("Liseuses en bibliothèque", default=False)
    training_coding = models.BooleanField("Codage et programmation", default=False)
    training_maker_tools = models.BooleanField("Outils numériques (imprimante 3D, brodeuse numérique...)", default=False)
    training_digital_other = models.CharField("Autre besoin numérique (précisez)", max_length=255, blank=True)

    # Ateliers numériques proposés
    workshop_computer_intro = models.BooleanField("Ateliers d'initiation à l'informatique", default=False)
    workshop_online_resources = models.BooleanField("Ateliers de découverte des ressources en ligne", default=False)
    workshop_admin_help = models.BooleanField(
        "Ateliers ou permanences pour l'accompagnement aux démarches administratives", default=False
    )
    workshop_media_literacy = models.BooleanField(
        "Ateliers d'éducation aux médias et à l'information",
        help_text="Sensibiliser aux fausses informations, former l’esprit critique, produire des contenus…",
        default=False,
    )
    workshop_digital_storytelling = models.BooleanField(
        "Animations avec des applications numériques (heure du conte numérique...)", default=False
    )
    workshop_coding = models.BooleanField("Ateliers de programmation ou de codage", default=False)
    workshop_specific_tools = models.BooleanField(
        "Ateliers d'initiation à des outils ou logiciels spécifiques",
        help_text="Retouche photos, imprimante 3D, réalité virtuelle…",
        default=False,
    )
    workshop_other = models.CharField("Autre atelier (précisez)", max_length=255, blank=True)

    # Liens avec la MEL
    mel_library_nights = models.BooleanField("Participez-vous aux Nuits des bibliothèques ?", **yes_no)
    mel_libre2lire = models.BooleanField("Participez-vous au prix de littérature ado libre2lire ?", **yes_no)
    mel_professional_days = models.BooleanField(
        "Participez-vous aux cafés d'échanges, réunions, journées professionnelles organisés par la MEL ?", **yes_no
    )
    mel_uses_portal = models.BooleanField("Utilisez-vous le portail « à suivre... » ?", **yes_no)
    portal_use_pro_days = models.BooleanField(
        "Espace pro : journées professionnelles, cafés d'échanges, journées du réseau", default=False
    )
    portal_use_newsletters = models.BooleanField("Espace pro : lettres du réseau", default=False)
    portal_use_exchange_platform = models.BooleanField("Espace pro : plateforme d'échanges", default=False)
    portal_use_reference_texts = models.BooleanField(
        "Espace pro : textes de référence nationaux et métropolitains", default=False
    )
    portal_use_news = models.BooleanField("Actualités sur le livre et la lecture", default=False)
    portal_use_catalogue = models.BooleanField("Le catalogue unique pour trouver un document", default=False)
    portal_use_mel_actions = models.BooleanField(
        "Les actions métropolitaines : Nuits des bibliothèques, libre2lire, défis bibli...", default=False
    )
    portal_use_other = models.CharField("Autre usage du portail (précisez)", max_length=255, blank=True)
    mel_open_agenda = models.BooleanField(
        "Avez-vous un open agenda lié à la MEL ?",
        help_text="Votre agenda culturel remonte-t-il automatiquement sur le portail « à suivre... » ?",
        **yes_no,
    )
    mel_equipment_fund = models.BooleanField(
        "Avez-vous bénéficié du fonds de concours « équipements culturels » pour votre bibliothèque ?", **yes_no
    )
    mel_digital_call = models.BooleanField(
        "Avez-vous bénéficié de l'appel à projet « adaptation numérique et innovation » pour votre bibliothèque ?",
        **yes_no,
    )
    mel_cultural_partnerships = models.BooleanField(
        "Avez-vous mis en place des actions culturelles avec des partenaires financés par la MEL dans le cadre "
        "des « partenariats culturels » ?",
        help_text="Labo des histoires, Littératures etc., Dynamo, Lis avec moi…",
        **yes_no,
    )

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = "bibliothèque"
        verbose_name_plural = "bibliothèques"

    def __str__(self):
        return self.name or f"Bibliothèque n° {self.sort_order + 1}"


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
