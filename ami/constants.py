"""Fixed choices of the AMI paper dossier (2022), in its wording."""

VALIDATION_MODE_CHOICES = [
    ("signature", "signature de l’élu référent (délégation de signature)"),
    ("deliberation", "délibération"),
]

LIBRARY_NETWORK_CHOICES = [
    ("communal", "communal"),
    ("intercommunal", "intercommunal"),
    ("none", "non"),
]

MANAGEMENT_CHOICES = [
    ("direct", "régie directe (budget géré par la commune)"),
    ("other", "autre (préciser)"),
]

HOSTING_CHOICES = [
    ("local", "en local"),
    ("vendor", "chez le prestataire"),
]

COMPATIBLE_SOFTWARE_CHOICES = [
    ("pmb", "PMB"),
    ("nanook", "Nanook"),
    ("orphee", "Orphée"),
    ("none", "Aucun de ces logiciels"),
]

OBJECTIVE_LEVEL_CHOICES = [("+++", "+++"), ("++", "++"), ("+", "+")]
OBJECTIVE_LEVELS = ["+++", "++", "+"]

OBJECTIVES = {
    "public_service": "Proposer un meilleur service de lecture publique à la population",
    "varied_offer": "Développer une offre documentaire plus variée",
    "networking": "Faciliter la mise en réseau avec des communes proches géographiquement",
    "staff_skills": "Développer les compétences numériques des professionnels",
    "visibility": "Rendre visibles les services numériques déployés sur le territoire communal",
    "cultural_practice": "Ancrer les pratiques numériques dans l'offre culturelle de la commune",
    "modernise": "Moderniser la bibliothèque et ses services",
    "savings": "Réaliser une économie financière permettant de développer de nouvelles actions en bibliothèque",
    "other": "Autre objectif, précisez",
}

# Seeded once by a data migration; editors may add more groups in the admin.
DEFAULT_WORKING_GROUPS = [
    ("Groupe logiciel métier", "Choix, paramétrage et déploiement du logiciel de gestion de bibliothèque (SIGB)."),
    ("Groupe ressources en ligne", "Presse, autoformation, vidéo à la demande : sélection et valorisation."),
    ("Groupe service expérimental de médiation numérique", "Conception en mode design de l’outil de médiation numérique."),
    ("Groupe livres numériques", "Politique documentaire concertée du livre numérique."),
]
WORKING_GROUP_TIME_NOTE = (
    "Participer à un/des groupe(s) de travail sur le logiciel métier, les ressources en ligne, la médiation "
    "numérique (estimation de 4h/mois environ par groupe : réunion + travail à fournir entre les réunions)"
)

# Volet 1 of the paper dossier: its sections and the Library fields each one asks, in order.
# The step form, the summary and the PDF all follow this layout.
LIBRARY_SECTIONS = [
    ("Présentation de la bibliothèque municipale", [
        "name", "manager_name", "address", "phone", "email", "portal_url", "network", "network_name",
        "associated_communes", "network_library_count", "management_mode", "management_mode_other", "surface_m2",
    ]),
    ("Équipe", ["staff_category_a", "staff_category_b", "staff_category_c", "staff_fte", "volunteers"]),
    ("Public", ["active_members", "active_members_adults", "active_members_youth", "daily_visitors"]),
    ("Budget", ["budget_acquisitions", "budget_digital_resources", "budget_cultural_action", "budget_communication"]),
    ("Collections", ["documents_total", "books", "dvds", "cds", "periodicals", "games"]),
    ("Tarifs annuels", [
        "free_for_all", "fee_adults_resident", "fee_children_resident", "fee_adults_non_resident",
        "fee_children_non_resident", "fee_specifics",
    ]),
    ("Horaires", ["weekly_opening_hours"]),
    ("Équipement", [
        "public_computers", "staff_computers", "public_wifi", "ereaders", "ereaders_lendable", "tablets",
        "tablets_lendable", "has_digital_advisors", "digital_advisors", "has_rfid", "has_return_box",
    ]),
    ("SIGB", ["sigb_vendor", "sigb_name", "sigb_version", "sigb_since", "sigb_hosting", "sigb_annual_cost"]),
    ("Portail", [
        "portal_vendor", "portal_name", "portal_version", "portal_since", "portal_hosting", "portal_annual_cost",
        "portal_unique_users",
    ]),
    ("Ressources en ligne", ["offers_online_resources", "online_resources"]),
    ("Réseaux sociaux", [
        "facebook", "facebook_account", "instagram", "instagram_account", "tiktok", "tiktok_account", "social_other",
    ]),
    ("Besoins de formation (informatique)", [
        "training_computer_basics", "training_office", "training_internet", "training_social_media",
        "training_media_software", "training_it_other",
    ]),
    ("Besoins de formation (numérique)", [
        "training_digital_tools", "training_online_resources", "training_digital_activities", "training_tablets",
        "training_ereaders", "training_coding", "training_maker_tools", "training_digital_other",
    ]),
    ("Ateliers numériques proposés", [
        "workshop_computer_intro", "workshop_online_resources", "workshop_admin_help", "workshop_media_literacy",
        "workshop_digital_storytelling", "workshop_coding", "workshop_specific_tools", "workshop_other",
    ]),
    ("Liens avec la MEL", [
        "mel_library_nights", "mel_libre2lire", "mel_professional_days", "mel_uses_portal",
        "portal_use_pro_days", "portal_use_newsletters", "portal_use_exchange_platform",
        "portal_use_reference_texts", "portal_use_news", "portal_use_catalogue", "portal_use_mel_actions",
        "portal_use_other", "mel_open_agenda", "mel_equipment_fund", "mel_digital_call",
        "mel_cultural_partnerships",
    ]),
]
