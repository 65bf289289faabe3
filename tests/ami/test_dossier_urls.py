"""The dossier is named in the URL: one browser may hold several dossiers, and each save lands in
the dossier its page names, never in another one the session also holds."""
from django.test import Client
from django.urls import reverse

from ami.models import Dossier
from ami.services.tokens import issue_token

from .factories import commune, dossier_path, make_dossier, open_dossier_in_session, step_post_data, step_url


def open_by_link(client, dossier):
    """What the referent does: POST the private link's button."""
    response = client.post(reverse("ami:access", kwargs={"token": issue_token(dossier)}))
    assert response.status_code == 302 and response["Location"] == dossier_path("ami:dossier", dossier)
    return response


def test_public_id_is_opaque_and_distinct(campaign):
    first, second = make_dossier(campaign), make_dossier(campaign, commune("Lille"))
    assert first.public_id != second.public_id
    assert len(first.public_id) >= 16 and str(first.pk) not in step_url(first, "commune").split("/")


def test_two_dossiers_in_one_browser_each_save_lands_in_its_own(client, campaign):
    roubaix, lille = make_dossier(campaign), make_dossier(campaign, commune("Lille"))
    open_by_link(client, roubaix)
    open_by_link(client, lille)  # the second link adds to the session: Roubaix stays open
    for dossier, name in ((roubaix, "Roubaix"), (lille, "Lille")):
        page = client.get(step_url(dossier, "projet")).content.decode()
        assert f"Dossier de la commune de <strong>{name}</strong>" in page
        assert f"<title>Étape 3 : Projet communal – dossier de la commune de {name}" in page
        assert f'action="{step_url(dossier, "projet")}"' in page
    # A page of Roubaix loaded first (tab 1), Lille opened afterwards (tab 2): tab 1 saves.
    roubaix_data = dict(step_post_data(roubaix, "projet"), project_statement="Projet de Roubaix")
    lille_data = dict(step_post_data(lille, "commune"), agent_email="agent@lille.fr", agent_last_name="Lillois")
    assert client.post(step_url(roubaix, "projet"), roubaix_data).status_code == 302
    assert client.post(step_url(lille, "commune"), lille_data).status_code == 302
    # Autosave (fetch) of each tab.
    roubaix_step1 = dict(step_post_data(roubaix, "commune"), agent_email="agent@roubaix.fr")
    response = client.post(step_url(roubaix, "commune"), roubaix_step1, HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 200 and response.json()["saved"] is True
    lille_project = dict(step_post_data(lille, "projet"), project_statement="Projet de Lille")
    response = client.post(step_url(lille, "projet"), lille_project, HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 200 and response.json()["saved"] is True
    roubaix.refresh_from_db()
    lille.refresh_from_db()
    assert (roubaix.project_statement, roubaix.agent_email) == ("Projet de Roubaix", "agent@roubaix.fr")
    assert (lille.project_statement, lille.agent_email, lille.agent_last_name) == (
        "Projet de Lille", "agent@lille.fr", "Lillois")


def test_post_to_a_dossier_not_in_the_session_is_refused_and_changes_nothing(referent, dossier):
    other = make_dossier(dossier.campaign, commune("Lille"))
    Dossier.objects.filter(pk=other.pk).update(project_statement="Texte de Lille")
    data = dict(step_post_data(other, "projet"), project_statement="forgé")
    response = referent.post(step_url(other, "projet"), data)
    assert response.status_code == 403
    text = response.content.decode()
    assert "n’est pas ouvert dans ce navigateur" in text and reverse("ami:resume") in text
    # The dossier the session holds is offered, the other one is never named.
    assert "Dossier de la commune de Roubaix" in text and "Dossier de la commune de Lille" not in text and other.public_id not in text
    fetch = referent.post(step_url(other, "projet"), data, HTTP_X_REQUESTED_WITH="fetch")
    assert fetch.status_code == 403 and fetch.json()["saved"] is False and "Accès refusé" in fetch.json()["message"]
    for name in ("ami:submit", "ami:reopen", "ami:leave"):
        assert referent.post(dossier_path(name, other)).status_code == 403
    for name in ("ami:dossier", "ami:confirmation", "ami:draft_pdf", "ami:receipt_pdf", "ami:signed_document"):
        assert referent.get(dossier_path(name, other)).status_code == 403
    other.refresh_from_db()
    assert other.project_statement == "Texte de Lille" and other.status == "draft"
    # A made-up id is answered the same way.
    assert referent.get(reverse("ami:step", kwargs={"public_id": "A" * 16, "slug": "projet"})).status_code == 403


def test_generic_entry_redirects_or_lists(client, campaign):
    assert client.get(reverse("ami:dossiers")).status_code == 403
    roubaix, lille = make_dossier(campaign), make_dossier(campaign, commune("Lille"))
    open_dossier_in_session(client, roubaix)
    response = client.get(reverse("ami:dossiers"))
    assert response.status_code == 302 and response["Location"] == dossier_path("ami:dossier", roubaix)
    open_dossier_in_session(client, lille)
    page = client.get(reverse("ami:dossiers"))
    text = page.content.decode()
    assert page.status_code == 200 and "Vos dossiers ouverts" in text
    assert dossier_path("ami:dossier", roubaix) in text and dossier_path("ami:dossier", lille) in text
    assert "Dossier de la commune de Lille" in text and "Dossier de la commune de Roubaix" in text


def test_opening_a_link_cycles_the_session_key_and_keeps_the_others(client, campaign):
    roubaix, lille = make_dossier(campaign), make_dossier(campaign, commune("Lille"))
    open_by_link(client, roubaix)
    first_key = client.session.session_key
    open_by_link(client, lille)
    assert client.session.session_key != first_key
    assert client.get(dossier_path("ami:dossier", roubaix)).status_code == 200
    assert client.get(dossier_path("ami:dossier", lille)).status_code == 200


def test_leave_closes_only_that_dossier(client, campaign):
    roubaix, lille = make_dossier(campaign), make_dossier(campaign, commune("Lille"))
    open_dossier_in_session(client, roubaix)
    open_dossier_in_session(client, lille)
    response = client.post(dossier_path("ami:leave", roubaix), follow=True)
    assert response.redirect_chain[0][0] == reverse("ami:dossiers")
    assert "Le dossier de la commune de Roubaix est fermé sur cet appareil" in response.content.decode()
    assert client.get(dossier_path("ami:dossier", roubaix)).status_code == 403
    assert client.get(dossier_path("ami:dossier", lille)).status_code == 200
    response = client.post(dossier_path("ami:leave", lille))
    assert response.status_code == 302 and response["Location"] == reverse("ami:home")
    assert client.get(dossier_path("ami:dossier", lille)).status_code == 403
    assert client.get(reverse("ami:dossiers")).status_code == 403


def test_redirects_name_the_right_dossier(client, campaign):
    roubaix, lille = make_dossier(campaign), make_dossier(campaign, commune("Lille"))
    open_dossier_in_session(client, roubaix)
    open_dossier_in_session(client, lille)
    data = dict(step_post_data(roubaix, "projet"), project_statement="x", **{"continue": "1"})
    response = client.post(step_url(roubaix, "projet"), data)
    assert response["Location"] == step_url(roubaix, "engagements")
    response = client.post(step_url(lille, "projet"), dict(step_post_data(lille, "projet"), save="stay"))
    assert response["Location"] == step_url(lille, "projet")


def test_a_second_browser_never_sees_the_first_ones_dossiers(referent, dossier):
    stranger = Client()
    assert stranger.get(dossier_path("ami:dossier", dossier)).status_code == 403
    assert stranger.get(reverse("ami:dossiers")).status_code == 403
