"""The MEL team's back-office in a real browser: a member of « Équipe BNM » logs in, reads the
« Tableau de bord » panel, opens « Suivi des communes » from it, filters and reminds a draft,
reads the « État des lieux » (charts beside their tables); extends the campaign for one commune
from the campaign's page and reads its journal; axe-core finds nothing on the dashboard, the
tracker, the report, the extension form with its errors nor the campaign page with its journal."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from .ami_helpers import only_campaign
from .helpers import assert_no_axe_violations

PARIS = ZoneInfo("Europe/Paris")

pytestmark = pytest.mark.e2e

PASSWORD = "motdepasse-equipe-42"


@pytest.fixture
def team_member(e2e_db):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from ami.backoffice.groups import TEAM_GROUP

    user = get_user_model().objects.create_user("equipe-bnm", "equipe@example.org", PASSWORD)
    user.groups.add(Group.objects.get(name=TEAM_GROUP))
    return user


def _log_in(page, user):
    page.goto(reverse("wagtailadmin_login"))
    page.locator("input[name=username]").fill(user.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(lambda url: url.endswith(reverse("wagtailadmin_home")))


def test_team_reads_the_dashboard_and_follows_the_communes(page, team_member):
    from tests.ami.factories import commune, make_dossier

    campaign = only_campaign()
    make_dossier(campaign, commune("Roubaix"), agent_email="agent@roubaix.fr")
    _log_in(page, team_member)

    panel = page.locator("section", has=page.get_by_role("heading", name="Tableau de bord de l’AMI"))
    expect(panel).to_contain_text("94 communes n’ont pas commencé leur candidature")
    assert_no_axe_violations(page, "the admin dashboard")

    panel.get_by_role("link", name="voir le suivi des communes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Suivi des communes")
    expect(page.locator("tbody tr[data-commune]")).to_have_count(94)
    page.get_by_role("link", name="Brouillon").click()
    expect(page.locator("tbody tr[data-commune]")).to_have_count(1)
    assert_no_axe_violations(page, "the communes tracker")

    page.get_by_role("button", name="Relancer Roubaix").click()
    expect(page.get_by_text("Relance envoyée à agent@roubaix.fr pour Roubaix")).to_be_visible()


def test_team_reads_the_state_of_play_report(page, team_member):
    from django.utils import timezone

    from ami.models import Dossier, Library
    from tests.ami.factories import commune, make_dossier

    campaign = only_campaign()
    rows = (("Roubaix", 1200, "Decalog"), ("Lille", 800, "BiblixNet"), ("Croix", 400, "Decalog"))
    for index, (name, surface, vendor) in enumerate(rows):
        dossier = make_dossier(campaign, commune(name), libraries=0, status=Dossier.Status.SUBMITTED,
                               receipt_number=f"BNM-2027-{index + 1:04d}", submitted_at=timezone.now(), version=1,
                               engagement_sigb="oui", objective_public_service="+++", objective_networking="++",
                               objective_savings="+")
        Library.objects.create(dossier=dossier, surface_m2=surface, sigb_vendor=vendor, staff_category_a=1,
                               staff_category_b=2, staff_category_c=3, volunteers=4, has_rfid=True)
    _log_in(page, team_member)
    panel = page.locator("section", has=page.get_by_role("heading", name="Tableau de bord de l’AMI"))
    expect(panel).to_contain_text("Sans dossier\u202f: Allennes-les-Marais, Annœullin, Anstaing")
    expect(panel).to_contain_text("récépissé BNM-2027-0003")
    assert_no_axe_violations(page, "the admin dashboard with submitted dossiers")

    panel.get_by_role("link", name="Lire l’état des lieux des dossiers déposés").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("État des lieux")
    expect(page.locator("[data-total=dossiers]")).to_have_text("3")
    surface = page.get_by_role("row", name="Nombre de M² total")
    expect(surface).to_contain_text("2\u202f400")  # total, in French
    vendors = page.get_by_role("img", name="Prestataire SIGB", exact=False)
    expect(vendors).to_be_visible()
    expect(vendors).to_have_attribute("aria-label", "Diagramme en barres «\u00a0Prestataire SIGB\u00a0»\u202f: "
                                      "Decalog\u00a0: 2\u202f; BiblixNet\u00a0: 1.")
    assert_no_axe_violations(page, "the « État des lieux » report")


def test_team_lists_a_working_group_and_writes_to_it(page, team_member):
    from ami.models import OutboxEmail, WorkingGroup, WorkingGroupMember
    from tests.ami.factories import commune
    from tests.integration_fixtures import make_complete_dossier, submit_dossier_version

    campaign = only_campaign()
    group = WorkingGroup.objects.get(name="Groupe livres numériques")
    dossier = make_complete_dossier(campaign, communes=("Roubaix",), libraries=1, agent_email="agent@roubaix.fr")
    dossier.working_group_signups.all().delete()
    dossier.working_group_signups.create(group=group, agent_names="Lucas Martin")
    submit_dossier_version(dossier, receipt_number="BNM-E2E-0001")
    WorkingGroupMember.objects.create(group=group, name="Alice Durand", commune=commune("Hem"))

    _log_in(page, team_member)
    page.goto(reverse("ami_workinggroup_modeladmin_index"))
    page.get_by_role("link", name="Membres et réunions du Groupe livres numériques").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Membres – Groupe livres numériques")
    members = page.locator("table[aria-labelledby=membres-titre] tbody tr")
    expect(members).to_have_count(2)
    expect(members.nth(0)).to_contain_text("dossier BNM-E2E-0001")
    expect(members.nth(1)).to_contain_text("ajouté par l’équipe")
    assert_no_axe_violations(page, "a working group's members page")

    page.get_by_role("link", name="Écrire au groupe").click()
    expect(page.get_by_text("Alice Durand (Hem, ajouté par l’équipe)")).to_be_visible()
    assert_no_axe_violations(page, "« Écrire au groupe »")
    page.get_by_label("Objet").fill("Première réunion")
    page.get_by_label("Message").fill("Bonjour,\nla première réunion aura lieu en janvier.")
    page.get_by_role("button", name="Envoyer au groupe").click()
    expect(page.get_by_text("Message envoyé à 1 adresse")).to_be_visible()
    expect(page.get_by_text("Non joint (sans adresse e-mail)")).to_be_visible()
    assert list(OutboxEmail.objects.values_list("to", flat=True)) == [["agent@roubaix.fr"]]


def test_team_extends_the_campaign_for_one_commune_and_reads_the_journal(page, team_member):
    from ami.pdf import paris_datetime_label

    campaign = only_campaign()
    _log_in(page, team_member)
    page.goto(reverse("ami_campaign_modeladmin_index"))
    page.get_by_role("link", name="Calendrier et journal").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Calendrier et journal")
    expect(page.get_by_text("Aucun changement enregistré.")).to_be_visible()

    page.get_by_role("link", name="Prolonger pour une commune").click()
    page.locator("#id_commune").select_option(label="Lille")
    page.get_by_label("Nouvelle date limite pour cette commune (heure de Paris)").fill("2020-01-01T12:00")
    page.get_by_role("button", name="Accorder la prolongation").click()
    summary = page.locator("#campaign-error-summary")
    expect(summary).to_contain_text("La prolongation doit finir après la date limite de la campagne")
    expect(summary).to_contain_text("Indiquez le motif de la prolongation.")
    assert_no_axe_violations(page, "the extension form with its errors")

    later = campaign.closes_at + dt.timedelta(days=10)
    page.get_by_label("Nouvelle date limite pour cette commune (heure de Paris)").fill(
        later.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_label("Motif").fill("Conseil municipal reporté")
    page.get_by_role("button", name="Accorder la prolongation").click()
    expect(page.get_by_text("le dossier de Lille reste modifiable jusqu’au")).to_be_visible()
    row = page.locator("tr[data-event=extension_granted]")
    expect(row).to_contain_text("Prolongation accordée à une commune\u202f: Lille")
    expect(row).to_contain_text(f"Date limite\u202f: — → {paris_datetime_label(later.replace(second=0, microsecond=0))}")
    expect(page.locator("tr[data-extension]")).to_contain_text("Conseil municipal reporté")
    # Wagtail's message fades in from a lighter green: check the colours it settles on.
    page.wait_for_function("getComputedStyle(document.querySelector('.messages > ul')).opacity === '1'")
    assert_no_axe_violations(page, "the campaign page with its journal")

    page.get_by_role("link", name="Clôturer maintenant").click()
    expect(page.get_by_text("Ces prolongations restent valables")).to_be_visible()
    assert_no_axe_violations(page, "the close confirmation")
