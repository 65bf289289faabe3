"""The public site in a real browser: every page loads, is accessible (axe-core, zero
violations), works with the keyboard and without JavaScript, and never calls another host
(the request guard of conftest.py fails any test whose page tries to)."""
import re

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from .helpers import assert_no_axe_violations, focus_by_tabbing, focused_outline_visible

pytestmark = pytest.mark.e2e

EVENT = "<first event of /calendrier/>"
NEWS = "<first news item of /actualites/>"

PUBLIC_PAGES = [
    ("accueil", "/", 200),
    ("la-bnm", "/la-bnm/", 200),
    ("faq", "/faq/", 200),
    ("calendrier", "/calendrier/", 200),
    ("evenement", EVENT, 200),
    ("actualites", "/actualites/", 200),
    ("actualite", NEWS, 200),
    ("mentions-legales", "/mentions-legales/", 200),
    ("donnees-personnelles", "/donnees-personnelles/", 200),
    ("accessibilite", "/accessibilite/", 200),
    ("contact", "/contact/", 200),
    ("recherche", "/recherche/?q=bnm", 200),
    ("recherche-faq", "/recherche/?q=d%C3%A9lib%C3%A9ration", 200),  # typed results, FAQ questions
    ("page-introuvable", "/cette-page-n-existe-pas/", 404),
    ("candidater", "/candidater/", 200),
    ("integration", "/integration/", 200),
]


def child_page_paths(parent_path: str) -> list[str]:
    """Public paths of the live children of the page served at ``parent_path``."""
    from wagtail.models import Page, Site

    site = Site.objects.get(is_default_site=True)
    root_path = site.root_page.url_path
    parent = Page.objects.get(url_path=root_path + parent_path.strip("/") + "/")
    children = parent.get_children().live().public().order_by("path")
    return ["/" + child.url_path[len(root_path):] for child in children]


def resolve(path: str) -> str:
    if path == EVENT:
        paths = child_page_paths("/calendrier/")
    elif path == NEWS:
        paths = child_page_paths("/actualites/")
    else:
        return path
    assert paths, f"load_bnm_content created no page for {path}"
    return paths[0]


def assert_skip_link_moves_focus_to_main(page):
    page.keyboard.press("Tab")
    first = page.evaluate(
        """() => {
            const el = document.activeElement, main = document.querySelector('main');
            return {tag: el.tagName, href: el.getAttribute('href'), text: el.textContent.trim(),
                    mainId: main && main.id};
        }"""
    )
    assert first["tag"] == "A" and first["mainId"] and first["href"] == f"#{first['mainId']}", (
        f"the first Tab stop must be a skip link to <main id=…>, got {first}"
    )
    skip_link = page.locator(f"a[href='#{first['mainId']}']").first
    box = skip_link.bounding_box()
    assert box and box["width"] > 1 and box["height"] > 1 and box["y"] >= 0, "focused skip link is not visible"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement === document.querySelector('main')"), (
        "activating the skip link does not move focus to <main> (needs tabindex=-1)"
    )


PHONE = {"width": 375, "height": 812}
WIDE = {"width": 1280, "height": 900}
HEADER_MAX_PX = 120


def menu_button(page):
    """The « Menu » button: the <summary> of the menu's <details> (a disclosure button for the
    browser and screen readers, which announce it expanded or collapsed)."""
    return page.locator("header summary", has_text="Menu")


def menu_is_open(page) -> bool:
    return page.locator("header details.site-menu").evaluate("d => d.open")


@pytest.mark.parametrize("width", [1280, 375], ids=["1280px", "375px"])
@pytest.mark.parametrize(("name", "path", "status"), PUBLIC_PAGES, ids=[p[0] for p in PUBLIC_PAGES])
def test_public_page_loads_and_is_accessible(page, bnm_content, name, path, status, width):
    page.set_viewport_size(PHONE if width == 375 else WIDE)
    response = page.goto(resolve(path))
    assert response.status == status
    assert page.locator("html").get_attribute("lang") == "fr"
    h1 = page.locator("h1")
    assert h1.count() == 1, f"expected exactly one <h1>, found {h1.all_inner_texts()}"
    assert h1.inner_text().strip()
    assert page.title().strip()
    assert_no_axe_violations(page, f"{name} at {width} px")
    if width == 375:
        header = page.locator("header").bounding_box()
        assert header["height"] <= HEADER_MAX_PX, f"the header takes {header['height']} px at 375 px"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
    assert_skip_link_moves_focus_to_main(page)


def test_faq_questions_open_with_the_keyboard(page, bnm_content):
    page.goto("/faq/")
    focus_by_tabbing(page, "return el.tagName === 'SUMMARY';", max_tabs=60, description="a FAQ question")
    first = page.locator("summary:focus")
    first_question = first.inner_text()
    details = page.locator("details:has(summary:focus)")
    assert details.get_attribute("open") is None
    page.keyboard.press("Enter")
    assert details.get_attribute("open") is not None
    assert details.locator(".faq-item__answer, summary ~ *").first.is_visible()

    # Next question: Space opens it, Space again closes it.
    focus_by_tabbing(
        page,
        f"return el.tagName === 'SUMMARY' && el.innerText !== {first_question!r};",
        max_tabs=20,
        description="the next FAQ question",
    )
    second = page.locator("details:has(summary:focus)")
    page.keyboard.press("Space")
    assert second.get_attribute("open") is not None
    page.keyboard.press("Space")
    assert second.get_attribute("open") is None
    assert_no_axe_violations(page, "FAQ with an open question")


def faq_anchors(page) -> list[str]:
    anchors = page.eval_on_selector_all(
        "main details", "els => els.map(d => d.id || (d.querySelector('[id]') || {}).id || '')"
    )
    assert len(anchors) >= 12, f"expected at least 12 questions, found {len(anchors)}"
    assert all(anchors), "every FAQ question needs its own anchor"
    assert len(set(anchors)) == len(anchors), "FAQ anchors must be unique"
    return anchors


def test_faq_question_anchor_opens_it(page, bnm_content):
    page.goto("/faq/")
    anchor = faq_anchors(page)[-1]  # the last one: far below the fold
    page.goto(f"/faq/#{anchor}")
    target = page.locator(f"[id='{anchor}']")
    question = page.locator(f"details:has([id='{anchor}']), details[id='{anchor}']").first
    expect(question, "the targeted question is not opened").to_have_attribute("open", "")
    expect(target, "the targeted question is not scrolled into view").to_be_in_viewport()


def test_faq_question_anchor_scrolls_to_it_without_javascript(nojs_page, bnm_content):
    page = nojs_page
    page.goto("/faq/")
    anchor = faq_anchors(page)[-1]
    page.goto(f"/faq/#{anchor}")
    expect(page.locator(f"[id='{anchor}']"), "the targeted question is not scrolled into view").to_be_in_viewport()


def listed_events(page, event_paths) -> set[str]:
    hrefs = page.eval_on_selector_all("main a[href]", "els => els.map(a => new URL(a.href).pathname)")
    return {h for h in hrefs if h in event_paths}


def test_calendar_category_filter_works_without_javascript(nojs_page, page, bnm_content):
    js_page, page = page, nojs_page
    event_paths = set(child_page_paths("/calendrier/"))
    page.goto("/calendrier/")
    all_events = listed_events(page, event_paths)
    assert all_events == event_paths, "the unfiltered calendar must list every event"

    select = page.get_by_label("Catégorie", exact=True)
    categories = [
        (o["value"], o["label"])
        for o in select.locator("option").evaluate_all("os => os.map(o => ({value: o.value, label: o.label}))")
        if o["value"]
    ]
    assert len(categories) >= 2
    seen = set()
    for value, label in categories:
        page.goto("/calendrier/")
        page.get_by_label("Catégorie", exact=True).select_option(value)
        with page.expect_navigation():
            page.get_by_role("button", name="Filtrer").click()
        assert re.search(rf"[?&]categorie={re.escape(value)}(&|$)", page.url), page.url
        shown = listed_events(page, event_paths)
        assert shown < all_events, f"filtering on « {label} » does not narrow the list"
        assert page.get_by_label("Catégorie", exact=True).input_value() == value
        assert not (shown & seen), f"events listed under two categories: {shown & seen}"
        seen |= shown
    assert seen == all_events, f"events in no category: {all_events - seen}"
    js_page.goto(page.url)
    assert_no_axe_violations(js_page, "calendar filtered by category")


def read_download(download) -> str:
    with open(download.path(), encoding="utf-8") as f:
        return f.read()


def test_ical_feed_link_downloads_every_event(page, bnm_content):
    page.goto("/calendrier/")
    link = page.locator("main a[href$='.ics']").first
    assert link.is_visible()
    with page.expect_download() as download_info:
        link.click()
    body = read_download(download_info.value)
    calendar = Calendar.from_ical(body)
    events = calendar.walk("VEVENT")
    assert len(events) == len(child_page_paths("/calendrier/"))
    assert all(str(e.get("UID", "")) for e in events)
    assert len({str(e["UID"]) for e in events}) == len(events), "UIDs must be unique"


def test_event_page_offers_its_own_ics(page, bnm_content):
    page.goto(child_page_paths("/calendrier/")[0])
    title = page.locator("h1").inner_text().strip().replace("\u202f", " ")  # the page sets French spaces
    link = page.locator("main a[href$='.ics']").first
    with page.expect_download() as download_info:
        link.click()
    events = Calendar.from_ical(read_download(download_info.value)).walk("VEVENT")
    assert len(events) == 1
    assert str(events[0]["SUMMARY"]).startswith(title)  # the feed may add « (prévisionnel) »


def test_home_call_to_action_is_reachable_with_the_keyboard(page, bnm_content):
    page.goto("/")
    focus_by_tabbing(
        page,
        "return el.tagName === 'A' && !!el.closest('main') && !!el.closest('.ami-cta') "
        "&& new URL(el.href).pathname.startsWith('/candidater/');",
        max_tabs=80,
        description="the AMI call-to-action link",
    )
    assert focused_outline_visible(page), "the focused call-to-action has no visible focus indicator"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.split("?")[0].rstrip("/").split("/", 3)[3].startswith("candidater")
    assert page.locator("h1").count() == 1


def test_search_result_leads_to_the_faq_question(page, bnm_content):
    page.goto("/recherche/?q=d%C3%A9lib%C3%A9ration")
    result = page.locator(".search-results > li", has=page.locator(".search-result__type", has_text="Question fréquente")).first
    link = result.locator(".search-result__link")
    question = link.inner_text().strip()
    anchor = link.get_attribute("href").split("#", 1)[1]
    assert "délibération" in question.lower()
    with page.expect_navigation():
        link.click()
    assert page.url.endswith(f"/faq/#{anchor}")
    target = page.locator(f"details[id='{anchor}']")
    expect(target, "the question the result named is not opened").to_have_attribute("open", "")
    expect(target, "the question the result named is not scrolled into view").to_be_in_viewport()
    assert target.locator("summary").inner_text().strip() == question


def test_phone_menu_is_a_button_that_opens_and_closes_with_the_keyboard(page, bnm_content):
    page.set_viewport_size(PHONE)
    page.goto("/calendrier/")
    nav = page.get_by_role("navigation", name="Menu principal")
    expect(menu_button(page)).to_be_visible()
    assert not menu_is_open(page)
    expect(nav).to_be_hidden()
    assert page.locator("header").bounding_box()["height"] <= HEADER_MAX_PX
    focus_by_tabbing(page, "return el.tagName === 'SUMMARY';", max_tabs=4, description="the « Menu » button")
    assert focused_outline_visible(page), "the focused « Menu » button shows no focus indicator"
    page.keyboard.press("Enter")
    assert menu_is_open(page)
    expect(nav.get_by_role("link", name="Calendrier")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("searchbox", name="Rechercher sur le site")).to_be_visible()
    assert_no_axe_violations(page, "phone menu open")
    # Tab goes into the menu; Escape closes it and gives the focus back to its button.
    page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('.site-menu__panel')")
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    assert page.evaluate("() => document.activeElement.tagName") == "SUMMARY"
    assert not menu_is_open(page)


def test_wide_screen_menu_is_open_and_lines_up_with_the_logo(page, bnm_content):
    page.goto("/faq/")
    expect(menu_button(page)).to_be_hidden()
    nav = page.get_by_role("navigation", name="Menu principal")
    expect(nav).to_be_visible()
    first_link = nav.get_by_role("link").first
    text_left = first_link.evaluate(
        "a => { const r = document.createRange(); r.selectNodeContents(a); return r.getBoundingClientRect().left; }"
    )
    logo_left = page.locator(".site-brand__logo").bounding_box()["x"]
    h1_left = page.locator("h1").bounding_box()["x"]
    assert abs(text_left - logo_left) <= 2 and abs(logo_left - h1_left) <= 2, (text_left, logo_left, h1_left)


def test_phone_menu_works_without_javascript(nojs_page, bnm_content):
    page = nojs_page
    page.set_viewport_size(PHONE)
    page.goto("/")
    nav = page.get_by_role("navigation", name="Menu principal")
    expect(nav).to_be_hidden()
    menu_button(page).click()
    expect(nav).to_be_visible()
    with page.expect_navigation():
        nav.get_by_role("link", name="Questions fréquentes").click()
    assert page.url.endswith("/faq/")
    expect(page.locator("h1")).to_have_text("Questions fréquentes")
    # The search of the menu works too.
    menu_button(page).click()
    page.get_by_role("searchbox", name="Rechercher sur le site").fill("logiciel")
    with page.expect_navigation():
        page.get_by_role("button", name="Rechercher", exact=True).click()
    assert "/recherche/?q=logiciel" in page.url


def test_wide_screen_menu_is_open_without_javascript(nojs_page, bnm_content):
    nojs_page.goto("/la-bnm/")
    expect(nojs_page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Calendrier")).to_be_visible()


def test_sommaire_comes_before_the_content_on_a_phone_and_beside_it_on_a_wide_screen(page, bnm_content):
    page.set_viewport_size(PHONE)
    page.goto("/la-bnm/")
    toc = page.get_by_role("navigation", name="Sommaire")
    first_section = page.locator("#contexte")
    toc_box, section_box = toc.bounding_box(), first_section.bounding_box()
    assert toc_box["y"] + toc_box["height"] <= section_box["y"], "the sommaire is not above the first section"
    assert toc_box["y"] < 2 * PHONE["height"], f"the sommaire starts {toc_box['y']} px down the page"
    # Numbered once: « 2. Trois nouveaux outils », then the tools with their own numbers, unnumbered.
    texts = toc.locator("li").evaluate_all(
        "lis => lis.map(li => getComputedStyle(li).listStyleType + '|' + li.querySelector('a').innerText)"
    )
    assert "none|1. Un logiciel de gestion de bibliothèque" in texts, texts
    assert "decimal|Trois nouveaux outils métropolitains" in texts, texts
    toc.get_by_role("link", name=re.compile("Des ressources en ligne")).click()
    expect(page.locator("#ressources-en-ligne")).to_be_in_viewport()

    page.set_viewport_size(WIDE)
    page.goto("/la-bnm/")
    toc_box, section_box = toc.bounding_box(), first_section.bounding_box()
    assert toc_box["x"] > section_box["x"] + section_box["width"], "on a wide screen the sommaire sits beside the content"


def test_french_typography_is_visible(page, bnm_content):
    page.goto("/la-bnm/")
    ordinal = page.locator("main sup", has_text="er").first
    expect(ordinal).to_be_visible()
    assert ordinal.evaluate("el => el.parentElement.innerText").find("1er semestre") >= 0
    text = page.locator("main").inner_text()
    assert "«\u202fà suivre...\u202f»" in text and "« à suivre" not in text
    page.goto("/faq/")
    question = page.locator("summary").filter(has_text="Qui signe le dossier").first.inner_text()
    assert question.endswith("\u202f?") and " ?" not in question
