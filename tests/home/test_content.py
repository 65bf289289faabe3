"""`load_bnm_content` builds the tree once, loads only what the source says and never touches
what editors made."""
import datetime as dt
from html import unescape

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import Page, Revision, Site

from ami.models import Campaign
from core.public_urls import site_host_and_port
from faq.models import FaqPage
from home.models import CalendarPage, EventPage, HomePage, NewsIndexPage, NewsPage, StandardPage
from home.seed import pages as seed

from .conftest import PARIS


def snapshot():
    pages = [
        (p.url_path, type(p).__name__, p.title, p.live, p.latest_revision_id)
        for p in Page.objects.order_by("path").specific()
    ]
    return pages, Revision.objects.count(), list(Campaign.objects.values_list("pk", "title", "opens_at", "closes_at"))


def load(*args):
    call_command("load_bnm_content", *args, stdout=open("/dev/null", "w"))


@pytest.mark.django_db
def test_running_twice_changes_nothing(frozen_today):
    load()
    first = snapshot()
    load()
    assert snapshot() == first
    pages = first[0]
    assert len(pages) > 20
    # Wagtail's « Welcome » page is replaced by the BNM home page.
    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)
    assert not Page.objects.filter(depth=2).exclude(pk=site.root_page_id).exists()
    urls = {p.url for p in Page.objects.filter(depth__gte=2)}
    for path in ["/", "/la-bnm/", "/faq/", "/calendrier/", "/actualites/", "/mentions-legales/",
                 "/donnees-personnelles/", "/accessibilite/", "/contact/"]:
        assert path in urls


@pytest.mark.django_db
def test_only_the_source_twice_on_an_empty_database(frozen_today):
    load()
    load()
    # The 2022 call, closed today, with the years of the source and no invented date shown.
    assert Campaign.objects.count() == 1
    campaign = Campaign.objects.get()
    assert (campaign.statistics_year, campaign.first_engagement_year, campaign.is_demo) == (2021, 2023, False)
    assert not campaign.is_open() and campaign.state() == Campaign.State.CLOSED
    assert "juin 2022" in campaign.dates_note
    assert not any(c.is_open() for c in Campaign.objects.all())
    # No hour, place or meeting date that the source does not give: whole periods only.
    events = list(EventPage.objects.all())
    assert len(events) >= 15
    for event in events:
        assert event.all_day and event.start_time is None and event.end_time is None and event.location == "", event.slug
        assert event.period_kind in {"year", "half", "month"}, event.slug
    assert not EventPage.objects.filter(slug__startswith="copil").exists()
    assert not EventPage.objects.filter(slug__startswith="comite-technique").exists()
    # No back-dated news.
    assert not NewsPage.objects.exists()
    # The Wagtail Site is the public address of SITE_BASE_URL.
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == site_host_and_port()
    assert settings.SITE_BASE_URL.startswith(site.root_url)


@pytest.mark.django_db
def test_pages_say_what_is_history(content, client):
    presentation = client.get("/la-bnm/").content.decode()
    assert "<h1>BNM 2022-2025</h1>" in presentation
    assert "tel que la MEL l’a publié en juin 2022" in presentation
    assert "En 2022, la MEL prévoyait" in presentation
    faq = client.get("/faq/").content.decode()
    assert "Que prévoyait la MEL pour l’après-2025" in faq and "Que se passe-t-il après 2025" not in faq
    # /candidater/ and the home page: the 2022 call is closed, with the date the source gives.
    for url in ("/", "/candidater/"):
        html = client.get(url).content.decode()
        assert "Dossier de candidature daté de juin 2022" in html, url
        assert "/candidater/commencer/" not in html and "Démonstration" not in html, url


@pytest.mark.django_db
def test_editors_state_the_current_phase(content, client):
    from home.models import BnmSettings

    assert "Où en est la BNM aujourd’hui" not in client.get("/").content.decode()  # empty by default
    site_settings = BnmSettings.for_site(Site.objects.get(is_default_site=True))
    assert site_settings.current_phase == ""
    site_settings.current_phase = "En 2026, la MEL prépare la suite du dispositif avec les communes partenaires."
    site_settings.save()
    for url in ("/", "/la-bnm/"):
        html = client.get(url).content.decode()
        assert "Où en est la BNM aujourd’hui" in html and "En 2026, la MEL prépare la suite du dispositif" in html, url


@pytest.mark.django_db
def test_demo_campaign_only_with_demo_option(frozen_today, client):
    load()
    assert not Campaign.objects.filter(is_demo=True).exists()
    load("--demo")
    load("--demo")
    demo = Campaign.objects.get(is_demo=True)
    assert demo.is_open() and demo.title.startswith("Démonstration")
    assert Campaign.objects.current() == demo
    for url in ("/", "/candidater/"):
        html = unescape(client.get(url).content.decode())
        assert "Démonstration – AMI" in html and "<strong>Démonstration</strong>\u202f: cet appel sert à essayer le site" in html, url
        assert "/candidater/commencer/" in html
    assert "<strong>Démonstration</strong>" in client.get("/candidater/commencer/").content.decode()
    # The production run after it neither removes nor adds a demo call.
    load()
    assert Campaign.objects.filter(is_demo=True).count() == 1


@pytest.mark.django_db
def test_edited_pages_are_kept(frozen_today):
    load()
    faq = FaqPage.objects.get()
    faq.title = "FAQ modifiée par l’équipe"
    faq.save_revision().publish()
    EventPage.objects.get(slug="connecteurs-2023").delete()
    campaign = Campaign.objects.get()
    campaign.title = "AMI 2022 (titre de l’équipe)"
    campaign.save()
    load()
    load("--update-untouched")
    assert FaqPage.objects.get().title == "FAQ modifiée par l’équipe"
    # A deleted seed page is created again (only what is missing).
    assert EventPage.objects.filter(slug="connecteurs-2023").count() == 1
    assert list(Campaign.objects.values_list("title", flat=True)) == ["AMI 2022 (titre de l’équipe)"]


@pytest.mark.django_db
def test_seed_milestones_with_the_precision_of_the_source(frozen_today):
    load()
    events = {e.slug: e for e in EventPage.objects.all()}
    for slug, label in [("preparation-marche-sigb-2022", "Année 2022"), ("mise-en-oeuvre-sigb-2023", "1er semestre 2023"),
                        ("connecteurs-2023", "2e semestre 2023"), ("livres-numeriques-2024", "Année 2024"),
                        ("marche-mediation-2023", "Année 2023"), ("conception-design-mediation-2023", "Année 2023"),
                        ("creation-outil-mediation-2024", "Année 2024"), ("activites-mediation-2024", "2e semestre 2024"),
                        ("activites-mediation-2025", "Année 2025"), ("ami-2022-dossier-de-candidature", "Juin 2022")]:
        assert events[slug].period_label == label and events[slug].group_label == label, slug
    assert events["connecteurs-2023"].when_display == "Prévu au 2e semestre 2023"
    assert events["livres-numeriques-2024"].when_display == "Prévu en 2024"
    assert not events["ami-2022-dossier-de-candidature"].is_provisional  # the dossier is dated June 2022


def _old_invented_content():
    """What earlier versions of the command created (the same slugs, titles and values)."""
    home = HomePage.objects.get()
    calendar = CalendarPage.objects.get()
    news = NewsIndexPage.objects.get()
    now = timezone.now()
    for slug, title in seed.INVENTED_EVENTS.items():
        calendar.add_child(instance=EventPage(
            slug=slug, title=title, category="pilotage", start_date=dt.date(2023, 6, 20), all_day=False,
            start_time=dt.time(14, 0), end_time=dt.time(16, 30), location="Métropole Européenne de Lille",
            first_published_at=now, last_published_at=now,
        ))
    for slug, title in seed.INVENTED_NEWS.items():
        news.add_child(instance=NewsPage(slug=slug, title=title, date=dt.date(2022, 3, 31), intro="Texte inventé.",
                                         first_published_at=now, last_published_at=now))
    Campaign.objects.create(**seed.INVENTED_CAMPAIGN)
    StandardPage.objects.get(slug="contact").delete()
    home.add_child(instance=StandardPage(slug="contact", title="Contact", footer_label="Contact",
                                         body="<p>bnm@lillemetropole.fr<br>Téléphone</p>"))


@pytest.mark.django_db
def test_update_untouched_removes_invented_content_no_editor_touched(frozen_today, client):
    load()
    _old_invented_content()
    edited = NewsPage.objects.get(slug="lancement-de-la-bnm")
    edited.intro = "Relu et corrigé par l’équipe."
    edited.save_revision().publish()
    load()  # without the option: nothing removed
    assert EventPage.objects.filter(slug="copil-2023").exists()
    load("--update-untouched")
    assert not EventPage.objects.filter(slug__in=list(seed.INVENTED_EVENTS)).exists()
    assert list(NewsPage.objects.values_list("slug", flat=True)) == ["lancement-de-la-bnm"]  # the edited one stays
    assert not Campaign.objects.filter(title=seed.INVENTED_CAMPAIGN["title"]).exists()
    assert "<br>" not in StandardPage.objects.get(slug="contact").body  # untouched seed page brought up to date
    assert not any(c.is_open() for c in Campaign.objects.all())


@pytest.mark.django_db
def test_update_untouched_keeps_an_invented_campaign_with_dossiers(frozen_today):
    from tests.ami.factories import make_dossier

    load()
    campaign = Campaign.objects.create(**seed.INVENTED_CAMPAIGN)
    make_dossier(campaign, libraries=1)
    load("--update-untouched")
    assert Campaign.objects.filter(pk=campaign.pk).exists()
    assert campaign.opens_at == dt.datetime(2026, 11, 1, 9, 0, tzinfo=PARIS)
