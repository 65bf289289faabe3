"""What a reader sees of the site's look: the sommaire, the menu's links, French typography on the
pages, the tools' pictograms and the funders' block."""
import re

import pytest
from django.urls import reverse
from wagtail.models import Site

from core.typography import NNBSP
from home.models import BnmSettings


def header(html):
    return html.split("<header", 1)[1].split("</header>", 1)[0]


@pytest.mark.django_db
def test_sommaire_numbers_each_entry_once_and_comes_before_the_content(content, client):
    html = client.get("/la-bnm/").content.decode()
    toc = html.split('aria-labelledby="toc-title"', 1)[1].split("</nav>", 1)[0]
    numbered = re.findall(r'<ol class="toc__list">(.*)</ol>', toc, re.S)[0]
    # The tools keep their own number (« 1. Un logiciel… ») in an unnumbered sub-list of « Trois nouveaux outils ».
    tools = re.findall(r'<ul class="toc__sub">(.*?)</ul>', numbered, re.S)
    assert len(tools) == 1
    assert re.findall(r'href="#([a-z-]+)"', tools[0]) == ["logiciel-de-gestion", "ressources-en-ligne", "mediation-numerique"]
    top_level = re.sub(r'<ul class="toc__sub">.*?</ul>', "", numbered, flags=re.S)
    titles = re.findall(r">([^<>]+)</a>", top_level)
    assert titles[1] == "Trois nouveaux outils métropolitains"
    assert not any(re.match(r"\d+\.", title) for title in titles), titles
    # In the page's order, the sommaire comes before the first section (a phone shows it first).
    assert html.index('aria-labelledby="toc-title"') < html.index('id="contexte"') < html.index('id="logiciel-de-gestion"')


@pytest.mark.django_db
def test_header_links_are_reversed_and_the_menu_is_a_disclosure(content, client):
    html = client.get("/faq/").content.decode()
    head = header(html)
    assert f'action="{reverse("search")}"' in head
    assert f'<a href="{reverse("ami:home")}">Candidater</a>' in head
    assert 'class="site-brand" href="/"' in head  # the Wagtail site's root page
    menu = head.split('<details class="site-menu"', 1)[1]
    assert '<summary class="site-menu__toggle">' in menu and "Menu</summary>" in menu
    assert 'aria-label="Menu principal"' in menu and 'aria-current="page">Questions fréquentes' in menu
    ami = header(client.get(reverse("ami:home")).content.decode())
    assert f'<a href="{reverse("ami:home")}" aria-current="page">Candidater</a>' in ami


@pytest.mark.django_db
def test_french_typography_on_titles_rich_text_and_blocks(content, client):
    faq = client.get("/faq/").content.decode()
    # Block text (the questions): a narrow no-break space before « ? ».
    assert f"Qui signe le dossier{NNBSP}? Faut-il une délibération du conseil municipal{NNBSP}?" in faq
    assert "dossier ?" not in faq.split("<main", 1)[1].split("</main>")[0]
    presentation = client.get("/la-bnm/").content.decode()
    main = presentation.split("<main", 1)[1].split("</main>")[0]
    # Rich text: inside « », before « : », and ordinals in superscript; links and their addresses unchanged.
    assert f"«{NNBSP}à suivre...{NNBSP}»" in main and "« à suivre" not in main
    assert "mise en œuvre au 1<sup>er</sup> semestre 2023" in main
    assert 'href="https://asuivre.lillemetropole.fr/"' in presentation
    # Never inside <title> (no HTML there) nor in an attribute.
    title = re.findall(r"<title>(.*?)</title>", faq, re.S)[0]
    assert "<sup>" not in title and NNBSP not in title
    assert not re.search(r'="[^"]*<sup>', presentation)


@pytest.mark.django_db
def test_each_tool_has_its_pictogram_on_the_home_page_and_the_programme(content, client):
    home = client.get("/").content.decode()
    cards = home.split('id="outils-title"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r'class="pictogram pictogram--(\w+)', cards) == ["sigb", "ressources", "mediation"]
    assert cards.count('aria-hidden="true" focusable="false"') == 3  # decorative: the title says it
    programme = client.get("/la-bnm/").content.decode()
    for anchor, name in [("logiciel-de-gestion", "sigb"), ("ressources-en-ligne", "ressources"), ("mediation-numerique", "mediation")]:
        section = programme.split(f'id="{anchor}"', 1)[1].split("</section>", 1)[0]
        assert f"pictogram--{name}" in section
    assert "<img" not in cards and "http" not in re.sub(r'href="[^"]*"', "", cards)  # drawn inline, nothing fetched


@pytest.mark.django_db
def test_funders_block_says_what_the_source_says_and_follows_the_settings(content, client):
    footer = client.get("/").content.decode().split("<footer", 1)[1]
    assert 'id="funders-title"' in footer and ">Soutenu par</h2>" in footer
    assert f"L’État, dans le cadre du label «{NNBSP}bibliothèque numérique de référence{NNBSP}» (BNR) obtenu en mars 2022" in footer
    site_settings = BnmSettings.for_site(Site.objects.get(is_default_site=True))
    site_settings.funders = "L’État\nLa Région Hauts-de-France"
    site_settings.save()
    footer = client.get("/faq/").content.decode().split("<footer", 1)[1]
    assert "L’État<br>La Région Hauts-de-France" in footer
    site_settings.funders = ""
    site_settings.save()
    assert "Soutenu par" not in client.get("/").content.decode()
