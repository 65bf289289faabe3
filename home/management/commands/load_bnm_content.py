"""Build the BNM page tree and its content from the AMI dossier of June 2022. Idempotent.

Only what the source says: the 2022 call as a closed campaign, the 2022-2025 programme as
published in 2022, its milestones to the year, semester or month (no hour, place or meeting
date), no news. Pages are matched by slug under their parent: a page that exists is never
changed, so the command can run after editors have edited the content.

--demo (`make run` only, never in production) adds an open call labelled « Démonstration ».
--update-untouched removes what earlier versions invented (dated COPIL meetings, back-dated
news, the 2026-27 call) and refreshes the seed pages, wherever no editor touched them.
The Wagtail Site's hostname and port are set from settings.SITE_BASE_URL.
"""
import datetime as dt

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page, Revision, Site

from ami.models import Campaign
from core.public_urls import site_host_and_port
from faq.models import FaqPage
from home.dates import PARIS
from home.models import (
    CalendarPage,
    EventPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    PresentationPage,
    StandardPage,
)
from home.seed import faq as faq_seed
from home.seed import pages as pages_seed
from home.seed import presentation as pres

HOME_INTRO = (
    "La Bibliothèque Numérique Métropolitaine (BNM) accompagne les communes de la Métropole Européenne de Lille "
    "dans la transition numérique de leurs bibliothèques. La MEL met à leur disposition trois outils communs : un "
    "logiciel de gestion de bibliothèque, des ressources en ligne et un service expérimental de médiation numérique."
)


class Command(BaseCommand):
    help = "Crée l’arborescence et les contenus du site BNM (ne modifie jamais une page existante)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo", action="store_true",
            help="Ajoute un appel ouvert « Démonstration » pour essayer le site en local (make run ; jamais en production).",
        )
        parser.add_argument(
            "--update-untouched", action="store_true",
            help="Supprime les contenus inventés par les versions précédentes (réunions datées, actualités antidatées, "
            "appel 2026-2027) et met à jour les pages du contenu initial, s’ils n’ont jamais été modifiés par un éditeur.",
        )

    def handle(self, *args, **options):
        self.created = []
        self.updated = []
        self.refresh = options["update_untouched"]
        with transaction.atomic():
            if self.refresh:
                self.remove_invented()
            self.ensure_campaign()
            if options["demo"]:
                self.ensure_demo_campaign()
            home = self.ensure_home()
            presentation, presentation_created = self.ensure(home, PresentationPage, "la-bnm", title="BNM 2022-2025", seo_title="La Bibliothèque Numérique Métropolitaine 2022-2025, programme publié en 2022",
                                                               show_in_menus=True, intro=pres.INTRO, body=self.presentation_body(),
                                                               search_description="Le programme 2022-2025 de la BNM publié par la MEL en 2022 : les trois outils, leur calendrier prévu, leurs objectifs, leur public et leur coût ; les conditions d’accès et le pilotage.")
            calendar, _ = self.ensure(home, CalendarPage, "calendrier", title="Calendrier", show_in_menus=True,
                                      intro="<p>Les étapes de la Bibliothèque Numérique Métropolitaine prévues par le programme 2022-2025 publié en juin 2022, à l’année, au semestre ou au mois près comme dans ce programme. Une étape passée est indiquée comme « prévue » à sa date : ce calendrier ne dit pas si elle a eu lieu à cette date.</p>")
            news_index, _ = self.ensure(home, NewsIndexPage, "actualites", title="Actualités", show_in_menus=True,
                                        intro="<p>Les nouvelles de la Bibliothèque Numérique Métropolitaine.</p>")
            faq, _ = self.ensure(home, FaqPage, "faq", title="Questions fréquentes", show_in_menus=True,
                                 intro=faq_seed.INTRO, body=self.faq_body())
            for spec in pages_seed.STANDARD_PAGES:
                self.ensure(home, StandardPage, **spec)
            for spec in pages_seed.EVENTS:
                self.ensure(calendar, EventPage, **spec)
            for spec in pages_seed.NEWS:
                self.ensure(news_index, NewsPage, **spec)
            if options["demo"]:
                self.ensure(news_index, NewsPage, date=timezone.localdate(), **pages_seed.DEMO_NEWS)
            if presentation_created or presentation.url_path in self.updated:
                self.add_presentation_links(presentation, faq)
        for item in self.updated:
            self.stdout.write(f"  {item}")
        if self.created or self.updated:
            self.stdout.write(f"Contenus BNM : {len(self.created)} élément(s) créé(s), {len(self.updated)} mis à jour ou supprimé(s).")
        else:
            self.stdout.write("Contenus BNM : déjà en place, rien à créer.")

    # --- helpers ------------------------------------------------------------

    @staticmethod
    def untouched(page) -> bool:
        """Created by this command and never saved in the admin: no revision (an editor's draft,
        publication or workflow always writes one)."""
        return page.latest_revision_id is None and not Revision.page_revisions.filter(object_id=str(page.pk)).exists()

    def ensure(self, parent, model, slug, **fields):
        existing = parent.get_children().filter(slug=slug).first()
        if existing is not None:
            page = existing.specific
            if self.refresh and type(page) is model and self.untouched(page):
                # Never edited: rewritten from the current seed (the same text when nothing changed).
                for name, value in fields.items():
                    setattr(page, name, value)
                page.save()
                self.updated.append(page.url_path)
            return page, False
        now = timezone.now()
        page = model(slug=slug, live=True, first_published_at=now, last_published_at=now, **fields)
        parent.add_child(instance=page)
        self.created.append(page.url_path)
        return page, True

    def ensure_campaign(self):
        """The 2022 call, closed (one per statistics / engagement year pair, kept when edited)."""
        spec = pages_seed.CAMPAIGN_2022
        campaign = Campaign.objects.filter(
            is_demo=False, statistics_year=spec["statistics_year"], first_engagement_year=spec["first_engagement_year"]
        ).first()
        if campaign is None:
            campaign = Campaign.objects.create(**spec)
            self.created.append(f"campagne « {campaign.title} »")
        return campaign

    def ensure_demo_campaign(self):
        """An open call for trying the site locally: « Démonstration » in its title and on every
        public page that shows it. Created again when the last one has closed."""
        now = timezone.now()
        if Campaign.objects.filter(is_demo=True, opens_at__lte=now, closes_at__gt=now).exists():
            return None
        today = timezone.localdate()
        campaign = Campaign.objects.create(
            title=pages_seed.DEMO_TITLE, is_demo=True,
            statistics_year=today.year - 1, first_engagement_year=today.year + 1,
            opens_at=dt.datetime.combine(today, dt.time(0, 0), tzinfo=PARIS),
            closes_at=dt.datetime.combine(today + dt.timedelta(days=90), dt.time(23, 59, 59), tzinfo=PARIS),
        )
        self.created.append(f"campagne « {campaign.title} »")
        return campaign

    def remove_invented(self):
        """Delete what earlier versions invented, when no editor touched it: the dated meetings,
        the AMI opening and deadline events and the news items (matched by slug and title, with no
        revision), and the 2026-27 call (its exact values, no dossier, no change in its journal)."""
        from ami.models import CampaignEvent

        for model, slugs in ((EventPage, pages_seed.INVENTED_EVENTS), (NewsPage, pages_seed.INVENTED_NEWS)):
            for page in model.objects.filter(slug__in=list(slugs)):
                if page.title == slugs[page.slug] and self.untouched(page):
                    self.updated.append(f"supprimé : {page.title} ({page.url_path})")
                    page.delete()
        spec = pages_seed.INVENTED_CAMPAIGN
        for campaign in Campaign.objects.filter(**spec):
            edited = CampaignEvent.objects.filter(campaign=campaign).exclude(kind=CampaignEvent.Kind.CREATED).exists()
            if campaign.dossiers.exists() or campaign.extensions.exists() or edited:
                continue
            self.updated.append(f"supprimé : campagne « {campaign.title} »")
            campaign.delete()

    def ensure_home(self):
        site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
        home = HomePage.objects.first()
        if home is None:
            root = Page.get_first_root_node()
            home = HomePage(title="Bibliothèque Numérique Métropolitaine", slug="accueil", intro=HOME_INTRO,
                            search_description="La Bibliothèque Numérique Métropolitaine accompagne les communes de la MEL dans la transition numérique de leurs bibliothèques.")
            home.first_published_at = home.last_published_at = timezone.now()
            root.add_child(instance=home)
            self.created.append("/")
        hostname, port = site_host_and_port()
        if site is None:
            site = Site.objects.create(hostname=hostname, port=port, root_page=home, is_default_site=True,
                                       site_name="Bibliothèque Numérique Métropolitaine")
        elif (site.hostname, site.port) != (hostname, port):
            # SITE_BASE_URL is the site's one public address: Wagtail's absolute URLs follow it.
            self.updated.append(f"site : {site.hostname}:{site.port} → {hostname}:{port} (SITE_BASE_URL)")
            site.hostname, site.port = hostname, port
            site.save()
        if site.root_page_id != home.pk:
            old_root = site.root_page
            site.root_page = home
            site.site_name = site.site_name or "Bibliothèque Numérique Métropolitaine"
            site.save()
            # Wagtail's « Welcome » page: a bare Page with no children.
            if type(old_root.specific) is Page and old_root.numchild == 0 and old_root.depth == 2:
                old_root.delete()
        return home

    def presentation_body(self):
        return [
            ("section", {"heading": "Une politique de lecture publique engagée", "anchor": "contexte", "body": pres.CONTEXT}),
            ("section", {"heading": "Trois nouveaux outils métropolitains", "anchor": "outils", "body": pres.TOOLS_INTRO}),
            *[("tool", tool) for tool in pres.TOOLS],
            ("conditions", {"heading": "Les conditions d’accès aux outils déployés par la MEL", "anchor": "conditions-acces",
                            "intro": pres.CONDITIONS_INTRO, "lead_in": "Les communes engagées devront :",
                            "commitments": pres.COMMITMENTS}),
            ("governance", {"heading": "Modalités de pilotage", "anchor": "pilotage", "intro": pres.GOVERNANCE_INTRO,
                            "bodies": [{"name": name, "role": role} for name, role in pres.GOVERNANCE_BODIES]}),
            ("section", {"heading": pres.AFTER_2025_HEADING, "anchor": "apres-2025", "body": pres.AFTER_2025}),
        ]

    def add_presentation_links(self, presentation, faq):
        links = [{"label": "Questions fréquentes sur la BNM", "page": faq, "url": "", "description": "sur ce site"}]
        links += [dict(link, page=None) for link in pres.EXTERNAL_LINKS]
        presentation.body.append(("links", {"heading": "Pour en savoir plus", "anchor": "en-savoir-plus", "links": links}))
        presentation.save()

    def faq_body(self):
        return [
            ("theme", {"anchor": theme["anchor"], "title": theme["title"], "questions": [
                {"anchor": anchor, "question": question, "answer": answer}
                for anchor, question, answer in theme["questions"]
            ]})
            for theme in faq_seed.THEMES
        ]
