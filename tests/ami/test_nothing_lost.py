"""Nothing typed is lost: a refused save comes back with what was typed and why; a save made from
an older page of a step (another tab, another person) shows the conflict instead of overwriting."""
from datetime import timedelta
from html import escape

import time_machine

from ami.models import Dossier, Library
from ami.services.submission import submit_dossier

from .factories import dossier_path, make_dossier, open_dossier_in_session, step_post_data, step_url

TYPED = "Texte tapé pendant une heure : motivations, atouts « réseau » et freins."


def statement(dossier):
    return Dossier.objects.get(pk=dossier.pk).project_statement


def textarea_holds(page: str, value: str) -> bool:
    return f">\n{escape(value)}</textarea>" in page or f">{escape(value)}</textarea>" in page


def test_step_page_carries_its_revision(referent, dossier):
    page = referent.get(step_url(dossier, "projet")).content.decode()
    assert 'name="step_revision" value="0"' in page
    data = dict(step_post_data(dossier, "projet"), project_statement="Un")
    assert referent.post(step_url(dossier, "projet"), data).status_code == 302
    page = referent.get(step_url(dossier, "projet")).content.decode()
    assert 'name="step_revision" value="1"' in page


def test_save_refused_after_the_deadline_keeps_the_typed_text(client, dossier):
    referent = client
    Dossier.objects.filter(pk=dossier.pk).update(project_statement="Avant")
    data = dict(step_post_data(dossier, "projet"), project_statement=TYPED)  # page loaded before the deadline
    with time_machine.travel(dossier.campaign.closes_at + timedelta(seconds=1), tick=False):
        open_dossier_in_session(referent, dossier)  # (a session opened weeks ago would have expired)
        response = referent.post(step_url(dossier, "projet"), data)
        fetch = referent.post(step_url(dossier, "projet"), data, HTTP_X_REQUESTED_WITH="fetch")
    page = response.content.decode()
    assert response.status_code == 403
    assert "La date limite de dépôt est passée" in page
    assert "Vos saisies n’ont pas été enregistrées</strong>\u202f: elles restent affichées ci-dessous" in page
    assert textarea_holds(page, TYPED)
    assert "Enregistrer et continuer" not in page and "data-autosave" not in page.split("<form", 2)[-1][:400]
    assert fetch.status_code == 403 and fetch.json()["refused"] is True
    assert "La date limite de dépôt est passée" in fetch.json()["message"]
    assert statement(dossier) == "Avant"


def test_save_refused_because_submitted_in_another_tab_keeps_the_text_and_can_reopen(
    referent, complete, django_capture_on_commit_callbacks
):
    data = dict(step_post_data(complete, "projet"), project_statement=TYPED)  # tab 1 shows step 3
    with django_capture_on_commit_callbacks(execute=True):
        submit_dossier(complete.pk)  # tab 2 submits
    before = statement(complete)
    response = referent.post(step_url(complete, "projet"), data)
    page = response.content.decode()
    assert response.status_code == 403
    assert "Votre candidature est déposée" in page and textarea_holds(page, TYPED)
    assert "Rouvrir ma candidature et enregistrer ces réponses" in page
    assert statement(complete) == before
    # The button reopens the dossier and saves what was typed, in one go.
    response = referent.post(step_url(complete, "projet"), dict(data, reopen_and_save="1"))
    assert response.status_code == 302
    complete.refresh_from_db()
    assert complete.project_statement == TYPED and complete.status == "draft" and complete.receipt_number
    follow = referent.get(response["Location"]).content.decode()
    assert "Votre candidature est rouverte" in follow


def test_stale_tab_save_shows_the_conflict_with_both_values_and_saves_nothing(referent, dossier):
    tab1 = dict(step_post_data(dossier, "projet"), project_statement="Version de l’onglet 1")
    tab2 = dict(step_post_data(dossier, "projet"), project_statement="Version de l’onglet 2")
    assert referent.post(step_url(dossier, "projet"), tab2).status_code == 302
    response = referent.post(step_url(dossier, "projet"), tab1)
    page = response.content.decode()
    assert response.status_code == 409
    assert "cette étape a été modifiée entre-temps" in page
    assert "Valeur enregistrée maintenant" in page and "Votre saisie" in page
    assert escape("Version de l’onglet 2") in page  # the value saved now, in the comparison
    assert textarea_holds(page, "Version de l’onglet 1")  # the form holds what was typed
    assert "Enregistrer mes saisies" in page and "Garder les valeurs enregistrées" in page
    assert 'name="step_revision" value="1"' in page  # saving again overwrites, deliberately
    assert statement(dossier) == "Version de l’onglet 2"
    # Keeping the typed values: the form of the conflict page, submitted as it is.
    again = referent.post(step_url(dossier, "projet"), dict(tab1, step_revision="1"))
    assert again.status_code == 302 and statement(dossier) == "Version de l’onglet 1"


def test_stale_autosave_is_refused_as_a_conflict(referent, dossier):
    old = dict(step_post_data(dossier, "projet"), project_statement="Ancien onglet")
    referent.post(step_url(dossier, "projet"), dict(step_post_data(dossier, "projet"), project_statement="Récent"))
    response = referent.post(step_url(dossier, "projet"), old, HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 409
    assert response.json()["conflict"] is True and response.json()["saved"] is False
    assert statement(dossier) == "Récent"


def test_autosave_never_conflicts_with_itself(referent, dossier):
    data = step_post_data(dossier, "projet")
    for text in ("Premier jet", "Deuxième jet", "Troisième jet"):
        data["project_statement"] = text
        response = referent.post(step_url(dossier, "projet"), data, HTTP_X_REQUESTED_WITH="fetch")
        assert response.status_code == 200, response.content
        data["step_revision"] = str(response.json()["revision"])  # what the page's script does
        assert statement(dossier) == text


def test_an_older_page_identical_to_what_is_saved_saves_without_conflict(referent, dossier):
    stale = dict(step_post_data(dossier, "projet"), project_statement="Même texte")
    referent.post(step_url(dossier, "projet"), dict(step_post_data(dossier, "projet"), project_statement="Même texte"))
    response = referent.post(step_url(dossier, "projet"), dict(stale, **{"continue": "1"}))
    assert response.status_code == 302 and response["Location"] == step_url(dossier, "engagements")


def test_library_conflict_names_the_library_and_field(referent, dossier):
    library = dossier.libraries.get()
    Library.objects.filter(pk=library.pk).update(name="Médiathèque Jean-Lévy")
    stale = step_post_data(dossier, "bibliotheques")
    fresh = dict(step_post_data(dossier, "bibliotheques"), **{f"bib{library.pk}-volunteers": "12"})
    assert referent.post(step_url(dossier, "bibliotheques"), fresh).status_code == 302
    stale[f"bib{library.pk}-volunteers"] = "7"
    response = referent.post(step_url(dossier, "bibliotheques"), stale)
    page = response.content.decode()
    assert response.status_code == 409
    assert "Bibliothèque 1\u202f: Médiathèque Jean-Lévy – Nombre de bénévoles" in page
    assert "<td>12</td><td>7</td>" in page
    assert Library.objects.get(pk=library.pk).volunteers == 12


def test_saving_one_step_never_puts_back_an_older_copy_of_another(referent, dossier):
    """A step's save writes only that step's answers: another step saved by another tab while
    this request was running stays as saved."""
    from ami.forms import ProjectStepForm
    from ami.services.completeness import load_dossier

    loaded = load_dossier(dossier.pk)  # this request read the dossier…
    Dossier.objects.filter(pk=dossier.pk).update(agent_email="nouveau@ville.fr")  # …another tab saves step 1
    form = ProjectStepForm({"project_statement": "Projet"}, instance=loaded, campaign=loaded.campaign)
    assert form.is_valid()
    form.save()
    dossier.refresh_from_db()
    assert (dossier.project_statement, dossier.agent_email) == ("Projet", "nouveau@ville.fr")


def test_unicode_digits_in_library_ids_and_actions_are_ignored(referent, dossier):
    library = dossier.libraries.get()
    data = step_post_data(dossier, "bibliotheques")
    for hostile in ("²", "٣", "1" * 40, "-1", " 1"):
        response = referent.post(step_url(dossier, "bibliotheques"),
                                 dict(data, library_ids=[str(library.pk), hostile], library_action=f"up-{hostile}"))
        assert response.status_code == 302
        data = step_post_data(dossier, "bibliotheques")
    response = referent.post(step_url(dossier, "bibliotheques"), dict(data, library_action="remove-²"))
    assert response.status_code == 302 and dossier.libraries.count() == 1


def test_other_dossier_untouched_by_a_conflict(referent, dossier, campaign):
    from .factories import commune

    other = make_dossier(campaign, commune("Lille"))
    open_dossier_in_session(referent, other)
    data = dict(step_post_data(dossier, "projet"), project_statement="Roubaix")
    referent.post(step_url(dossier, "projet"), data)
    referent.post(step_url(dossier, "projet"), dict(data, project_statement="Roubaix bis"))  # stale: conflict
    assert statement(other) == "" and statement(dossier) == "Roubaix"
    assert referent.get(dossier_path("ami:dossier", other)).status_code == 200


def test_library_removed_in_another_tab_is_reported_not_silently_dropped(referent, dossier):
    first = dossier.libraries.get()
    second = Library.objects.create(dossier=dossier, sort_order=1, name="Annexe du Bourg")
    stale = step_post_data(dossier, "bibliotheques")
    stale[f"bib{second.pk}-volunteers"] = "4"
    other_tab = dict(step_post_data(dossier, "bibliotheques"), library_action=f"remove-{second.pk}")
    assert referent.post(step_url(dossier, "bibliotheques"), other_tab).status_code == 302
    response = referent.post(step_url(dossier, "bibliotheques"), stale)
    page = response.content.decode()
    assert response.status_code == 409
    assert "Bibliothèque retirée entre-temps" in page and escape("réponses saisies pour «\u202fAnnexe du Bourg\u202f»") in page
    assert list(dossier.libraries.values_list("pk", flat=True)) == [first.pk]
