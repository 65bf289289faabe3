"""A member of the MEL team reviews a dossier in a real browser, by keyboard only (Tab, Enter,
typing; no click): logs in, puts the dossier in review, asks the commune to complete it (first
with the form left wrong: French errors, summary, axe 0), then takes it back and accepts it.
axe-core finds nothing on the inspect page, in its normal state nor in its error state."""
import datetime as dt

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from .ami_helpers import only_campaign
from .helpers import assert_no_axe_violations, focus_by_tabbing

pytestmark = pytest.mark.e2e

PASSWORD = "motdepasse-equipe-42"


@pytest.fixture
def team_member(e2e_db):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from ami.backoffice.groups import TEAM_GROUP

    user = get_user_model().objects.create_user("instructrice", "instructrice@example.org", PASSWORD,
                                                first_name="Inès", last_name="Instructrice")
    user.groups.add(Group.objects.get(name=TEAM_GROUP))
    return user


@pytest.fixture
def deposited(e2e_db):
    from ami.services.submission import submit_dossier
    from tests.ami.factories import commune, complete_dossier, make_dossier

    campaign = only_campaign()
    dossier = complete_dossier(make_dossier(campaign, commune("Roubaix"), libraries=2, agent_email="agent@roubaix.fr"))
    submit_dossier(dossier.pk)
    return dossier


def tab_to(page, predicate_js: str, description: str) -> None:
    focus_by_tabbing(page, predicate_js, max_tabs=400, description=description)


def tab_to_button(page, label: str) -> None:
    tab_to(page, f"return el.tagName === 'BUTTON' && el.textContent.trim() === {label!r};", f"the button « {label} »")


def press_enter_and_wait(page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_team_member_decides_a_dossier_by_keyboard_only(page, team_member, deposited):
    from ami.models import Dossier, OutboxEmail
    from home.dates import to_paris

    page.goto(reverse("wagtailadmin_login"))
    tab_to(page, "return el.name === 'username';", "the user name field")
    page.keyboard.type(team_member.username)
    tab_to(page, "return el.name === 'password';", "the password field")
    page.keyboard.type(PASSWORD)
    press_enter_and_wait(page)
    page.wait_for_url(lambda url: url.endswith(reverse("wagtailadmin_home")))

    page.goto(reverse("ami_dossier_modeladmin_inspect", args=[deposited.pk]))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dossier de Roubaix")
    expect(page.get_by_role("heading", name="Partie 1 – Volet 1 : état des lieux de la bibliothèque")).to_be_visible()
    assert_no_axe_violations(page, "the dossier inspect page")

    # 1. « Mettre en instruction »
    tab_to_button(page, "Mettre en instruction")
    press_enter_and_wait(page)
    expect(page.get_by_text("Le dossier de Roubaix est désormais « en instruction ».")).to_be_visible()

    # 2. « Demander des compléments » sent empty: errors next to the fields and in the summary.
    tab_to_button(page, "Demander des compléments")
    press_enter_and_wait(page)
    summary = page.get_by_role("alert").filter(has_text="erreurs empêchent d’enregistrer")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link", name="Message à la commune : Écrivez le message à la commune")).to_be_visible()
    expect(page.locator("#id_completer-due_at-error")).to_contain_text("Indiquez la date et l’heure limites")
    expect(page.locator("#id_completer-message")).to_have_attribute("aria-invalid", "true")
    assert_no_axe_violations(page, "the dossier inspect page with the completion form in error")
    assert Dossier.objects.get(pk=deposited.pk).status == Dossier.Status.IN_REVIEW

    # 3. The same form, typed right.
    tab_to(page, "return el.name === 'completer-message';", "the message field")
    page.keyboard.type("Merci de préciser le budget d’acquisition de la seconde bibliothèque.")
    tab_to(page, "return el.name === 'completer-due_at';", "the date field")
    # The date's segments follow the browser's own locale (day or month first): a day equal to its
    # month (12/12, 1/1…) types the same either way.
    today = to_paris(dt.datetime.now(dt.UTC)).date()
    day = next(d for d in (today + dt.timedelta(days=n) for n in range(2, 400)) if d.day == d.month)
    page.keyboard.type(day.strftime("%d%m%Y"))
    page.keyboard.press("Tab")
    page.keyboard.type("1830")
    tab_to_button(page, "Demander des compléments")
    press_enter_and_wait(page)
    expect(page.get_by_text("Le dossier de Roubaix est désormais « à compléter ».")).to_be_visible()
    dossier = Dossier.objects.get(pk=deposited.pk)
    assert dossier.status == Dossier.Status.TO_COMPLETE
    local = to_paris(dossier.completion_due_at)
    assert (local.date(), local.hour, local.minute) == (day, 18, 30)
    expect(page.locator("#historique")).to_contain_text("Merci de préciser le budget d’acquisition")

    # 4. Back in review without waiting, then accepted with a message.
    tab_to_button(page, "Reprendre l’instruction sans attendre les compléments")
    press_enter_and_wait(page)
    tab_to(page, "return el.name === 'decision-message';", "the decision message field")
    page.keyboard.type("Bienvenue dans la Bibliothèque Numérique Métropolitaine.")
    tab_to_button(page, "Retenir le dossier")
    press_enter_and_wait(page)
    expect(page.get_by_text("Le dossier de Roubaix est désormais « retenu ».")).to_be_visible()
    expect(page.locator("#decision")).to_contain_text("État actuel : retenu")

    assert Dossier.objects.get(pk=deposited.pk).status == Dossier.Status.ACCEPTED
    emails = list(OutboxEmail.objects.filter(dossier=deposited, key__startswith="review:").order_by("pk"))
    assert [("compléter" in e.subject, "retenue" in e.subject) for e in emails] == [(True, False), (False, True)]
    assert "Bienvenue dans la Bibliothèque Numérique Métropolitaine." in emails[1].body
    # Wagtail's message fades in from a lighter green: check the colours it settles on.
    page.wait_for_function("getComputedStyle(document.querySelector('.messages > ul')).opacity === '1'")
    assert_no_axe_violations(page, "the dossier inspect page of a decided dossier")
