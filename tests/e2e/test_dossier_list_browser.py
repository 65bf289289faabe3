"""The dossier list (AMI › Dossiers) in Chromium at 1280 px: no column clipped or running under the
filters, no word cut in the middle (Wagtail's listing breaks words anywhere: « Brouill/on »), the
filters and search work, and axe-core finds nothing."""
import pytest
from django.urls import reverse
from playwright.sync_api import expect

from .ami_helpers import only_campaign
from .helpers import assert_no_axe_violations

pytestmark = pytest.mark.e2e

PASSWORD = "motdepasse-equipe-42"

# Each run of letters or digits of the table's text must sit on one line (one client rect);
# cells must not be wider than their content box, nor the table reach the filters or the window's edge.
LAYOUT_PROBLEMS = """() => {
    const table = document.querySelector('.ami-dossier-list table.listing');
    const problems = [];
    for (const cell of table.querySelectorAll('th, td')) {
        if (cell.scrollWidth > cell.clientWidth + 1) problems.push('clipped: ' + cell.textContent.trim());
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (const match of node.data.matchAll(/[\\p{L}\\p{N}]+/gu)) {
                const range = document.createRange();
                range.setStart(node, match.index);
                range.setEnd(node, match.index + match[0].length);
                const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
                if (lines.size > 1) problems.push('word cut: ' + match[0]);
            }
        }
    }
    const right = table.getBoundingClientRect().right;
    const filters = document.querySelector('.changelist-filter');
    if (filters && right > filters.getBoundingClientRect().left + 1) problems.push('table under the filters');
    if (right > document.documentElement.clientWidth) problems.push('table wider than the window');
    return problems;
}"""


@pytest.fixture
def team_member(e2e_db):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from ami.backoffice.groups import TEAM_GROUP

    user = get_user_model().objects.create_user("equipe-bnm", "equipe@example.org", PASSWORD)
    user.groups.add(Group.objects.get(name=TEAM_GROUP))
    return user


def test_dossier_list_fits_at_1280_without_cutting_words(page, team_member):
    from tests.ami.factories import commune, make_dossier
    from tests.integration_fixtures import make_complete_dossier, submit_dossier_version

    campaign = only_campaign()
    network = make_complete_dossier(
        campaign, communes=("Villeneuve-d'Ascq", "Hallennes-lez-Haubourdin", "Marcq-en-Barœul", "Sainghin-en-Mélantois"),
        libraries=3, agent_email="marie-christine.delacroix-vandenbussche@villeneuvedascq.fr",
        agent_first_name="Marie-Christine", agent_last_name="Delacroix-Vandenbussche",
    )
    submit_dossier_version(network)
    make_complete_dossier(campaign, communes=("Tourcoing",), libraries=2)
    make_dossier(campaign, commune("Quesnoy-sur-Deûle"), libraries=1, agent_email="bibliotheque@quesnoy-sur-deule.fr")
    assert page.viewport_size["width"] == 1280

    page.goto(reverse("wagtailadmin_login"))
    page.locator("input[name=username]").fill(team_member.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(lambda url: url.endswith(reverse("wagtailadmin_home")))
    page.goto(reverse("ami_dossier_modeladmin_index"))

    rows = page.locator(".ami-dossier-list tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator(".ami-dossier-list thead")).to_contain_text("Agent référent")
    assert page.evaluate(LAYOUT_PROBLEMS) == []
    # The state is one line high: « Brouillon » is not cut.
    state = page.locator(".ami-list__state", has_text="Brouillon").first
    assert state.evaluate("(el) => el.getClientRects().length") == 1
    assert_no_axe_violations(page, "the dossier list")

    page.get_by_role("link", name="Déposé", exact=True).click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Villeneuve-d'Ascq")
    page.get_by_role("link", name="Dossier de réseau").click()
    expect(rows).to_have_count(1)

    page.goto(reverse("ami_dossier_modeladmin_index"))
    search = page.get_by_role("textbox", name="Rechercher un dossier par commune, référent, récépissé ou bibliothèque")
    search.fill("Sainghin")
    search.press("Enter")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Delacroix-Vandenbussche")
    assert page.evaluate(LAYOUT_PROBLEMS) == []

    search.fill("aucune-commune-de-ce-nom")
    search.press("Enter")
    expect(page.get_by_text("Aucun dossier ne correspond à ces filtres ou à cette recherche.")).to_be_visible()
    assert_no_axe_violations(page, "the empty dossier search")
