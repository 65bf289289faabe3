"""`load_bnm_content` builds the tree once and never touches existing pages."""
import pytest
from django.core.management import call_command
from wagtail.models import Page, Revision, Site

from ami.models import Campaign
from faq.models import FaqPage
from home.models import EventPage, HomePage, NewsPage


def snapshot():
    pages = [
        (p.url_path, type(p).__name__, p.title, p.live, p.latest_revision_id)
        for p in Page.objects.order_by("path").specific()
    ]
    return pages, Revision.objects.count(), list(Campaign.objects.values_list("pk", "title", "opens_at", "closes_at"))


def load():
    call_command("load_bnm_content", stdout=open("/dev/null", "w"))


@pytest.mark.django_db
def test_running_twice_changes_nothing(frozen_today):
    load()
    first = snapshot()
    load()
    assert snapshot() == first
    pages = first[0]
    assert len(pages) > 30
    # Wagtail's « Welcome » page is replaced by the BNM home page.
    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)
    assert not Page.objects.filter(depth=2).exclude(pk=site.root_page_id).exists()
    urls = {p.url for p in Page.objects.filter(depth__gte=2)}
    for path in ["/", "/la-bnm/", "/faq/", "/calendrier/", "/actualites/", "/mentions-legales/",
                 "/donnees-personnelles/", "/accessibilite/", "/contact/"]:
        assert path in urls


@pytest.mark.django_db
def test_edited_pages_are_kept(frozen_today):
    load()
    faq = FaqPage.objects.get()
    faq.title = "FAQ modifiée par l’équipe"
    faq.save_revision().publish()
    NewsPage.objects.get(slug="lancement-de-la-bnm").delete()
    load()
    assert FaqPage.objects.get().title == "FAQ modifiée par l’équipe"
    # A deleted seed page is created again (only what is missing).
    assert NewsPage.objects.filter(slug="lancement-de-la-bnm").count() == 1


@pytest.mark.django_db
def test_demo_campaign_only_when_none_exists(frozen_today):
    load()
    campaign = Campaign.objects.get()
    assert campaign.title == "AMI Bibliothèque Numérique Métropolitaine"
    assert (campaign.statistics_year, campaign.first_engagement_year) == (2025, 2027)
    assert campaign.is_open()
    campaign.title = "AMI 2027"
    campaign.save()
    load()
    assert list(Campaign.objects.values_list("title", flat=True)) == ["AMI 2027"]


@pytest.mark.django_db
def test_seed_milestones_are_events(frozen_today):
    load()
    slugs = set(EventPage.objects.values_list("slug", flat=True))
    for year in (2023, 2024, 2025):
        assert f"copil-{year}" in slugs and f"comite-technique-{year}" in slugs
    for slug in ["preparation-marche-sigb-2022", "mise-en-oeuvre-sigb-2023", "connecteurs-2023", "livres-numeriques-2024",
                 "marche-mediation-2023", "conception-design-mediation-2023", "creation-outil-mediation-2024",
                 "activites-mediation-2024", "activites-mediation-2025"]:
        assert slug in slugs
    assert all(EventPage.objects.filter(slug__startswith="copil").values_list("is_provisional", flat=True))
