"""Partie 1 Volet 1: one section per library of the commune or network."""
from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from ..constants import HOSTING_CHOICES, LIBRARY_NETWORK_CHOICES, MANAGEMENT_CHOICES
from .campaign import Commune
from .common import count, money, yes_no
from .dossier import Dossier


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
