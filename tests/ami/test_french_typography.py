"""The AMI's pages are set in French typography like the public pages (core.typography): a narrow
no-break space before : ; ? ! and inside « », never inside what a referent typed in a field,
nor in an address."""
import re

import pytest

from .factories import make_campaign, make_dossier, open_dossier_in_session, step_url

NNBSP = "\u202f"


@pytest.mark.django_db
def test_the_call_page_of_a_demo_campaign_sets_its_notice_in_french_typography(client):
    make_campaign(is_demo=True, team_email="bnm@lillemetropole.fr")
    html = client.get("/candidater/").content.decode()
    assert f"<strong>Démonstration</strong>{NNBSP}: cet appel sert à essayer le site en local" in html
    assert "Démonstration</strong> :" not in html
    assert 'href="mailto:bnm@lillemetropole.fr">bnm@lillemetropole.fr</a>' in html  # the address as it is


@pytest.mark.django_db
def test_a_step_page_sets_its_text_in_french_typography_but_not_the_referents_answers(client):
    typed = "Objectif : un portail commun ; et vous ? « à suivre... » https://example.fr/a:b"
    dossier = make_dossier(make_campaign(), project_statement=typed, agent_position="Directrice : médiathèque")
    open_dossier_in_session(client, dossier)
    html = client.get(step_url(dossier, "projet")).content.decode()
    assert re.search(rf"<h1>Étape \d sur 7{NNBSP}: ", html)
    # The answer is given back in its field exactly as typed: nothing added to what is sent again.
    assert f"{typed}</textarea>" in html
    html = client.get(step_url(dossier, "commune")).content.decode()
    assert 'value="Directrice : médiathèque"' in html


@pytest.mark.django_db
def test_messages_the_autosave_script_shows_are_in_french_typography_too(client):
    """The script shows these from a JSON answer, outside any template: the text comes typographed."""
    from .factories import step_post_data

    dossier = make_dossier(make_campaign())
    open_dossier_in_session(client, dossier)
    data = dict(step_post_data(dossier, "commune"), agent_email="pas une adresse")
    refused = client.post(step_url(dossier, "commune"), data, HTTP_X_REQUESTED_WITH="fetch").json()
    assert refused["saved"] is False
    assert refused["message"] == f"Vos réponses n’ont pas été enregistrées{NNBSP}: corrigez les erreurs signalées."

    stranger = client.__class__()
    denied = stranger.post(step_url(dossier, "commune"), data, HTTP_X_REQUESTED_WITH="fetch")
    assert denied.status_code == 403 and denied.json()["message"].startswith(f"Accès refusé{NNBSP}: ce dossier")
