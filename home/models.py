"""Pages of the public BNM site, its calendar, news and site settings."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, Paginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.functional import cached_property
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path, re_path
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, PageManager, Site
from wagtail.query import PageQuerySet
from wagtail.search import index

from core import pagecache
from core.pagecache import CachedPageMixin
from core.parsing import parse_ascii_int

from .blocks import RICH_FEATURES, PresentationStreamBlock, ToolBlock
from .dates import format_date_fr, format_month_fr, format_time_fr
from .routing import RoutedPageMixin, TreeRoutingMixin

PARIS = ZoneInfo("Europe/Paris")


# The dossier of June 2022 names one funder: « Ce projet est soutenu financièrement par l’État dans le
# cadre du label « bibliothèque numérique de référence » (BNR) obtenu en mars 2022. »
FUNDERS_FROM_SOURCE = "L’État, dans le cadre du label « bibliothèque numérique de référence » (BNR) obtenu en mars 2022"


def default_portal_url():
    return settings.BNM_PORTAL_URL


@register_setting(icon="cog")
class BnmSettings(BaseSiteSetting):
    portal_url = models.URLField(
        "adresse du portail « à suivre... »", default=default_portal_url, help_text="Lien affiché dans l’en-tête et sur l’accueil."
    )
    contact_email = models.EmailField("adresse de contact", default="bnm@lillemetropole.fr")
    current_phase = models.TextField(
        "où en est la BNM aujourd’hui",
        blank=True,
        help_text="La phase actuelle du projet, en une ou deux phrases, par exemple « En 2026, la MEL prépare la suite "
        "du dispositif avec les communes partenaires. ». Affichée sur l’accueil et sur la page du programme. "
        "Vide : rien n’est affiché, les pages présentent seulement le programme 2022-2025 tel que publié en 2022.",
    )

    funders = models.TextField(
        "soutenu par",
        blank=True,
        default=FUNDERS_FROM_SOURCE,
        help_text="Les financeurs du projet, affichés sous « Soutenu par » dans le pied de page de chaque page. "
        "Vide : le bloc n’est pas affiché.",
    )

    panels = [FieldPanel("portal_url"), FieldPanel("contact_email"), FieldPanel("current_phase"), FieldPanel("funders")]

    class Meta:
        verbose_name = "paramètres du site BNM"


class LegalBasis(models.TextChoices):
    """Bases of article 6(1) of the GDPR a public body can rely on (not « intérêt légitime »,
    closed to public authorities for their tasks), worded to follow « Base légale : »."""

    PUBLIC_TASK = "mission_interet_public", (
        "l’exécution d’une mission d’intérêt public ou relevant de l’exercice de l’autorité publique dont est investie "
        "la MEL (article 6, paragraphe 1, point e, du RGPD)"
    )
    LEGAL_OBLIGATION = "obligation_legale", "le respect d’une obligation légale (article 6, paragraphe 1, point c, du RGPD)"
    CONSENT = "consentement", "le consentement des personnes concernées (article 6, paragraphe 1, point a, du RGPD)"
    CONTRACT = "contrat", (
        "l’exécution d’un contrat ou de mesures précontractuelles (article 6, paragraphe 1, point b, du RGPD)"
    )


RETENTION_VALIDATORS = [
    MinValueValidator(1, "Indiquez une durée d’au moins 1 mois, ou laissez le champ vide."),
    MaxValueValidator(1200, "Indiquez une durée d’au plus 1 200 mois (100 ans)."),
]
NOT_PUBLISHED_HELP = " Vide : la page publique indique que l’information n’est pas publiée à ce jour."


@register_setting(icon="doc-full")
class LegalSettings(BaseSiteSetting):
    """What « Mentions légales » and « Données personnelles » show beyond their text (the
    StandardPage's « informations légales » field chooses which part). Empty by default: the
    source (the AMI dossier of June 2022) gives none of it. The retention periods are numbers of
    months so that a purge of dossiers can read them (`retention_periods()`)."""

    publication_director = models.CharField(
        "directeur ou directrice de la publication", max_length=200, blank=True,
        help_text="Nom et fonction, par exemple « Prénom Nom, président(e) de la Métropole Européenne de Lille »."
        + NOT_PUBLISHED_HELP,
    )
    host_name = models.CharField(
        "nom de l’hébergeur", max_length=200, blank=True,
        help_text="Raison sociale de la société ou nom du service qui héberge le site." + NOT_PUBLISHED_HELP,
    )
    host_address = models.TextField(
        "adresse de l’hébergeur", blank=True, help_text="Adresse postale complète, sur une ou plusieurs lignes."
    )
    host_contact = models.CharField(
        "contact de l’hébergeur", max_length=200, blank=True,
        help_text="Numéro de téléphone (obligatoire dans les mentions légales) ou adresse de contact de l’hébergeur.",
    )
    dpo_email = models.EmailField(
        "adresse électronique du délégué à la protection des données", blank=True,
        help_text="Le contact du délégué à la protection des données (DPO) de la MEL." + NOT_PUBLISHED_HELP,
    )
    dpo_address = models.TextField(
        "adresse postale du délégué à la protection des données", blank=True,
        help_text="Facultatif : l’adresse postale où écrire au délégué à la protection des données.",
    )
    legal_basis = models.CharField(
        "base légale du traitement des données de l’AMI", max_length=40, choices=LegalBasis.choices, blank=True,
        help_text="Le fondement, au sens de l’article 6 du RGPD, du traitement des dossiers de candidature à l’appel "
        "à manifestation d’intérêt." + NOT_PUBLISHED_HELP,
    )
    legal_basis_details = models.TextField(
        "précisions sur la base légale", blank=True,
        help_text="Facultatif : le texte ou la délibération sur lequel repose le traitement, en une ou deux phrases.",
    )
    dossier_retention_months = models.PositiveSmallIntegerField(
        "durée de conservation des dossiers déposés (en mois)", null=True, blank=True, validators=RETENTION_VALIDATORS,
        help_text="Nombre de mois pendant lesquels un dossier déposé est conservé, comptés à partir de la clôture de "
        "l’appel auquel il répond. Un nombre, pour qu’une suppression automatique puisse le lire." + NOT_PUBLISHED_HELP,
    )
    draft_retention_months = models.PositiveSmallIntegerField(
        "durée de conservation des dossiers jamais déposés (en mois)", null=True, blank=True,
        validators=RETENTION_VALIDATORS,
        help_text="Nombre de mois pendant lesquels un dossier commencé mais jamais déposé (brouillon) est conservé, "
        "comptés à partir de la clôture de l’appel." + NOT_PUBLISHED_HELP,
    )

    panels = [
        MultiFieldPanel([FieldPanel("publication_director")], heading="Mentions légales : publication"),
        MultiFieldPanel(
            [FieldPanel("host_name"), FieldPanel("host_address"), FieldPanel("host_contact")],
            heading="Mentions légales : hébergement",
        ),
        MultiFieldPanel(
            [FieldPanel("legal_basis"), FieldPanel("legal_basis_details"),
             FieldRowPanel([FieldPanel("dossier_retention_months"), FieldPanel("draft_retention_months")]),
             FieldPanel("dpo_email"), FieldPanel("dpo_address")],
            heading="Données personnelles des dossiers de l’AMI",
        ),
    ]

    class Meta:
        verbose_name = "mentions légales et données personnelles"

    @property
    def legal_basis_label(self) -> str:
        return LegalBasis(self.legal_basis).label if self.legal_basis in LegalBasis.values else ""

    @property
    def has_host(self) -> bool:
        return bool(self.host_name.strip() or self.host_address.strip() or self.host_contact.strip())

    @property
    def missing_mentions(self) -> bool:
        return not (self.publication_director.strip() and self.has_host)

    @property
    def missing_personal_data(self) -> bool:
        return not (self.legal_basis_label and self.dossier_retention_months and self.draft_retention_months
                    and (self.dpo_email or self.dpo_address.strip()))


def retention_periods(site=None) -> dict[str, int | None]:
    """The retention periods of the AMI's dossiers, in months after the call's closing, as the
    editors set them (None: not set, keep everything): {"dossiers": …, "drafts": …}."""
    site = site or Site.objects.filter(is_default_site=True).first()
    legal = LegalSettings.for_site(site) if site else LegalSettings()
    return {"dossiers": legal.dossier_retention_months, "drafts": legal.draft_retention_months}


class LegalInformation(models.TextChoices):
    MENTIONS = "mentions", "mentions légales : directeur de la publication et hébergeur"
    PERSONAL_DATA = "donnees", "données personnelles : base légale, durées de conservation, délégué à la protection des données"


class HomePage(CachedPageMixin, TreeRoutingMixin, Page):
    intro = models.TextField("présentation en deux phrases")
    tools_heading = models.CharField("titre de la section des outils", max_length=200, default="Trois outils métropolitains")

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("tools_heading")]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = "page d’accueil"

    def get_context(self, request, *args, **kwargs):
        from ami.services.public_call import current_campaign

        context = super().get_context(request, *args, **kwargs)
        from .menus import get_menus

        context["campaign"] = current_campaign(request)
        by_model = get_menus(request)["by_model"]
        # The presentation page (the first live one below the home page) and its cards, its own
        # summary of its tools (tool_cards, kept on save), read with the menus: its StreamField
        # is not read here.
        presentation = by_model.get("presentationpage")
        context["presentation_url"] = presentation["url"] if presentation else ""
        context["tools"] = PresentationPage.cards_at(presentation["url"], presentation["tool_cards"]) if presentation else []
        # Lists skip view-restricted pages' checks (one query each): the public site has none.
        context["latest_news"] = NewsPage.objects.live().descendant_of(self).order_by("-date", "-pk")[:3]
        calendar = by_model.get("calendarpage")
        today = _today()
        context["next_events"] = [
            entry for entry in (calendar_entries(calendar["pk"], calendar["url"], request) if calendar else [])
            if not entry.is_past(today)
        ][:3]
        context["calendar_url"] = calendar["url"] if calendar else None
        context["news_index_url"] = by_model.get("newsindexpage", {}).get("url")
        return context


TOOL_CARD_FIELDS = ("anchor", "title", "pictogram", "subtitle", "summary")


class PresentationPage(CachedPageMixin, RoutedPageMixin, Page):
    intro = RichTextField("introduction", features=RICH_FEATURES, blank=True)
    body = StreamField(PresentationStreamBlock(), verbose_name="contenu")
    # What the home page's cards show of each tool block, copied from `body` on every save (the
    # home page lists them without reading this page's StreamField).
    tool_cards = models.JSONField(default=list, editable=False)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    subpage_types = ["home.StandardPage"]

    class Meta:
        verbose_name = "page de présentation"

    def save(self, *args, **kwargs):
        self.tool_cards = self.cards_of_tools()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "tool_cards"}
        return super().save(*args, **kwargs)

    def cards_of_tools(self) -> list[dict]:
        """The home page's card of each tool block: its anchor, title, pictogram, subtitle, summary."""
        return [
            {name: block.value[name] for name in TOOL_CARD_FIELDS}
            for block in self.body
            if isinstance(block.block, ToolBlock)
        ]

    @staticmethod
    def cards_at(url: str, tool_cards: list[dict]) -> list[dict]:
        """The tool cards of the presentation page at `url`, with the URL of their section, for the home page."""
        return [{"value": card, "url": f"{url}#{card['anchor']}"} for card in tool_cards]

    @cached_property
    def toc(self):
        """Table of contents: each top-level block's anchor and heading; the tools, which the source
        numbers itself (« 1. Un logiciel… »), nested under the section before them, so that no
        entry is numbered twice."""
        toc = []
        for block in self.body:
            value = block.value
            anchor = value.get("anchor")
            title = value.get("heading") or value.get("title")
            if not (anchor and title):
                continue
            entry = {"anchor": anchor, "title": title, "children": []}
            if isinstance(block.block, ToolBlock) and toc:
                toc[-1]["children"].append(entry)
            else:
                toc.append(entry)
        return toc


class StandardPage(CachedPageMixin, RoutedPageMixin, Page):
    intro = models.TextField("chapeau", blank=True)
    body = RichTextField("contenu", features=RICH_FEATURES + ["h2"])
    footer_label = models.CharField(
        "intitulé dans le pied de page",
        max_length=100,
        blank=True,
        help_text="Par exemple « Accessibilité : non conforme ». Vide : la page n’apparaît pas dans le pied de page.",
    )
    legal_information = models.CharField(
        "informations légales affichées après le contenu", max_length=20, choices=LegalInformation.choices, blank=True,
        help_text="Les informations saisies dans Paramètres › mentions légales et données personnelles, affichées à la "
        "suite du contenu de la page. Vide : aucune.",
    )

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body"), FieldPanel("legal_information")]
    promote_panels = Page.promote_panels + [FieldPanel("footer_label")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    subpage_types = ["home.StandardPage"]

    class Meta:
        verbose_name = "page standard"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        if self.legal_information:
            from .menus import get_menus

            context["legal"] = get_menus(request)["legal"]
        return context


# --- Calendar -----------------------------------------------------------------


class EventCategory(models.TextChoices):
    SIGB = "sigb", "Logiciel de gestion (SIGB)"
    RESOURCES = "ressources", "Ressources en ligne"
    MEDIATION = "mediation", "Médiation numérique"
    GOVERNANCE = "pilotage", "Pilotage (COPIL, comité technique)"
    AMI = "ami", "Appel à manifestation d’intérêt"
    WORKING_GROUPS = "groupes", "Groupes de travail"  # meetings published by ami.services.working_groups


def _today():
    return timezone.localdate()


CATEGORY_LABELS = dict(EventCategory.choices)


class EventDates:
    """What an event says of its dates and category, in French: for its page (EventPage) and for
    the lists (EventEntry). Reads start_date, end_date, all_day, start_time, end_time,
    period_label, is_provisional and category."""

    @property
    def month(self):
        return self.start_date.replace(day=1)

    @property
    def period_kind(self) -> str:
        """"year", "half" or "month" when the dates span exactly one calendar year, semester or
        month (a milestone known with that precision); "" for a day or any other span."""
        start, end = self.start_date, self.end_date
        if not start or not end or start.day != 1 or end.year != start.year:
            return ""
        if (start.month, end.month, end.day) == (1, 12, 31):
            return "year"
        if (start.month, end.month, end.day) in {(1, 6, 30), (7, 12, 31)}:
            return "half"
        if start.month == end.month and (end + dt.timedelta(days=1)).day == 1:
            return "month"
        return ""

    @property
    def period_phrase(self) -> str:
        """The period after « prévu » : « en 2023 », « au 2e semestre 2023 », « en juin 2022 »."""
        kind, start = self.period_kind, self.start_date
        if kind == "year":
            return f"en {start.year}"
        if kind == "half":
            return f"au {'1er' if start.month == 1 else '2e'} semestre {start.year}"
        if kind == "month":
            return f"en {format_month_fr(start)}"
        return f"le {self.date_display}" if not (self.end_date and self.end_date != self.start_date) else self.date_display

    @property
    def group_label(self) -> str:
        """Heading of the event's group in the calendar: its period (« Année 2023 », « 2e semestre
        2024 ») for a milestone known to the year or semester, else its month (« Juin 2022 »)."""
        kind, start = self.period_kind, self.start_date
        if kind == "year":
            return f"Année {start.year}"
        if kind == "half":
            return f"{'1er' if start.month == 1 else '2e'} semestre {start.year}"
        return format_month_fr(start).capitalize()

    def is_past(self, today=None) -> bool:
        today = today or _today()
        return (self.end_date or self.start_date) < today

    @property
    def past_provisional(self) -> bool:
        """A provisional date that has gone by: shown as « prévu au 2e semestre 2023 », not as a forecast."""
        return self.is_provisional and self.is_past()

    @property
    def when_display(self) -> str:
        """The date line of the event's card and page."""
        if self.past_provisional:
            return f"Prévu {self.period_phrase}"
        if self.period_label:
            return self.period_label
        return self.date_display[:1].upper() + self.date_display[1:]

    @property
    def category_label(self):
        return CATEGORY_LABELS.get(self.category, "")

    @property
    def is_timed(self):
        return not self.all_day and self.start_time is not None

    @property
    def starts_at(self):
        if self.is_timed:
            return dt.datetime.combine(self.start_date, self.start_time, tzinfo=PARIS)
        return None

    @property
    def ends_at(self):
        if not self.is_timed:
            return None
        end_day = self.end_date or self.start_date
        if self.end_time:
            return dt.datetime.combine(end_day, self.end_time, tzinfo=PARIS)
        return self.starts_at + dt.timedelta(hours=1)

    @property
    def date_display(self):
        """Dates in French words, e.g. « du 1er janvier au 30 juin 2023 » or « 15 juin 2023, 14 h – 16 h »."""
        if self.end_date and self.end_date != self.start_date:
            same_year = self.start_date.year == self.end_date.year
            start = format_date_fr(self.start_date, with_year=not same_year)
            text = f"du {start} au {format_date_fr(self.end_date)}"
        else:
            text = format_date_fr(self.start_date)
        if self.is_timed:
            text += f", {format_time_fr(self.start_time)}"
            if self.end_time:
                text += f" – {format_time_fr(self.end_time)}"
        return text


class EventPageQuerySet(PageQuerySet):
    def upcoming(self, today=None):
        today = today or _today()
        return self.filter(Q(end_date__gte=today) | Q(end_date__isnull=True, start_date__gte=today)).order_by(
            "start_date", "start_time", "pk"
        )

    def past(self, today=None):
        today = today or _today()
        return self.filter(Q(end_date__lt=today) | Q(end_date__isnull=True, start_date__lt=today)).order_by(
            "-start_date", "-start_time", "-pk"
        )


def group_events(events, newest_first: bool = False) -> list[dict]:
    """Events under their group heading (EventPage.group_label): a milestone of « Année 2023 »
    is not filed under « Janvier 2023 ». Groups by year (in the events' order: oldest or newest
    first), the whole year's group first, then its semesters and months in the events' order."""
    groups: dict[str, dict] = {}
    for event in events:
        group = groups.setdefault(
            event.group_label, {"label": event.group_label, "year": event.start_date.year,
                                "whole_year": event.period_kind == "year", "events": []},
        )
        group["events"].append(event)
    direction = -1 if newest_first else 1
    return sorted(groups.values(), key=lambda g: (direction * g["year"], not g["whole_year"]))


class CalendarPage(CachedPageMixin, RoutedPageMixin, RoutablePageMixin, Page):
    intro = RichTextField("introduction", features=RICH_FEATURES, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["home.EventPage"]
    max_count = 1

    class Meta:
        verbose_name = "page calendrier"

    def entries(self, request=None) -> list[EventEntry]:
        """The calendar's live events, for its lists and feeds (see calendar_entries)."""
        return calendar_entries(self.pk, self.get_url(request) or "", request)

    @staticmethod
    def ical_url_of(calendar_url: str) -> str:
        """The iCal feed of the calendar page at `calendar_url` (its `ical_feed` route)."""
        return f"{calendar_url}bnm.ics"

    @property
    def ical_url(self):
        return self.ical_url_of(self.url)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        category = request.GET.get("categorie", "")
        if category not in CATEGORY_LABELS:
            category = ""
        entries = self.entries(request)
        if category:
            entries = [entry for entry in entries if entry.category == category]
        # Both lists from one: upcoming and past split on the same day as is_past(), and the past
        # list's order (newest first) is the upcoming order reversed.
        today = _today()
        context.update(
            categories=EventCategory.choices,
            category=category,
            category_label=CATEGORY_LABELS.get(category, ""),
            upcoming_groups=group_events([entry for entry in entries if not entry.is_past(today)]),
            past_groups=group_events([entry for entry in reversed(entries) if entry.is_past(today)], newest_first=True),
        )
        return context

    @re_path(r"^bnm\.ics/$", name="ical_feed")
    def ical_feed(self, request):
        from .ical import calendar_response

        return calendar_response(self.entries(request), "bnm.ics")

    @re_path(r"^(?P<slug>[-\w]+)\.ics/$", name="event_ical")
    def event_ical(self, request, slug):
        from .ical import calendar_response

        entries = [entry for entry in self.entries(request) if entry.slug == slug]
        if not entries:
            raise Http404
        return calendar_response(entries, f"{slug}.ics")


@dataclass
class EventEntry(EventDates):
    """An event as the calendar, the home page and the iCal feeds list it: its columns and its
    address, without a Page object (a list of them costs a fraction of the pages)."""

    pk: int
    title: str
    slug: str
    start_date: dt.date
    end_date: dt.date | None
    all_day: bool
    start_time: dt.time | None
    end_time: dt.time | None
    period_label: str
    is_provisional: bool
    category: str
    location: str
    description: str
    last_published_at: dt.datetime | None
    url: str = ""


# The event's columns an entry holds, in the order of its fields (its URL is made from the calendar's).
EVENT_ENTRY_COLUMNS = tuple(entry_field.name for entry_field in fields(EventEntry) if entry_field.name != "url")


def calendar_entries(calendar_pk: int, calendar_url: str, request=None) -> list[EventEntry]:
    """The live events of the calendar page `calendar_pk`, oldest first (start date, then start
    time, all-day ones last on their day, then id), each with its address below `calendar_url`
    (a child page's URL is its parent's followed by its slug). The rows are data derived from the
    pages, kept per generation of core.pagecache: any publish, move or change starts a new one."""
    rows = pagecache.cached(
        f"bnm:calendar-events:{calendar_pk}",
        lambda: list(
            EventPage.objects.live().child_of(Page.objects.get(pk=calendar_pk))
            .order_by("start_date", "start_time", "pk").values_list(*EVENT_ENTRY_COLUMNS)
        ),
        request,
    )
    return [EventEntry(*row, url=f"{calendar_url}{row[2]}/") for row in rows]


class EventPage(EventDates, CachedPageMixin, RoutedPageMixin, Page):
    start_date = models.DateField("date de début")
    end_date = models.DateField("date de fin", null=True, blank=True, help_text="Pour une période. Vide : un seul jour.")
    all_day = models.BooleanField("toute la journée", default=True)
    start_time = models.TimeField("heure de début", null=True, blank=True, help_text="Heure de Paris.")
    end_time = models.TimeField("heure de fin", null=True, blank=True)
    period_label = models.CharField(
        "période en clair", max_length=100, blank=True, help_text="Par exemple « 1er semestre 2023 ». Remplace les dates à l’affichage."
    )
    is_provisional = models.BooleanField("date prévisionnelle", default=True)
    category = models.CharField("catégorie", max_length=20, choices=EventCategory.choices)
    location = models.CharField("lieu", max_length=200, blank=True)
    description = RichTextField("description", features=RICH_FEATURES, blank=True)

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
                FieldPanel("all_day"),
                FieldRowPanel([FieldPanel("start_time"), FieldPanel("end_time")]),
                FieldPanel("period_label"),
                FieldPanel("is_provisional"),
            ],
            heading="Dates",
        ),
        FieldPanel("category"),
        FieldPanel("location"),
        FieldPanel("description"),
    ]
    search_fields = Page.search_fields + [index.SearchField("description"), index.FilterField("start_date")]
    parent_page_types = ["home.CalendarPage"]
    subpage_types = []

    objects = PageManager.from_queryset(EventPageQuerySet)()

    class Meta:
        verbose_name = "événement"
        verbose_name_plural = "événements"
        ordering = ["start_date"]

    def clean(self):
        super().clean()
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "La date de fin doit suivre la date de début."})
        if not self.all_day and not self.start_time:
            raise ValidationError({"start_time": "Indiquez l’heure de début, ou cochez « toute la journée »."})
        if self.start_time and self.end_time and not self.end_date and self.end_time <= self.start_time:
            raise ValidationError({"end_time": "L’heure de fin doit suivre l’heure de début."})

    @property
    def ics_url(self):
        parent_url = self.url.rstrip("/").rsplit("/", 1)[0]
        return f"{parent_url}/{self.slug}.ics"


# --- News ---------------------------------------------------------------------


class NewsIndexPage(CachedPageMixin, RoutedPageMixin, RoutablePageMixin, Page):
    intro = RichTextField("introduction", features=RICH_FEATURES, blank=True)
    per_page = 10

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["home.NewsPage"]
    max_count = 1

    class Meta:
        verbose_name = "page des actualités"

    def news(self):
        return NewsPage.objects.live().child_of(self).order_by("-date", "-pk")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        paginator = Paginator(self.news(), self.per_page)
        number = parse_ascii_int(request.GET.get("page", "1"), max_digits=6)
        try:
            news_page = paginator.page(number or 1)  # '?page=²', '?page=-1', a huge number: the first page
        except EmptyPage as exc:
            raise Http404("Page de résultats inexistante") from exc
        context.update(news_page=news_page, paginator=paginator)
        return context

    @path("rss/", name="rss")
    def rss(self, request):
        from .feeds import NewsFeed

        return NewsFeed(self)(request)

    @staticmethod
    def rss_url_of(index_url: str) -> str:
        """The RSS feed of the news index page at `index_url` (its `rss` route)."""
        return f"{index_url}rss/"

    @property
    def rss_url(self):
        return self.rss_url_of(self.url)


class NewsPage(CachedPageMixin, RoutedPageMixin, Page):
    date = models.DateField("date de publication", default=_today)
    intro = models.TextField("chapeau")
    body = RichTextField("contenu", features=RICH_FEATURES + ["h2"], blank=True)

    content_panels = Page.content_panels + [FieldPanel("date"), FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["home.NewsIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "actualité"
        verbose_name_plural = "actualités"
