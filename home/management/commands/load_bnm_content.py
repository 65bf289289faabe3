"""Build the BNM page tree and its content from the AMI dossier. Idempotent.

Pages are matched by slug under their parent: a page that exists is never changed, so the
command can run after editors have edited the content (e.g. on every `make run`).
"""
import datetime as dt

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page, Site

from ami.models import Campaign
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

    def handle(self, *args, **options):
        self.created = []
        with transaction.atomic():
            campaign = self.ensure_campaign()
            home = self.ensure_home()
            presentation, presentation_created = self.ensure(home, PresentationPage, "la-bnm", title="La BNM 2022-2025", seo_title="La Bibliothèque Numérique Métropolitaine 2022-2025",
                                                               show_in_menus=True, intro=pres.INTRO, body=self.presentation_body(),
                                                               search_description="Les trois outils de la BNM, leur calendrier, leurs objectifs, leur public et leur coût ; les conditions d’accès et le pilotage.")
            calendar, _ = self.ensure(home, CalendarPage, "calendrier", title="Calendrier", show_in_menus=True,
                                      intro="<p>Les grandes étapes de la Bibliothèque Numérique Métropolitaine. Les dates marquées « prévisionnel » sont indicatives.</p>")
            news_index, _ = self.ensure(home, NewsIndexPage, "actualites", title="Actualités", show_in_menus=True,
                                        intro="<p>Les nouvelles de la Bibliothèque Numérique Métropolitaine.</p>")
            faq, _ = self.ensure(home, FaqPage, "faq", title="Questions fréquentes", show_in_menus=True,
                                 intro="Les réponses aux questions les plus fréquentes sur la BNM et l’appel à manifestation d’intérêt.",
                                 body=self.faq_body())
            for spec in pages_seed.STANDARD_PAGES:
                self.ensure(home, StandardPage, **spec)
            for spec in pages_seed.EVENTS + pages_seed.campaign_events(campaign):
                self.ensure(calendar, EventPage, **spec)
            for spec in pages_seed.NEWS:
                self.ensure(news_index, NewsPage, **spec)
            if presentation_created:
                self.add_presentation_links(presentation, faq)
        if self.created:
            self.stdout.write(f"Contenus BNM : {len(self.created)} élément(s) créé(s).")
        else:
            self.stdout.write("Contenus BNM : déjà en place, rien à créer.")

    # --- helpers ------------------------------------------------------------

    def ensure(self, parent, model, slug, **fields):
        existing = parent.get_children().filter(slug=slug).first()
        if existing is not None:
            return existing.specific, False
        now = timezone.now()
        page = model(slug=slug, live=True, first_published_at=now, last_published_at=now, **fields)
        parent.add_child(instance=page)
        self.created.append(page.url_path)
        return page, True

    def ensure_campaign(self):
        campaign = Campaign.objects.order_by("-opens_at").first()
        if campaign is None:
            campaign = Campaign.objects.create(
                title="AMI Bibliothèque Numérique Métropolitaine",
                statistics_year=2025,
                first_engagement_year=2027,
                opens_at=dt.datetime(2026, 11, 1, 9, 0, tzinfo=PARIS),
                closes_at=dt.datetime(2027, 3, 31, 23, 59, 59, tzinfo=PARIS),
            )
            self.created.append(f"campagne « {campaign.title} »")
        return campaign

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
        if site is None:
            site = Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True,
                                       site_name="Bibliothèque Numérique Métropolitaine")
        elif site.root_page_id != home.pk:
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
            ("section", {"heading": "La BNM après 2025", "anchor": "apres-2025", "body": pres.AFTER_2025}),
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
