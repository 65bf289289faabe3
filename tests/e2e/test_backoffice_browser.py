"""The MEL team's back-office in a real browser: a member of « Équipe BNM » logs in, reads the
« Tableau de bord » panel, opens « Suivi des communes » from it, filters and reminds a draft;
axe-core finds nothing on the dashboard nor on the tracker."""
import pytest
from django.urls import reverse
from playwright.sync_api import expect

from .ami_helpers import only_campaign
from .helpers import assert_no_axe_violations

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


def test_team_reads_the_dashboard_and_follows_the_communes(page, team_member):
    from tests.ami.factories import commune, make_dossier

    campaign = only_campaign()
    make_dossier(campaign, commune("Roubaix"), agent_email="agent@roubaix.fr")
    page.goto(reverse("wagtailadmin_login"))
    page.locator("input[name=username]").fill(team_member.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(lambda url: url.endswith(reverse("wagtailadmin_home")))

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
