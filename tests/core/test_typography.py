"""core.typography and the `fr_typo` filter: what a reader sees in French text."""
import pytest
from django.template import Context, Template
from django.utils.safestring import mark_safe

from core.typography import NNBSP, french_typography


def typo(value) -> str:
    return str(french_typography(value))


@pytest.mark.parametrize(("text", "expected"), [
    # « » : the space inside becomes a narrow no-break space, or one is added.
    ("le portail « à suivre... »", f"le portail «{NNBSP}à suivre...{NNBSP}»"),
    ("«mot»", f"«{NNBSP}mot{NNBSP}»"),
    ("« déjà\u00a0»", f"«{NNBSP}déjà{NNBSP}»"),
    # ; : ? ! after a word.
    ("objectifs ; public", f"objectifs{NNBSP}; public"),
    ("Coût : gratuit", f"Coût{NNBSP}: gratuit"),
    ("Coût: gratuit", f"Coût{NNBSP}: gratuit"),
    ("Qui signe le dossier ?", f"Qui signe le dossier{NNBSP}?"),
    ("Pourquoi? Voilà!", f"Pourquoi{NNBSP}? Voilà{NNBSP}!"),
    ("Que se passe-t-il après 2025 ?", f"Que se passe-t-il après 2025{NNBSP}?"),
    ("Article 2 : texte", f"Article 2{NNBSP}: texte"),
    # Ordinals in superscript.
    ("mise en œuvre au 1er semestre 2023", "mise en œuvre au 1<sup>er</sup> semestre 2023"),
    ("au 2e semestre 2024, la 1re fois", "au 2<sup>e</sup> semestre 2024, la 1<sup>re</sup> fois"),
])
def test_plain_text(text, expected):
    assert typo(text) == expected


@pytest.mark.parametrize("text", [
    "rendez-vous à 14:30 ou 9:05",
    "https://asuivre.lillemetropole.fr/?q=bnm&page=2",
    "écrire à bnm@lillemetropole.fr",
    "www.lillemetropole.fr/a:b",
    "a;b et x:y",  # not followed by a space: not a French punctuation mark
    "11er, v2e, 1e3",
])
def test_times_addresses_and_non_words_are_left_alone(text):
    assert typo(text) == text.replace("&", "&amp;")


def test_plain_text_is_escaped():
    assert typo('<script>alert("x")</script> & co') == '&lt;script&gt;alert("x")&lt;/script&gt; &amp; co'


def test_rich_text_changes_only_text_nodes():
    html = mark_safe(
        '<p>Voir <a href="https://x.fr/?a=1&amp;b=2" title="a : b ?">le portail « à suivre... »</a> : '
        'prévu au 1er semestre ; <code>a : b ?</code></p><pre>x ?</pre>'
    )
    assert typo(html) == (
        f'<p>Voir <a href="https://x.fr/?a=1&amp;b=2" title="a : b ?">le portail «{NNBSP}à suivre...{NNBSP}»</a>{NNBSP}: '
        f'prévu au 1<sup>er</sup> semestre{NNBSP}; <code>a : b ?</code></p><pre>x ?</pre>'
    )


def test_entities_stay_entities():
    assert typo(mark_safe("<p>Tom &amp; Jerry ; &lt;b&gt;</p>")) == f"<p>Tom &amp; Jerry{NNBSP}; &lt;b&gt;</p>"


def test_applying_twice_changes_nothing():
    once = typo(mark_safe("<p>« Quoi ? » au 1er semestre : oui !</p>"))
    assert typo(mark_safe(once)) == once


def test_filter_in_a_template_escapes_plain_text_and_keeps_rich_text():
    template = Template("{% load bnm_tags %}<h1>{{ title|fr_typo }}</h1>{{ body|fr_typo }}")
    html = template.render(Context({"title": "Qui peut candidater ? <b>", "body": mark_safe("<p>Oui : <em>1er</em></p>")}))
    assert html == f"<h1>Qui peut candidater{NNBSP}? &lt;b&gt;</h1><p>Oui{NNBSP}: <em>1<sup>er</sup></em></p>"
