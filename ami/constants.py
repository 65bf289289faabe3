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

# Seeded once by a data migration; editors may add more groups in the admin. Names as in the
# paper dossier's engagements, descriptions in its wording for each tool (« La MEL propose »);
# the paper gives no rhythm nor contact per group: both stay empty until the team fills them in.
DEFAULT_WORKING_GROUPS = [
    ("Groupe logiciel métier", "Système intégré de gestion en bibliothèque (SIGB)."),
    ("Groupe ressources en ligne", "Presse, autoformation et vidéo à la demande, puis livres numériques."),
    ("Groupe service expérimental de médiation numérique", "Conception d’un service expérimental de médiation numérique en mode design."),
    ("Groupe livres numériques", "Politique documentaire concertée du livre numérique."),
]
WORKING_GROUP_TIME_NOTE = (
    "Participer à un/des groupe(s) de travail sur le logiciel métier, les ressources en ligne, la médiation "
    "numérique (estimation de 4h/mois environ par groupe : réunion + travail à fournir entre les réunions)"
)

# Who signs the dossier (the paper dossier, « Ce dossier doit être signé par… » and « Pour les réseaux »).
SIGNATURE_NOTE = (
    "Signature du représentant légal et cachet de la commune. Pour un réseau : signature du représentant "
    "légal de la commune désignée « tête de réseau » et son cachet ; s’il n’y a pas de tête de réseau désignée "
    "officiellement, signature et cachet de l’ensemble des communes."
)
# Validating the dossier (the paper dossier, « Attention, le maire ou l’adjoint délégué… »).
DELEGATION_NOTE = (
    "Le maire ou l’adjoint délégué doit avoir une délégation de signature pour valider ce dossier, "
    "sinon une délibération sera nécessaire (sa date et son numéro)."
)


def __getattr__(name):
    # Volet 1's layout is declared in ami.questionnaire; this name stays for older imports.
    if name == "LIBRARY_SECTIONS":
        from ami.questionnaire import library_sections

        return library_sections()
    raise AttributeError(name)
