"""The dossier with the keyboard only, with its JavaScript enhancements, and without JavaScript.

(a) Keyboard: from /candidater/ a referent reaches « Commencer », creates the dossier and saves
    a step using only Tab, arrows, Space, typing and Enter; the focused control is visibly marked.
(b) JavaScript: autosave a few seconds after a change (no click), add / remove a library
    without reloading the page, live count of the ticked objectives.
(c) JavaScript disabled: the same actions work through the submit buttons.
"""
import re

import pytest
from playwright.sync_api import expect

from ami.models import Dossier, Library
from tests.ami.factories import commune, make_dossier

from .ami_helpers import expect_saved, expect_step, h1, only_campaign, open_dossier, step_path
from .helpers import focus_by_tabbing, focused_outline_visible

pytestmark = pytest.mark.e2e

PROJECT_LABEL = "Comment intégrez-vous la Bibliothèque Numérique Métropolitaine (BNM) dans votre projet communal ?"


def focused(page) -> str:
    return page.evaluate("() => document.activeElement.outerHTML.slice(0, 160)")


def test_keyboard_only_start_a_dossier_and_save_a_step(page):
    only_campaign()
    page.goto("/candidater/")

    focus_by_tabbing(page, "return el.tagName === 'A' && el.textContent.trim() === 'Commencer';",
                     description="the « Commencer » link")
    assert focused_outline_visible(page), f"no visible focus on {focused(page)}"
    page.keyboard.press("Enter")
    expect(h1(page)).to_have_text("Commencer un dossier de candidature")

    # Commune: a native select, chosen by typing its name.
    focus_by_tabbing(page, "return el.id === 'id_commune';", description="the commune select")
    assert focused_outline_visible(page), f"no visible focus on {focused(page)}"
    page.keyboard.type("Roubaix")
    expect(page.locator("#id_commune option:checked")).to_have_text("Roubaix")
    # Network: Tab enters the radio group, Space ticks OUI, the arrow moves to NON.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.name") == "is_network"
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("radio", name="NON")).to_be_checked()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "id_agent_email"
    page.keyboard.type("agent.clavier@example.fr")
    focus_by_tabbing(page, "return el.tagName === 'BUTTON' && el.textContent.trim() === 'Créer le dossier';",
                     description="the « Créer le dossier » button")
    assert focused_outline_visible(page), f"no visible focus on {focused(page)}"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect_step(page, 1, "Commune et référents")
    dossier = Dossier.objects.get(commune__name="Roubaix")
    assert dossier.is_network is False and dossier.agent_email == "agent.clavier@example.fr"

    # Move to step 3 through the progress list, type, save with the « Enregistrer » button.
    focus_by_tabbing(page, "return el.tagName === 'A' && el.textContent.includes('Projet communal');",
                     description="the step 3 link of the progress list")
    assert focused_outline_visible(page), f"no visible focus on {focused(page)}"
    page.keyboard.press("Enter")
    expect_step(page, 3, "Projet communal")
    focus_by_tabbing(page, "return el.id === 'id_project_statement';", description="the project textarea")
    page.keyboard.type("Saisi au clavier.")
    focus_by_tabbing(page, "return el.tagName === 'BUTTON' && el.textContent.trim() === 'Enregistrer' "
                           "&& el.tabIndex >= 0;", description="the « Enregistrer » button")
    assert focused_outline_visible(page), f"no visible focus on {focused(page)}"
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect_saved(page)
    expect(page.get_by_label(PROJECT_LABEL, exact=True)).to_have_value("Saisi au clavier.")
    dossier.refresh_from_db()
    assert dossier.project_statement == "Saisi au clavier."


@pytest.fixture
def opened(page):
    """A draft dossier (one library) opened in ``page`` through its private link."""
    campaign = only_campaign()
    dossier = make_dossier(campaign, commune("Lille"))
    open_dossier(page, dossier)
    return dossier


def track_navigations(page) -> list[str]:
    navigations = []
    page.on("framenavigated", lambda frame: frame == page.main_frame and navigations.append(frame.url))
    return navigations


def test_autosave_saves_a_changed_field_without_clicking(page, opened, request_guard):
    page.goto(step_path(opened, "projet"))
    navigations = track_navigations(page)
    page.get_by_label(PROJECT_LABEL, exact=True).fill("Enregistré tout seul, sans cliquer.")
    status = page.locator("[data-autosave-status]")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_have_text(re.compile(r"^Enregistré à \d{1,2} h \d{2}$"), timeout=10_000)
    assert navigations == [], "autosave must not reload the page"
    opened.refresh_from_db()
    assert opened.project_statement == "Enregistré tout seul, sans cliquer."
    page.reload()
    expect(page.get_by_label(PROJECT_LABEL, exact=True)).to_have_value("Enregistré tout seul, sans cliquer.")

    # A wrong value is not saved and the status says so (the saved value stays).
    page.goto(step_path(opened, "bibliotheques"))
    page.get_by_label("Nombre de bénévoles", exact=True).fill("beaucoup")
    expect(page.locator("[data-autosave-status]")).to_contain_text("Non enregistré : 1 réponse à corriger",
                                                                     timeout=10_000)
    assert Library.objects.get(dossier=opened).volunteers is None
    # That refusal is a 422 answer to the autosave request: expected here, so not a broken resource.
    assert [r.split(" ", 2)[:2] for r in request_guard.broken_resources] == [["422", "fetch"]]
    request_guard.broken_resources.clear()


def test_an_autosave_in_flight_never_overwrites_a_later_save(page, opened):
    """The user types, an autosave leaves, the user types again and clicks « Enregistrer »
    before that autosave answers: the page waits for it, so the last words typed are kept."""
    page.goto(step_path(opened, "projet"))
    held = []
    page.route(
        "**" + step_path(opened, "projet"),
        lambda route: held.append(route) if route.request.headers.get("x-requested-with") == "fetch"
        else route.continue_(),
    )
    field = page.get_by_label(PROJECT_LABEL, exact=True)
    field.fill("Première version, envoyée par l’enregistrement automatique.")
    page.wait_for_timeout(100)
    deadline = 10_000
    while not held and deadline > 0:  # the autosave request leaves after a few seconds
        page.wait_for_timeout(200)
        deadline -= 200
    assert held, "the autosave request should have been sent"
    field.fill("Version finale, enregistrée par le bouton.")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_timeout(500)  # the button's save waits for the autosave still in flight
    assert "Version finale" not in (Dossier.objects.get(pk=opened.pk).project_statement or "")
    # The slow autosave reaches the server only now (even if the page has moved on, a request
    # already sent is processed by the server), then answers the page if it still waits.
    slow = held.pop()
    answer = slow.fetch()
    with page.expect_navigation(timeout=10_000):  # the save of the button, after the autosave
        slow.fulfill(response=answer)
    page.unroute("**" + step_path(opened, "projet"))
    page.goto(step_path(opened, "projet"))
    expect(page.get_by_label(PROJECT_LABEL, exact=True)).to_have_value("Version finale, enregistrée par le bouton.")
    opened.refresh_from_db()
    assert opened.project_statement == "Version finale, enregistrée par le bouton."


def test_libraries_added_and_removed_without_reload(page, opened):
    page.goto(step_path(opened, "bibliotheques"))
    navigations = track_navigations(page)
    page.get_by_label("Nom de l'établissement", exact=True).fill("Médiathèque Jean Lévy")

    page.get_by_role("button", name="Ajouter une bibliothèque").click()
    sections = page.locator("section.library")
    expect(sections).to_have_count(2)
    added = Library.objects.filter(dossier=opened).order_by("sort_order").last()
    expect(page.locator(f"#bib{added.pk}")).to_be_focused()
    expect(page.locator("[data-autosave-status]")).to_have_text(re.compile(r"^Enregistré à "))
    # The first library's answer was saved with the action.
    assert Library.objects.filter(dossier=opened, name="Médiathèque Jean Lévy").count() == 1

    # Removing asks for confirmation: cancelled, nothing changes.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Retirer la bibliothèque 2").click()
    expect(sections).to_have_count(2)
    assert Library.objects.filter(dossier=opened).count() == 2
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Retirer la bibliothèque 2").click()
    expect(sections).to_have_count(1)
    expect(page.get_by_role("button", name=re.compile("^Retirer"))).to_have_count(0)
    assert list(Library.objects.filter(dossier=opened).values_list("name", flat=True)) == ["Médiathèque Jean Lévy"]
    assert navigations == [], f"the page was reloaded: {navigations}"


def test_live_count_of_the_ticked_objectives(page, opened):
    page.goto(step_path(opened, "objectifs"))
    count = page.locator("[data-objectives-count]")
    expect(count).to_have_text("0 objectif coché sur 3")
    expect(count).to_have_attribute("aria-live", "polite")

    def tick(objective, level):
        page.get_by_role("group", name=objective, exact=True).get_by_label(level, exact=True).check()

    tick("Proposer un meilleur service de lecture publique à la population", "+++")
    expect(count).to_have_text("1 objectif coché sur 3")
    tick("Moderniser la bibliothèque et ses services", "++")
    expect(count).to_have_text("2 objectifs cochés sur 3")
    tick("Développer une offre documentaire plus variée", "+")
    expect(count).to_have_text("3 objectifs cochés sur 3")
    tick("Moderniser la bibliothèque et ses services", "non retenu")
    expect(count).to_have_text("2 objectifs cochés sur 3")


def test_without_javascript_steps_save_and_libraries_are_added_by_submit_buttons(nojs_page):
    page = nojs_page
    campaign = only_campaign()
    dossier = make_dossier(campaign, commune("Tourcoing"))
    open_dossier(page, dossier)

    page.goto(step_path(dossier, "projet"))
    page.get_by_label(PROJECT_LABEL, exact=True).fill("Sans JavaScript.")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect_saved(page)
    expect(page.get_by_label(PROJECT_LABEL, exact=True)).to_have_value("Sans JavaScript.")

    page.goto(step_path(dossier, "bibliotheques"))
    page.get_by_label("Nom de l'établissement", exact=True).fill("Médiathèque André Malraux")
    with page.expect_navigation():
        page.get_by_role("button", name="Ajouter une bibliothèque").click()
    expect_step(page, 2, "Bibliothèque(s)")
    sections = page.locator("section.library")
    expect(sections).to_have_count(2)
    added = Library.objects.filter(dossier=dossier).order_by("sort_order").last()
    assert page.url.endswith(f"#bib{added.pk}")
    expect(sections.nth(0).get_by_role("heading", level=2)).to_have_text("Bibliothèque 1 : Médiathèque André Malraux")

    with page.expect_navigation():
        page.get_by_role("button", name="Retirer la bibliothèque 2").click()
    expect(page.locator("section.library")).to_have_count(1)
    dossier.refresh_from_db()
    assert dossier.project_statement == "Sans JavaScript."
    assert list(dossier.libraries.values_list("name", flat=True)) == ["Médiathèque André Malraux"]
