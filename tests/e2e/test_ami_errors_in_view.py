"""The AMI's errors, tried as a referent would (issue 8, part 8), with and without JavaScript:

- with two libraries, every error about one library names it (« Médiathèque X – … », or
  « Bibliothèque 2 – … » while it has no name), in the summary and at the field;
- a link of the error summary or of the recap brings the field into view with its label and
  its message (not under the top edge);
- the recap's link to a missing answer opens the step with the message at that field;
- a refused submission is answered by a redirect to the recap (a reload sends no POST).
Every state passes axe-core with zero violations.
"""
import re

import pytest
from playwright.sync_api import expect

from ami.models import Library
from tests.ami.factories import commune, complete_dossier, complete_library, make_dossier

from .ami_helpers import axe, expect_error_state, expect_step, only_campaign, open_dossier, save, step_path

pytestmark = pytest.mark.e2e

FIRST = "Médiathèque La Grand-Plage"
MOBILE = {"width": 375, "height": 812}
MISSING_AT_FIELD = "Cette réponse manque pour déposer le dossier."


def dossier_with_two_libraries(**second_missing):
    """A complete dossier of Roubaix whose second library has no name yet, with `second_missing`
    answers emptied (they are then missing for the submission)."""
    campaign = only_campaign()
    dossier = complete_dossier(make_dossier(campaign, commune("Roubaix")))
    first = complete_library(dossier.libraries.get(), name=FIRST)
    second = complete_library(Library.objects.create(dossier=dossier, sort_order=1), name="")
    if second_missing:
        Library.objects.filter(pk=second.pk).update(**second_missing)
    return dossier, first, second


FIELD_IN_VIEW = """(id) => {
    const control = document.getElementById(id);
    const field = control.closest('.field');
    const parts = {label: field.querySelector('.field__label, legend, label'),
                   message: field.querySelector('.field__error'), control: control};
    const out = {height: window.innerHeight, problems: []};
    for (const [name, el] of Object.entries(parts)) {
        const r = el.getBoundingClientRect();
        out[name] = [Math.round(r.top), Math.round(r.bottom)];
        if (r.top < 0 || r.bottom > window.innerHeight) { out.problems.push(name + ' out of view'); continue; }
        const hit = document.elementFromPoint(r.left + Math.min(8, r.width / 2), r.top + r.height / 2);
        if (!(hit && (el === hit || el.contains(hit) || hit.contains(el)))) { out.problems.push(name + ' covered'); }
    }
    return out;
}"""


def expect_field_in_view(page, control_id: str) -> None:
    """The field of `control_id` is on screen with its label (or legend) and its message, neither
    cut by the top or bottom edge nor covered by anything (a sticky header). Waits for a smooth
    scroll to end."""
    if getattr(page, "javascript_disabled", False):  # cannot be polled: nojs_page_still scrolls at once
        seen = page.evaluate(FIELD_IN_VIEW, control_id)
        assert not seen["problems"], f"#{control_id} not shown with its label and message: {seen}"
        return
    try:
        page.wait_for_function(f"(id) => ({FIELD_IN_VIEW})(id).problems.length === 0", arg=control_id, timeout=5_000)
    except Exception:  # noqa: BLE001 - say what is wrong
        seen = page.evaluate(FIELD_IN_VIEW, control_id)
        raise AssertionError(f"#{control_id} not shown with its label and message: {seen}") from None


def test_two_libraries_errors_name_each_library_and_links_show_the_field(page):
    dossier, first, second = dossier_with_two_libraries()
    open_dossier(page, dossier)
    page.goto(step_path(dossier, "bibliotheques"))
    expect_step(page, 2, "Bibliothèque(s)")
    sections = page.locator("section.library")
    expect(sections.nth(1).get_by_role("heading", level=2)).to_have_text("Bibliothèque 2")
    sections.nth(0).get_by_label("Nombre de bénévoles", exact=True).fill("abc")
    sections.nth(1).get_by_label("Nombre de bénévoles", exact=True).fill("-3")
    save(page)
    first_id, second_id = f"id_bib{first.pk}-volunteers", f"id_bib{second.pk}-volunteers"
    expect_error_state(page, "step 2, two libraries", [first_id, second_id])
    summary = page.locator(".error-summary")
    expect(summary.locator(f'a[href="#{first_id}"]')).to_have_text(
        f"{FIRST} – Nombre de bénévoles : Saisissez un nombre entier positif ou nul.")
    expect(summary.locator(f'a[href="#{second_id}"]')).to_contain_text("Bibliothèque 2 – Nombre de bénévoles : ")
    expect(page.locator(f"#{first_id}-error")).to_contain_text(f"{FIRST} – Saisissez un nombre entier")
    expect(page.locator(f"#{second_id}-error")).to_contain_text("Bibliothèque 2 – ")

    # The summary's link: the field in view, label and message included, the focus in it.
    summary.locator(f'a[href="#{second_id}"]').click()
    expect(page.locator(f"#{second_id}")).to_be_focused()
    expect_field_in_view(page, second_id)
    page.set_viewport_size(MOBILE)
    page.evaluate("window.scrollTo(0, 0)")
    summary.locator(f'a[href="#{first_id}"]').click()
    expect(page.locator(f"#{first_id}")).to_be_focused()
    expect_field_in_view(page, first_id)
    axe(page, "step 2 errors at 375 px")


@pytest.fixture
def nojs_page_still(nojs_page):
    """A page without JavaScript that scrolls at once (reduced motion): where a link leads is where
    the page is when the navigation ends (a page without scripts cannot be polled)."""
    nojs_page.emulate_media(reduced_motion="reduce")
    return nojs_page


@pytest.mark.parametrize("width", [1280, 375])
def test_without_javascript_a_summary_link_shows_the_label_and_message(nojs_page_still, width):
    dossier, first, second = dossier_with_two_libraries()
    page = nojs_page_still
    page.set_viewport_size({"width": width, "height": 900 if width > 400 else 812})
    open_dossier(page, dossier)
    page.goto(step_path(dossier, "bibliotheques"))
    control = f"id_bib{second.pk}-active_members"  # a label and a help text above the box
    page.locator(f"#{control}").fill("beaucoup")
    save(page)
    link = page.locator(f'.error-summary a[href="#{control}"]')
    expect(link).to_contain_text("Bibliothèque 2 – Nombre d'inscrits actifs : ")
    link.click()
    expect(page).to_have_url(re.compile(f"#{control}$"))
    expect_field_in_view(page, control)


def test_recap_link_opens_the_step_with_the_message_at_the_field(page):
    dossier, first, second = dossier_with_two_libraries(volunteers=None, active_members=None)
    open_dossier(page, dossier)
    page.goto(step_path(dossier, "recapitulatif"))
    missing = page.locator(".missing")
    expect(missing.get_by_role("link", name="Bibliothèque 2 – Nombre de bénévoles", exact=True)).to_be_visible()
    expect(missing.get_by_role("link", name=re.compile(FIRST))).to_have_count(0)
    page.set_viewport_size(MOBILE)
    with page.expect_navigation():
        missing.get_by_role("link", name="Bibliothèque 2 – Nombre d'inscrits actifs", exact=True).click()
    control = f"id_bib{second.pk}-active_members"
    assert page.url.endswith(f"?manquantes=1#{control}")
    expect_step(page, 2, "Bibliothèque(s)")
    summary = page.locator(".error-summary[role=alert]")
    # The name, the volunteers and the active members of the second library.
    expect(summary).to_contain_text("Il manque 3 réponses à cette étape pour pouvoir déposer le dossier.")
    expect(summary.locator(f'a[href="#{control}"]')).to_have_text(
        f"Bibliothèque 2 – Nombre d'inscrits actifs : {MISSING_AT_FIELD}")
    expect(page.locator(f"#{control}-error")).to_have_text(f"Erreur : Bibliothèque 2 – {MISSING_AT_FIELD}")
    expect(page.locator(f"#{control}")).to_have_attribute("aria-invalid", "true")
    # Arrived at the field: the focus is in it (not on the summary), its label and message in view.
    expect(page.locator(f"#{control}")).to_be_focused()
    expect_field_in_view(page, control)
    axe(page, "step 2 reached from the recap (missing answers marked)")


def test_recap_link_without_javascript(nojs_page_still):
    dossier, _, second = dossier_with_two_libraries(volunteers=None)
    page = nojs_page_still
    page.set_viewport_size(MOBILE)
    open_dossier(page, dossier)
    page.goto(step_path(dossier, "recapitulatif"))
    with page.expect_navigation():
        page.locator(".missing").get_by_role("link", name="Bibliothèque 2 – Nombre de bénévoles", exact=True).click()
    control = f"id_bib{second.pk}-volunteers"
    expect(page.locator(f"#{control}-error")).to_have_text(f"Erreur : Bibliothèque 2 – {MISSING_AT_FIELD}")
    expect_field_in_view(page, control)


def test_refused_submission_redirects_to_the_recap_and_a_reload_sends_nothing(page):
    dossier, _, _ = dossier_with_two_libraries(volunteers=None)
    open_dossier(page, dossier)
    page.goto(step_path(dossier, "recapitulatif"))
    documents = []
    page.on("request", lambda r: documents.append((r.method, r.url)) if r.resource_type == "document" else None)
    with page.expect_navigation():
        page.get_by_role("button", name="Déposer ma candidature").click()
    assert [method for method, _ in documents] == ["POST", "GET"], documents  # POST, redirect, GET
    assert page.url.endswith(step_path(dossier, "recapitulatif"))
    refusal = page.locator(".error-summary[role=alert]")
    expect(refusal).to_contain_text("Action refusée")
    expect(refusal).to_contain_text("Le dossier est incomplet")
    expect(page.locator(".missing")).to_contain_text("Bibliothèque 2 – Nombre de bénévoles")
    axe(page, "recap after a refused submission")
    documents.clear()
    page.reload()
    assert [method for method, _ in documents] == ["GET"], documents
    expect(page.locator(".missing")).to_contain_text("Bibliothèque 2 – Nombre de bénévoles")
    expect(page.get_by_text("Action refusée")).to_have_count(0)
