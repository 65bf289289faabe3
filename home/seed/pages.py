"""Standard pages, calendar milestones and news of the seed content."""
import datetime as dt

from home.dates import PARIS

CONTACT_LINK = '<a href="mailto:bnm@lillemetropole.fr">bnm@lillemetropole.fr</a>'
ADDRESS = "Métropole Européenne de Lille – 2, boulevard des Cités Unies – CS 70043 – 59040 Lille Cedex"

STANDARD_PAGES = [
    {
        "slug": "mentions-legales",
        "title": "Mentions légales",
        "footer_label": "Mentions légales",
        "show_in_menus": False,
        "intro": "Informations sur l’éditeur du site de la Bibliothèque Numérique Métropolitaine.",
        # Publication director and host: Paramètres › mentions légales et données personnelles.
        "legal_information": "mentions",
        "body": f"""
<h2>Éditeur</h2>
<p>Ce site est édité par la Métropole Européenne de Lille (MEL).</p>
<p>{ADDRESS}</p>
<p>Téléphone : +33 (0)3 20 21 22 23</p>
<p>Site : <a href="https://www.lillemetropole.fr/">lillemetropole.fr</a></p>
<h2>Contact</h2>
<p>Équipe livre et lecture de la MEL : {CONTACT_LINK}</p>
<h2>Contenus</h2>
<p>Les pages « BNM 2022-2025 », « Calendrier » et « Questions fréquentes » reprennent le dossier de candidature de l’appel à manifestation d’intérêt publié par la MEL en juin 2022 : elles présentent le programme 2022-2025 tel qu’il était prévu à cette date. Les étapes du calendrier y sont données à l’année, au semestre ou au mois près, comme dans ce dossier.</p>
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
        # Legal basis, retention periods, DPO: Paramètres › mentions légales et données personnelles.
        "legal_information": "donnees",
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

MEL_ADDRESS = "Métropole Européenne de Lille, 2 boulevard des Cités Unies, Lille"


def _period(year, half=None, month=None):
    """The dates and label of a period known to the year, semester or month (as the source gives it)."""
    if month is not None:
        from home.dates import MONTHS

        last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
        return dt.date(year, month, 1), dt.date(year, month, last), f"{MONTHS[month - 1].capitalize()} {year}"
    if half == 1:
        return dt.date(year, 1, 1), dt.date(year, 6, 30), f"1er semestre {year}"
    if half == 2:
        return dt.date(year, 7, 1), dt.date(year, 12, 31), f"2e semestre {year}"
    return dt.date(year, 1, 1), dt.date(year, 12, 31), f"Année {year}"


def milestone(slug, title, category, period, description, provisional=True):
    """A step of the 2022 programme, with the precision the source gives (no day, no hour, no place)."""
    start, end, label = period
    return {
        "slug": slug, "title": title, "category": category, "start_date": start, "end_date": end,
        "period_label": label, "all_day": True, "start_time": None, "end_time": None, "location": "",
        "is_provisional": provisional, "description": f"<p>{description}</p>",
    }


# Every step below is in the AMI dossier of June 2022 (the programme « BNM 2022-2025 »). The COPIL
# and the technical committee « se réunira annuellement »: the source gives no meeting date, so
# the calendar has none (the presentation page describes them).
EVENTS = [
    milestone("label-bnr-2022", "Label « bibliothèque numérique de référence » obtenu", "pilotage", _period(2022, month=3),
              "Le projet de Bibliothèque Numérique Métropolitaine est soutenu financièrement par l’État dans le cadre du label « bibliothèque numérique de référence » (BNR), obtenu en mars 2022.",
              provisional=False),
    milestone("ami-2022-dossier-de-candidature", "Appel à manifestation d’intérêt 2022 : dossier de candidature", "ami", _period(2022, month=6),
              "Dossier de candidature de l’appel à manifestation d’intérêt, daté de juin 2022 : les communes y présentaient leur bibliothèque (données de 2021) et leurs engagements dans la BNM dès 2023.",
              provisional=False),
    milestone("liste-outils-compatibles-2022", "Liste des outils communaux compatibles", "ressources", _period(2022, month=9),
              "Liste des outils communaux compatibles avec les connecteurs pris en charge par la MEL, annoncée pour septembre 2022."),
    milestone("preparation-marche-sigb-2022", "Préparation du marché du logiciel de gestion (SIGB)", "sigb", _period(2022),
              "Préparation du marché du système intégré de gestion de bibliothèque métropolitain."),
    milestone("preparation-marche-ressources-2022", "Préparation du marché d’abonnements aux ressources en ligne", "ressources", _period(2022),
              "Préparation du marché d’abonnements : presse, autoformation et vidéo à la demande."),
    milestone("mise-en-oeuvre-sigb-2023", "Mise en œuvre du logiciel de gestion (SIGB)", "sigb", _period(2023, 1),
              "Mise en œuvre du logiciel de gestion de bibliothèque métropolitain, puis accompagnement des communes partenaires de 2023 à 2025."),
    milestone("mise-en-oeuvre-ressources-2023", "Mise en œuvre des ressources en ligne", "ressources", _period(2023, 1),
              "Ouverture des abonnements aux ressources en ligne (presse, autoformation, vidéo à la demande)."),
    milestone("connecteurs-2023", "Développement des connecteurs vers les portails communaux", "ressources", _period(2023, 2),
              "Développement des connecteurs pour la remontée automatique des documents sur le portail des communes et l’authentification unique des usagers, pour les communes ayant des outils compatibles (dernière version de PMB, Nanook, Orphée)."),
    milestone("reglements-mise-a-disposition-2023", "Adoption des règlements de mise à disposition en Conseil métropolitain", "pilotage", _period(2023),
              "Adoption des règlements de mise à disposition des outils métropolitains en Conseil métropolitain, puis transmission aux communes ayant répondu à l’appel à manifestation d’intérêt."),
    milestone("marche-mediation-2023", "Préparation et attribution du marché de médiation numérique", "mediation", _period(2023),
              "Préparation et attribution du marché du service expérimental de médiation numérique."),
    milestone("conception-design-mediation-2023", "Conception de l’outil de médiation numérique avec des designers", "mediation", _period(2023),
              "Conception de l’outil de médiation numérique, accompagnée par des designers, avec les bibliothèques partenaires."),
    milestone("livres-numeriques-2024", "Déploiement de l’offre de livres numériques", "ressources", _period(2024),
              "Déploiement d’une offre de livres numériques dans le cadre d’une politique documentaire concertée ; la MEL prend en charge la création d’un fonds d’ouvrages de départ."),
    milestone("creation-outil-mediation-2024", "Création de l’outil de médiation numérique", "mediation", _period(2024),
              "Création de l’outil de médiation numérique."),
    milestone("activites-mediation-2024", "Activités de médiation numérique dans les communes partenaires", "mediation", _period(2024, 2),
              "Réalisation d’un calendrier d’activités de l’outil de médiation numérique dans les communes partenaires."),
    milestone("activites-mediation-2025", "Activités de médiation numérique dans les communes partenaires (2025)", "mediation", _period(2025),
              "Poursuite du calendrier d’activités de l’outil de médiation numérique dans les communes partenaires."),
]

# The source gives no news item with a date: the news index starts empty, for the editors.
NEWS = []

# The campaign of the source: the 2022 call (figures of 2021, engagement from 2023). The source
# dates its dossier « juin 2022 » and gives no opening or closing date: the public pages show
# DATES_NOTE instead of dates. opens_at / closes_at are required by the model: they hold the
# bounds the source implies (the dossier of June 2022; answers before the engagement starting on
# 1 January 2023), never shown to the public while dates_note is set.
CAMPAIGN_2022 = {
    "title": "Appel à manifestation d’intérêt BNM 2022",
    "statistics_year": 2021,
    "first_engagement_year": 2023,
    "opens_at": dt.datetime(2022, 6, 1, 0, 0, tzinfo=PARIS),
    "closes_at": dt.datetime(2022, 12, 31, 23, 59, 59, tzinfo=PARIS),
    "dates_note": "Dossier de candidature daté de juin 2022 ; les dates d’ouverture et de clôture ne sont pas publiées sur ce site.",
}

DEMO_TITLE = "Démonstration – AMI Bibliothèque Numérique Métropolitaine"
# `--demo` only (make run): a news item to see the news pages and the RSS feed locally.
DEMO_NEWS = {
    "slug": "demonstration-actualite",
    "title": "Démonstration : une actualité d’exemple",
    "intro": "Cette actualité n’existe que sur un site de démonstration, pour essayer la liste des actualités et le flux RSS.",
    "body": "<p>Les actualités de la BNM sont écrites par l’équipe de la MEL dans l’administration du site.</p>",
}

# Content that earlier versions of load_bnm_content created without a source (invented dates,
# hours, place and news). `load_bnm_content --update-untouched` removes what no editor touched.
INVENTED_EVENTS = {
    **{f"comite-technique-{year}": f"Comité technique {year}" for year in (2023, 2024, 2025)},
    **{f"copil-{year}": f"Comité de pilotage (COPIL) {year}" for year in (2023, 2024, 2025)},
    "ouverture-ami-2026": "Ouverture des candidatures à l’AMI",
    "cloture-ami-2027": "Date limite de dépôt des candidatures à l’AMI",
}
INVENTED_NEWS = {
    "lancement-de-la-bnm": "La MEL lance la Bibliothèque Numérique Métropolitaine",
    "trois-outils-pour-les-bibliotheques": "Trois outils pour les bibliothèques du territoire",
    "ami-candidatures-en-ligne": "Appel à manifestation d’intérêt : les candidatures se font en ligne",
}
INVENTED_CAMPAIGN = {
    "title": "AMI Bibliothèque Numérique Métropolitaine",
    "statistics_year": 2025,
    "first_engagement_year": 2027,
    "opens_at": dt.datetime(2026, 11, 1, 9, 0, tzinfo=PARIS),
    "closes_at": dt.datetime(2027, 3, 31, 23, 59, 59, tzinfo=PARIS),
}
