"""Content of the presentation page, from the AMI dossier (June 2022). Text in French, as published."""

INTRO = (
    "<p>La Bibliothèque Numérique Métropolitaine (BNM) accompagne les communes partenaires du territoire "
    "de la Métropole Européenne de Lille (MEL) dans la transition numérique au sein de leur bibliothèque.</p>"
    "<p>Cette page présente le programme 2022-2025 tel que la MEL l’a publié en juin 2022, dans le dossier de "
    "l’appel à manifestation d’intérêt : ses calendriers sont ceux qui étaient prévus à cette date.</p>"
)

CONTEXT = """
<p>La MEL mène une politique culturelle engagée en soutenant les événements culturels métropolitains depuis 2001 (délibération 01 C 325) et la mise en réseau des équipements culturels depuis 2012 (délibération 12 C 0647), grâce notamment à la création d’un portail communautaire de lecture publique permettant l’accès à une offre documentaire et à des services en ligne : <a href="https://asuivre.lillemetropole.fr/">le portail « à suivre... »</a>.</p>
<p>Pour asseoir cette politique structurante et ambitieuse, la MEL a voté le 18 décembre 2020 le plan de développement de la lecture et des bibliothèques pour la période 2020-2026 (délibération n° 20 C 0483). Par délibération n° 22-C-0045 du 25 février 2022, elle a décidé de mettre en œuvre une Bibliothèque Numérique Métropolitaine, qui a vocation à accompagner les communes partenaires du territoire dans la transition numérique au sein de leur bibliothèque.</p>
<p>Ce projet est soutenu financièrement par l’État dans le cadre du label « bibliothèque numérique de référence » (BNR), obtenu en mars 2022. Il s’adresse à un territoire d’1,2 million d’habitants.</p>
"""

TOOLS_INTRO = "<p>Afin de permettre une mise en commun de moyens, la MEL propose trois nouveaux outils métropolitains.</p>"

TOOLS = [
    {
        "anchor": "logiciel-de-gestion",
        "pictogram": "sigb",
        "title": "1. Un logiciel de gestion de bibliothèque",
        "subtitle": "Système intégré de gestion de bibliothèque (SIGB)",
        "summary": "Un logiciel commun pour réduire le nombre de logiciels sur le territoire, remplacer les logiciels obsolètes et faciliter les réseaux de proximité.",
        "calendar": [
            "préparation du marché en 2022 ;",
            "mise en œuvre au 1er semestre 2023 ;",
            "accompagnement des communes partenaires : 2023-2025.",
        ],
        "objectives": [
            "réduire le nombre de logiciels de gestion des bibliothèques sur le territoire pour favoriser les outils et services communs ;",
            "faciliter la construction de réseaux de proximité entre bibliothèques volontaires ;",
            "remplacer les logiciels obsolètes présents sur le territoire ;",
            "permettre un accès facilité à des services métropolitains, comme les ressources en ligne.",
        ],
        "audience": [
            "les bibliothèques municipales ou en réseau ;",
            "les communes souhaitant passer à une gestion informatique de leur fonds documentaire, se mettre en réseau, rejoindre un logiciel plus récent, etc. : elles auront la possibilité de rejoindre le logiciel métropolitain sur la base du volontariat.",
        ],
        "cost": "<p>La MEL prend en charge les coûts initiaux de déploiement (récupération des données, connecteurs vers le portail « à suivre... » pour les ressources en ligne, maintenance, hébergement, formation initiale) jusqu’en 2025 minimum.</p>",
    },
    {
        "anchor": "ressources-en-ligne",
        "pictogram": "ressources",
        "title": "2. Des ressources en ligne",
        "subtitle": "Presse, autoformation et vidéo à la demande, puis livres numériques",
        "summary": "Une offre documentaire en ligne accessible 7 jours sur 7 et 24 heures sur 24, financée par la MEL, sur le portail « à suivre... » et les portails communaux compatibles.",
        "calendar": [
            "préparation du marché d’abonnements (presse, autoformation et vidéo à la demande) en 2022 ;",
            "mise en œuvre au 1er semestre 2023 ;",
            "2e semestre 2023 : développement des connecteurs nécessaires à la remontée automatique des documents sur le portail des communes et à l’authentification unique des usagers, pour les communes ayant des outils compatibles avec les outils MEL (dernière version des logiciels PMB, Nanook, Orphée) ;",
            "accompagnement des communes partenaires : 2023-2025 ;",
            "déploiement d’une offre de livres numériques dans le cadre d’une politique documentaire concertée sur le livre numérique : 2024.",
        ],
        "objectives": [
            "proposer une offre documentaire complémentaire aux collections des bibliothèques du territoire ;",
            "attirer de nouveaux publics, les inciter à fréquenter les lieux bibliothèques et à utiliser les services des bibliothèques par une inscription obligatoire dans la bibliothèque physique de leur commune ;",
            "avoir une offre documentaire accessible 7 jours sur 7, 24 heures sur 24 sur le portail « à suivre... » et les portails communaux compatibles.",
        ],
        "audience": [
            "les bibliothèques municipales ou en réseau, pour un accès direct sur leur portail compatible avec les outils MEL ;",
            "les bibliothèques associatives, directement sur le portail métropolitain « à suivre... » ;",
            "100 % des métropolitains, en s’inscrivant sur le portail « à suivre... ».",
        ],
        "cost": (
            "<ul><li>la MEL prend en charge les coûts d’abonnement pour son territoire d’1,2 million d’habitants jusqu’en 2025 ;</li>"
            "<li>la MEL prend en charge le déploiement des connecteurs entre les outils métropolitains, les ressources et les outils communaux compatibles (liste accessible en septembre 2022) ;</li>"
            "<li>pour les livres numériques en 2024 : la MEL prend en charge la création d’un fonds d’ouvrages de départ ; une politique documentaire concertée du livre numérique sur le territoire sera mise en œuvre en 2024 et ses modalités seront validées par le comité de pilotage BNM.</li></ul>"
        ),
    },
    {
        "anchor": "mediation-numerique",
        "pictogram": "mediation",
        "title": "3. Un service expérimental de médiation numérique",
        "subtitle": "Comment rendre visibles les ressources numériques invisibles",
        "summary": "Un outil de médiation numérique conçu avec des designers et les bibliothèques partenaires, pour faire connaître les services numériques aux usagers.",
        "calendar": [
            "préparation et attribution du marché en 2023 ;",
            "conception de l’outil de médiation numérique, accompagnée par des designers avec les bibliothèques partenaires, en 2023 ;",
            "création de l’outil de médiation numérique en 2024 ;",
            "réalisation d’un calendrier d’activités de cet outil dans les communes partenaires au 2e semestre 2024 et en 2025.",
        ],
        "objectives": [
            "co-construire ensemble un outil de médiation numérique répondant aux besoins exprimés du territoire ;",
            "acculturation numérique par les agents ;",
            "assurer la médiation numérique auprès du public ;",
            "communication auprès des usagers (et des non-usagers, hors les murs) sur les nouveaux services numériques en bibliothèque ;",
            "test et appropriation d’outils en vue d’en acquérir par les communes grâce aux dispositifs MEL (fonds de concours et appel à projets).",
        ],
        "audience": [
            "les professionnels des bibliothèques, pour une montée en compétence numérique ;",
            "les usagers des bibliothèques partenaires et plus largement les habitants des communes partenaires.",
        ],
        "cost": "<p>La MEL prend en charge les coûts initiaux de conception design et de fabrication de l’outil.</p>",
    },
]

CONDITIONS_INTRO = """
<p>La MEL souhaite, tout en bénéficiant de leur utilisation pour ses besoins propres, mettre des outils à disposition des communes engagées. Les modalités seront définies par des règlements de mise à disposition, que chacune des communes partenaires devra signer.</p>
<p>La MEL assurera l’exploitation et la mise à disposition des outils à titre gracieux jusqu’en 2025.</p>
"""

COMMITMENTS = [
    "disposer d’une bibliothèque municipale en régie directe avec du personnel qualifié, ou faire partie d’un réseau de bibliothèques comprenant une ou plusieurs bibliothèques municipales en régie directe avec du personnel qualifié ;",
    "inscrire le développement des services numériques dans le projet d’établissement de la bibliothèque et/ou a minima dans la note du dossier d’appel à manifestation d’intérêt ;",
    "proposer une offre documentaire physique de proximité en complémentarité de l’offre numérique métropolitaine ;",
    "mettre à disposition le matériel informatique nécessaire, adéquat, conforme aux usages actuels et futurs (ordinateurs récents et performants pour l’équipe de la bibliothèque, pour la consultation du portail et des ressources par le public au sein de la bibliothèque) ainsi qu’une connexion Internet de qualité ;",
    "déployer le Wifi public d’ici 2025 pour les usagers de la bibliothèque de la commune ;",
    "mettre à jour régulièrement les logiciels et développer les connecteurs spécifiques, non pris en charge par la MEL, nécessaires au bon fonctionnement des outils ;",
    "assurer la médiation et la promotion de la Bibliothèque Numérique Métropolitaine, dont les ressources en ligne, auprès des usagers de la bibliothèque et plus largement des habitants de la commune ;",
    "participer au comité de pilotage qui orientera l’avancée du projet et sa pérennité ;",
    "mobiliser les équipes de la bibliothèque dans l’appropriation et l’utilisation des nouveaux outils (groupes de travail, ateliers, réunions, formations, etc.) afin de favoriser la montée en compétence numérique en bibliothèque ;",
    "accepter les conditions d’utilisation des outils mentionnées dans les règlements de mise à disposition ;",
    "prévoir le portail, qui reste à la charge des communes.",
]

GOVERNANCE_INTRO = """
<p>Selon le dossier de 2022, l’engagement de la commune débute au 1er janvier suivant la réponse à l’appel à manifestation d’intérêt et dure jusqu’en 2025 minimum.</p>
<p>L’engagement est effectif à l’adoption en conseil municipal des règlements de mise à disposition des outils métropolitains. La MEL prévoyait de transmettre ces règlements aux communes ayant répondu à l’appel à manifestation d’intérêt après leur adoption en Conseil métropolitain en 2023.</p>
"""

GOVERNANCE_BODIES = [
    (
        "Comité de pilotage (COPIL)",
        "Présidé par le Vice-président Culture-Tourisme de la MEL et composé des financeurs, de la MEL et des communes partenaires, il se réunit annuellement pour suivre le projet, étudier les bilans et valider les grandes orientations.",
    ),
    (
        "Comité technique",
        "Il se réunit annuellement pour aider à la décision, préparer les bilans et proposer des évolutions possibles.",
    ),
    (
        "Référent technique",
        "Chaque commune missionne un référent technique sur le projet. La MEL mobilise ces référents lors de temps d’échanges pour le bon fonctionnement des outils et du projet.",
    ),
]

AFTER_2025_HEADING = "La BNM après 2025 : ce que prévoyait la MEL en 2022"

AFTER_2025 = (
    "<p>En 2022, la MEL prévoyait que les communes engagées dans le dispositif participent aux temps d’échanges annuels (COPIL), "
    "aux évaluations et aux bilans, et qu’elles soient ainsi associées aux réflexions et propositions sur la suite à donner "
    "au dispositif après 2025.</p>"
)

EXTERNAL_LINKS = [
    {
        "label": "FAQ de la BNM sur le portail « à suivre... »",
        "url": "https://asuivre.lillemetropole.fr/cms/articleview/id/31471",
        "description": "site de la MEL",
    },
    {
        "label": "Délibération relative à la BNM",
        "url": "https://asuivre.lillemetropole.fr/userfiles/Fichiers_PDF/ACTUALITES/deli-renduexecutoire.pdf",
        "description": "document PDF",
    },
]
