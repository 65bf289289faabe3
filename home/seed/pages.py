"""Standard pages, calendar milestones and news of the seed content."""
import datetime as dt

CONTACT_LINK = '<a href="mailto:bnm@lillemetropole.fr">bnm@lillemetropole.fr</a>'
ADDRESS = "Métropole Européenne de Lille – 2, boulevard des Cités Unies – CS 70043 – 59040 Lille Cedex"

STANDARD_PAGES = [
    {
        "slug": "mentions-legales",
        "title": "Mentions légales",
        "footer_label": "Mentions légales",
        "show_in_menus": False,
        "intro": "Informations sur l’éditeur du site de la Bibliothèque Numérique Métropolitaine.",
        "body": f"""
<h2>Éditeur</h2>
<p>Ce site est édité par la Métropole Européenne de Lille (MEL).</p>
<p>{ADDRESS}</p>
<p>Téléphone : +33 (0)3 20 21 22 23</p>
<p>Site : <a href="https://www.lillemetropole.fr/">lillemetropole.fr</a></p>
<h2>Contact</h2>
<p>Équipe livre et lecture de la MEL : {CONTACT_LINK}</p>
<h2>Hébergement</h2>
<p>Les informations sur l’hébergeur du site seront précisées lors de sa mise en service.</p>
<h2>Contenus</h2>
<p>Les textes de ce site reprennent le dossier d’appel à manifestation d’intérêt de la Bibliothèque Numérique Métropolitaine (juin 2022). Les dates du calendrier marquées « prévisionnel » sont indicatives.</p>
<h2>Liens</h2>
<p>Le site renvoie vers le portail de lecture publique de la MEL, « à suivre... ». Ce site ne dépose aucun cookie de mesure d’audience ni de service tiers.</p>
""",
    },
    {
        "slug": "donnees-personnelles",
        "title": "Données personnelles",
        "footer_label": "Données personnelles",
        "show_in_menus": False,
        "intro": "Comment la MEL traite les données personnelles transmises par ce site.",
        "body": f"""
<h2>Responsable du traitement</h2>
<p>La Métropole Européenne de Lille, {ADDRESS}.</p>
<h2>Données traitées et finalité</h2>
<p>Le dossier de candidature à l’appel à manifestation d’intérêt contient les coordonnées de l’élu référent et de l’agent référent de chaque commune candidate (nom, prénom, fonction, adresse électronique, téléphone) ainsi que des informations sur la bibliothèque. Ces données servent uniquement à instruire les candidatures, à contacter les communes et à suivre le projet de Bibliothèque Numérique Métropolitaine.</p>
<h2>Destinataires</h2>
<p>Les données sont destinées à l’équipe livre et lecture de la MEL. Elles ne sont ni vendues ni cédées.</p>
<h2>Cookies</h2>
<p>Le site n’utilise qu’un cookie technique de session, nécessaire pour enregistrer une candidature en cours et sécuriser les formulaires. Aucun cookie de mesure d’audience ni de publicité n’est déposé.</p>
<h2>Vos droits</h2>
<p>Vous pouvez accéder aux données vous concernant, les rectifier, demander leur effacement ou la limitation de leur traitement en écrivant à {CONTACT_LINK}. Si vous estimez, après nous avoir contactés, que vos droits ne sont pas respectés, vous pouvez adresser une réclamation à la CNIL.</p>
""",
    },
    {
        "slug": "accessibilite",
        "title": "Déclaration d’accessibilité",
        "footer_label": "Accessibilité : non conforme",
        "show_in_menus": False,
        "intro": "La Métropole Européenne de Lille s’engage à rendre ses sites internet accessibles, conformément à l’article 47 de la loi n° 2005-102 du 11 février 2005.",
        "body": f"""
<p>Cette déclaration d’accessibilité s’applique au site de la Bibliothèque Numérique Métropolitaine.</p>
<h2>État de conformité</h2>
<p>Le site n’a pas encore fait l’objet d’un audit de conformité au référentiel général d’amélioration de l’accessibilité (RGAA). En l’absence d’audit, il est déclaré <strong>non conforme</strong>. Un audit est prévu ; cette page sera mise à jour avec ses résultats.</p>
<h2>Ce que nous avons fait</h2>
<ul><li>structure de page avec titres hiérarchisés, repères de navigation et lien d’évitement ;</li>
<li>navigation possible au clavier, avec un focus visible ;</li>
<li>contrastes de couleurs conformes au niveau AA ;</li>
<li>formulaires avec étiquettes, messages d’erreur associés aux champs et récapitulatif des erreurs ;</li>
<li>site utilisable sans JavaScript ;</li>
<li>tests automatiques avec l’outil axe-core sur chaque type de page.</li></ul>
<h2>Retour d’information et contact</h2>
<p>Si vous n’arrivez pas à accéder à un contenu ou à un service, contactez-nous pour être orienté vers une alternative accessible ou obtenir le contenu sous une autre forme : {CONTACT_LINK}.</p>
<h2>Voies de recours</h2>
<p>Si vous constatez un défaut d’accessibilité vous empêchant d’accéder à un contenu ou à une fonctionnalité du site, que vous nous le signalez et que vous ne parvenez pas à obtenir une réponse de notre part, vous pouvez saisir le Défenseur des droits : par le formulaire en ligne sur <a href="https://www.defenseurdesdroits.fr/">defenseurdesdroits.fr</a>, en contactant le délégué du Défenseur des droits de votre région, ou par courrier (gratuit, sans affranchissement) : Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07.</p>
""",
    },
    {
        "slug": "contact",
        "title": "Contact",
        "footer_label": "Contact",
        "show_in_menus": True,
        "intro": "Une question sur la Bibliothèque Numérique Métropolitaine ou sur l’appel à manifestation d’intérêt ?",
        "body": f"""
<p>Contactez l’équipe livre et lecture de la MEL : {CONTACT_LINK}.</p>
<p>Elle peut vous aider à remplir le dossier de candidature et le relire avant envoi.</p>
<h2>Adresse postale</h2>
<p>{ADDRESS}</p>
<p>Téléphone : +33 (0)3 20 21 22 23</p>
""",
    },
]

PROVISIONAL_NOTE = "<p>Date prévisionnelle, donnée à titre indicatif : elle sera confirmée aux communes partenaires.</p>"
MEL_ADDRESS = "Métropole Européenne de Lille, 2 boulevard des Cités Unies, Lille"


def _period(year, half=None):
    if half == 1:
        return dt.date(year, 1, 1), dt.date(year, 6, 30), f"1er semestre {year}"
    if half == 2:
        return dt.date(year, 7, 1), dt.date(year, 12, 31), f"2e semestre {year}"
    return dt.date(year, 1, 1), dt.date(year, 12, 31), f"Année {year}"


def milestone(slug, title, category, period, description):
    start, end, label = period
    return {
        "slug": slug, "title": title, "category": category, "start_date": start, "end_date": end,
        "period_label": label, "all_day": True, "is_provisional": True, "description": f"<p>{description}</p>",
    }


def meeting(slug, title, day, start, end, description):
    return {
        "slug": slug, "title": title, "category": "pilotage", "start_date": day, "end_date": None,
        "period_label": "", "all_day": False, "start_time": start, "end_time": end, "is_provisional": True,
        "location": MEL_ADDRESS, "description": f"<p>{description}</p>{PROVISIONAL_NOTE}",
    }


EVENTS = [
    milestone("preparation-marche-sigb-2022", "Préparation du marché du logiciel de gestion (SIGB)", "sigb", _period(2022),
              "Préparation du marché du système intégré de gestion de bibliothèque métropolitain."),
    milestone("preparation-marche-ressources-2022", "Préparation du marché d’abonnements aux ressources en ligne", "ressources", _period(2022),
              "Préparation du marché d’abonnements : presse, autoformation et vidéo à la demande."),
    milestone("mise-en-oeuvre-sigb-2023", "Mise en œuvre du logiciel de gestion (SIGB)", "sigb", _period(2023, 1),
              "Mise en œuvre du logiciel de gestion de bibliothèque métropolitain ; l’accompagnement des communes partenaires se poursuit jusqu’en 2025."),
    milestone("mise-en-oeuvre-ressources-2023", "Mise en œuvre des ressources en ligne", "ressources", _period(2023, 1),
              "Ouverture des abonnements aux ressources en ligne (presse, autoformation, vidéo à la demande)."),
    milestone("connecteurs-2023", "Développement des connecteurs vers les portails communaux", "ressources", _period(2023, 2),
              "Développement des connecteurs pour la remontée automatique des documents sur le portail des communes et l’authentification unique des usagers, pour les communes ayant des outils compatibles (dernière version de PMB, Nanook, Orphée)."),
    milestone("marche-mediation-2023", "Préparation et attribution du marché de médiation numérique", "mediation", _period(2023),
              "Préparation et attribution du marché du service expérimental de médiation numérique."),
    milestone("conception-design-mediation-2023", "Conception de l’outil de médiation numérique avec des designers", "mediation", _period(2023),
              "Conception de l’outil de médiation numérique, accompagnée par des designers, avec les bibliothèques partenaires."),
    milestone("livres-numeriques-2024", "Déploiement de l’offre de livres numériques", "ressources", _period(2024),
              "Déploiement d’une offre de livres numériques dans le cadre d’une politique documentaire concertée ; la MEL finance un fonds d’ouvrages de départ."),
    milestone("creation-outil-mediation-2024", "Création de l’outil de médiation numérique", "mediation", _period(2024),
              "Fabrication de l’outil de médiation numérique conçu en 2023."),
    milestone("activites-mediation-2024", "Activités de médiation numérique dans les communes partenaires", "mediation", _period(2024, 2),
              "Réalisation d’un calendrier d’activités de l’outil de médiation numérique dans les communes partenaires."),
    milestone("activites-mediation-2025", "Activités de médiation numérique dans les communes partenaires (2025)", "mediation", _period(2025),
              "Poursuite du calendrier d’activités de l’outil de médiation numérique dans les communes partenaires."),
]

for _year, _tech_day, _copil_day in [(2023, 16, 20), (2024, 14, 18), (2025, 13, 17)]:
    EVENTS.append(meeting(
        f"comite-technique-{_year}", f"Comité technique {_year}", dt.date(_year, 5, _tech_day), dt.time(10, 0), dt.time(12, 0),
        "Réunion annuelle du comité technique : aide à la décision, préparation des bilans, propositions d’évolution.",
    ))
    EVENTS.append(meeting(
        f"copil-{_year}", f"Comité de pilotage (COPIL) {_year}", dt.date(_year, 6, _copil_day), dt.time(14, 0), dt.time(16, 30),
        "Réunion annuelle du comité de pilotage, présidé par le Vice-président Culture-Tourisme de la MEL, avec les financeurs et les communes partenaires : suivi du projet, bilans, grandes orientations.",
    ))


def campaign_events(campaign):
    """The AMI's opening and deadline, taken from the campaign (not provisional)."""
    from home.dates import format_deadline, to_paris

    opens, closes = to_paris(campaign.opens_at), to_paris(campaign.closes_at)
    return [
        {
            "slug": f"ouverture-ami-{opens.year}", "title": "Ouverture des candidatures à l’AMI", "category": "ami",
            "start_date": opens.date(), "end_date": None, "period_label": "", "all_day": False,
            "start_time": opens.time().replace(second=0, microsecond=0), "end_time": None, "is_provisional": False,
            "description": f"<p>Les communes peuvent déposer leur candidature en ligne, jusqu’au {format_deadline(campaign.closes_at)}.</p>",
        },
        {
            "slug": f"cloture-ami-{closes.year}", "title": "Date limite de dépôt des candidatures à l’AMI", "category": "ami",
            "start_date": closes.date(), "end_date": None, "period_label": "", "all_day": True, "is_provisional": False,
            "description": f"<p>Les candidatures doivent être déposées au plus tard le {format_deadline(campaign.closes_at)}. Après cette heure, les dossiers ne peuvent plus être modifiés.</p>",
        },
    ]


NEWS = [
    {
        "slug": "lancement-de-la-bnm",
        "title": "La MEL lance la Bibliothèque Numérique Métropolitaine",
        "date": dt.date(2022, 3, 31),
        "intro": "Par délibération du 25 février 2022, la MEL a décidé de mettre en œuvre une Bibliothèque Numérique Métropolitaine pour accompagner les communes dans la transition numérique de leurs bibliothèques.",
        "body": "<p>Le projet est soutenu financièrement par l’État dans le cadre du label « bibliothèque numérique de référence » (BNR), obtenu en mars 2022.</p><p>Il prolonge le plan de développement de la lecture et des bibliothèques 2020-2026 voté par la MEL le 18 décembre 2020.</p>",
    },
    {
        "slug": "trois-outils-pour-les-bibliotheques",
        "title": "Trois outils pour les bibliothèques du territoire",
        "date": dt.date(2022, 6, 15),
        "intro": "Un logiciel de gestion de bibliothèque, des ressources en ligne et un service expérimental de médiation numérique : la MEL met ces outils à disposition des communes engagées.",
        "body": "<p>La MEL assure l’exploitation et la mise à disposition des outils à titre gracieux jusqu’en 2025. Les modalités sont définies par des règlements de mise à disposition signés par chaque commune partenaire.</p><p>Retrouvez le détail de chaque outil, son calendrier prévisionnel et son coût sur la page de présentation de la BNM.</p>",
    },
    {
        "slug": "ami-candidatures-en-ligne",
        "title": "Appel à manifestation d’intérêt : les candidatures se font en ligne",
        "date": dt.date(2026, 11, 1),
        "intro": "Les communes de la MEL peuvent désormais déposer leur dossier de candidature à la Bibliothèque Numérique Métropolitaine directement sur ce site.",
        "body": "<p>Le formulaire reprend le dossier de candidature étape par étape. Chaque étape est enregistrée : vous pouvez reprendre votre candidature plus tard grâce au lien reçu par courriel.</p><p>Une question, besoin d’une relecture ? Écrivez à <a href=\"mailto:bnm@lillemetropole.fr\">bnm@lillemetropole.fr</a>.</p>",
    },
]
