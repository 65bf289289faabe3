"""FAQ content: every answer restates a fact of the AMI dossier (June 2022), dated as such."""

INTRO = (
    "Les réponses aux questions les plus fréquentes sur la BNM et sur l’appel à manifestation d’intérêt de 2022, "
    "d’après le dossier de candidature publié par la MEL en juin 2022 (programme 2022-2025)."
)

CONTACT = '<a href="mailto:bnm@lillemetropole.fr">bnm@lillemetropole.fr</a>'

THEMES = [
    {
        "anchor": "candidater",
        "title": "Qui peut candidater et comment",
        "questions": [
            (
                "qui-peut-candidater",
                "Qui pouvait répondre à l’appel à manifestation d’intérêt de 2022 ?",
                "<p>Les communes de la MEL disposant d’une bibliothèque municipale en régie directe, ou faisant partie d’un réseau avec au moins un agent salarié par une ou des communes.</p>",
            ),
            (
                "reseau-un-seul-dossier",
                "Notre bibliothèque fait partie d’un réseau : combien de dossiers faut-il déposer ?",
                "<p>Un seul. Pour les réseaux de bibliothèques, s’il y a un coordinateur salarié pour une ou des communes, un seul dossier est à déposer pour le réseau. La présentation de la bibliothèque (volet 1) est alors complétée pour chacune des bibliothèques du réseau.</p>",
            ),
            (
                "qui-signe-deliberation",
                "Qui signe le dossier ? Faut-il une délibération du conseil municipal ?",
                "<p>Le dépôt du dossier est validé par la signature de l’élu référent ou par une délibération (date et numéro). Le maire ou l’adjoint délégué doit avoir une délégation de signature pour valider ce dossier ; sinon, une délibération est nécessaire.</p>"
                "<p>Pour un réseau, le dossier est signé par la commune désignée « tête de réseau », ou par l’ensemble des communes s’il n’y a pas de « tête de réseau » désignée officiellement.</p>",
            ),
            (
                "debut-engagement",
                "Quand l’engagement de la commune commence-t-il ?",
                "<p>Selon le dossier de 2022, l’engagement débute au 1er janvier suivant la réponse à l’appel à manifestation d’intérêt et dure jusqu’en 2025 minimum. Il devient effectif à l’adoption en conseil municipal des règlements de mise à disposition des outils métropolitains, transmis aux communes après leur adoption en Conseil métropolitain.</p>",
            ),
        ],
    },
    {
        "anchor": "financement",
        "title": "Financement et outils",
        "questions": [
            (
                "ce-que-paie-la-mel",
                "Que prend en charge la MEL, et jusqu’à quand ?",
                "<p>Selon le programme 2022-2025 publié en 2022 :</p><ul><li>Logiciel de gestion (SIGB) : les coûts initiaux de déploiement (récupération des données, connecteurs vers le portail « à suivre... », maintenance, hébergement, formation initiale) jusqu’en 2025 minimum.</li>"
                "<li>Ressources en ligne : les abonnements pour tout le territoire (1,2 million d’habitants) jusqu’en 2025, le déploiement des connecteurs vers les outils communaux compatibles et, pour les livres numériques, la création d’un fonds d’ouvrages de départ.</li>"
                "<li>Médiation numérique : les coûts initiaux de conception design et de fabrication de l’outil.</li></ul>"
                "<p>La MEL assure l’exploitation et la mise à disposition des outils à titre gracieux jusqu’en 2025.</p>",
            ),
            (
                "ce-qui-reste-a-la-commune",
                "Qu’est-ce qui reste à la charge de la commune ?",
                "<p>Le portail de la bibliothèque, le matériel informatique et une connexion Internet de qualité, le déploiement du Wifi public d’ici 2025, la mise à jour régulière des logiciels et le développement des connecteurs spécifiques qui ne sont pas pris en charge par la MEL.</p>",
            ),
            (
                "logiciels-compatibles",
                "Notre logiciel est-il compatible avec les outils de la MEL ?",
                "<p>Les logiciels compatibles sont PMB, Nanook et Orphée, dans leur dernière version. Une commune qui conserve son logiciel compatible peut demander à la MEL de développer les connecteurs ; elle s’engage alors à utiliser la version la plus actuelle de son logiciel.</p>",
            ),
            (
                "double-sso-recherche-federee",
                "Que veulent dire « double SSO » et « recherche fédérée » ?",
                "<p>Ce sont deux façons d’intégrer les ressources en ligne métropolitaines à l’outil de la commune :</p>"
                "<ul><li><strong>double SSO</strong> : les ressources sont intégrées au portail de la commune avec une identification unique pour l’usager ;</li>"
                "<li><strong>recherche fédérée</strong> : les ressources apparaissent dans la recherche du catalogue de la bibliothèque.</li></ul>"
                "<p>Une commune peut aussi simplement valoriser les ressources par un lien vers le portail « à suivre... », sans développement de connecteurs spécifiques.</p>",
            ),
            (
                "livres-numeriques",
                "Comment les livres numériques devaient-ils être choisis ?",
                "<p>Le programme de 2022 prévoyait une politique documentaire concertée du livre numérique, mise en œuvre en 2024 : les communes participantes sélectionnent et achètent ensemble les livres numériques. La MEL finance un fonds d’ouvrages de départ ; les modalités sont validées par le comité de pilotage BNM.</p>",
            ),
            (
                "acces-habitants",
                "Comment les habitants accèdent-ils aux ressources en ligne ?",
                "<p>En s’inscrivant dans la bibliothèque physique de leur commune, puis sur le portail « à suivre... » ou sur le portail de leur commune s’il est compatible. L’offre est accessible 7 jours sur 7, 24 heures sur 24. Les bibliothèques associatives y accèdent directement sur le portail métropolitain.</p>",
            ),
        ],
    },
    {
        "anchor": "equipes",
        "title": "Engagement des équipes",
        "questions": [
            (
                "temps-groupes-de-travail",
                "Combien de temps les groupes de travail demandent-ils aux agents ?",
                "<p>Environ 4 heures par mois et par groupe, réunion et travail à fournir entre les réunions compris. Les groupes portent sur le logiciel métier, les ressources en ligne, le service expérimental de médiation numérique et les livres numériques ; d’autres groupes peuvent être créés selon les besoins exprimés par les communes.</p>",
            ),
            (
                "formation-agents",
                "Combien d’agents doivent être formés ?",
                "<p>À titre d’estimation, au moins un agent pour huit agents et bénévoles par bibliothèque doit être opérationnel sur les outils et le numérique en bibliothèque, afin de transmettre cette culture et ces savoirs à ses collègues. La participation à la formation est une contrepartie obligatoire de l’engagement de la MEL.</p>",
            ),
            (
                "referent-technique",
                "Qu’est-ce que le référent technique ?",
                "<p>Une personne que la commune missionne sur le projet. La MEL mobilise les référents techniques lors de temps d’échanges pour le bon fonctionnement des outils et du projet.</p>",
            ),
        ],
    },
    {
        "anchor": "pilotage-et-suite",
        "title": "Pilotage et suite du projet",
        "questions": [
            (
                "qui-pilote",
                "Qui pilote la BNM ?",
                "<p>Un comité de pilotage (COPIL), présidé par le Vice-président Culture-Tourisme de la MEL et composé des financeurs, de la MEL et des communes partenaires, se réunit annuellement pour suivre le projet, étudier les bilans et valider les grandes orientations. Un comité technique se réunit aussi annuellement pour aider à la décision, préparer les bilans et proposer des évolutions.</p>",
            ),
            (
                "apres-2025",
                "Que prévoyait la MEL pour l’après-2025 ?",
                "<p>En 2022, la MEL prévoyait que les communes engagées participent aux temps d’échanges annuels (COPIL), aux évaluations et aux bilans, et qu’elles soient ainsi associées aux réflexions et aux propositions sur la suite à donner au dispositif après 2025.</p>",
            ),
            (
                "contact",
                "Qui contacter pour une question ou une relecture du dossier ?",
                f"<p>L’équipe livre et lecture de la MEL vous aide à remplir le dossier et le relit avant envoi : {CONTACT}.</p>",
            ),
        ],
    },
]
