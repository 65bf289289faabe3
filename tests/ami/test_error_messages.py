"""What a referent reads when something is wrong or missing (issue 8, part 8): every error about
one library names it, the recap's link to a missing answer opens its step with the message at
that field, and a refused submission is answered by a redirect to the recap (POST/redirect/GET)."""
import html
import re

from ami.models import Dossier, Library

from .factories import (
    commune,
    complete_dossier,
    complete_library,
    dossier_path,
    make_dossier,
    open_dossier_in_session,
    step_post_data,
    step_url,
)

MISSING_AT_FIELD = "Cette réponse manque pour déposer le dossier."


def text(response) -> str:
    """The page as read: tags dropped, entities decoded, spaces collapsed."""
    page = re.sub(r"<[^>]+>", "", response.content.decode())
    return " ".join(html.unescape(page).replace("\u202f", " ").replace("\u00a0", " ").split())


def summary(response) -> str:
    match = re.search(r'<div class="error-summary".*?</div>', response.content.decode(), re.S)
    assert match, "no error summary on the page"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", match.group(0))).split())


def field_error(response, field_id: str) -> str:
    match = re.search(rf'<p class="field__error" id="{re.escape(field_id)}-error">(.*?)</p>',
                      response.content.decode(), re.S)
    assert match, f"no message at {field_id}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).split())


def two_libraries(dossier, first_name="Médiathèque Jean-Lévy"):
    first = dossier.libraries.get()
    complete_library(first, name=first_name)
    second = complete_library(Library.objects.create(dossier=dossier, sort_order=1), name="")
    return first, second


# --- 1. The library's name in every error about one library --------------------------------------


def test_step_errors_name_the_library_in_the_summary_and_at_the_field(referent, dossier):
    first, second = two_libraries(dossier)
    data = step_post_data(dossier, "bibliotheques")
    data[f"bib{first.pk}-volunteers"] = "abc"
    data[f"bib{second.pk}-volunteers"] = "-2"
    response = referent.post(step_url(dossier, "bibliotheques"), data)
    assert response.status_code == 200
    listed = summary(response)
    assert "Médiathèque Jean-Lévy – Nombre de bénévoles : Saisissez un nombre entier positif ou nul." in listed
    # The second library has no name yet: its number says which one.
    assert "Bibliothèque 2 – Nombre de bénévoles : " in listed
    assert field_error(response, f"id_bib{first.pk}-volunteers").startswith("Erreur : Médiathèque Jean-Lévy – ")
    assert field_error(response, f"id_bib{second.pk}-volunteers").startswith("Erreur : Bibliothèque 2 – ")
    # Errors of the dossier's own answers name no library.
    bad = dict(step_post_data(dossier, "commune"), agent_phone="12")
    assert "Bibliothèque" not in field_error(referent.post(step_url(dossier, "commune"), bad), "id_agent_phone")


def test_the_name_typed_with_the_error_is_the_one_named(referent, dossier):
    first, _ = two_libraries(dossier)
    data = step_post_data(dossier, "bibliotheques")
    data[f"bib{first.pk}-name"] = "Médiathèque renommée"
    data[f"bib{first.pk}-volunteers"] = "abc"
    listed = summary(referent.post(step_url(dossier, "bibliotheques"), data))
    assert "Médiathèque renommée – Nombre de bénévoles" in listed


def test_the_recap_names_the_library_of_each_missing_answer(referent, dossier):
    complete_dossier(dossier)
    first, second = two_libraries(dossier)
    Library.objects.filter(pk__in=[first.pk, second.pk]).update(volunteers=None)
    page = text(referent.get(step_url(dossier, "recapitulatif")))
    assert "Médiathèque Jean-Lévy – Nombre de bénévoles : Réponse manquante." in page
    assert "Bibliothèque 2 – Nombre de bénévoles : Réponse manquante." in page


# --- 3. The recap's link opens the step with the message at the field -----------------------------


def test_recap_link_marks_the_missing_answers_of_its_step(referent, dossier):
    complete_dossier(dossier)
    first, second = two_libraries(dossier)
    Library.objects.filter(pk=second.pk).update(volunteers=None, ereaders=2, ereaders_lendable=None)
    recap = referent.get(step_url(dossier, "recapitulatif")).content.decode()
    link = f"{step_url(dossier, 'bibliotheques')}?manquantes=1#id_bib{second.pk}-volunteers"
    assert f'href="{link}"' in recap
    response = referent.get(link.split("#")[0])
    assert response.status_code == 200
    listed = summary(response)
    assert "Il manque 3 réponses à cette étape pour pouvoir déposer le dossier." in listed  # name, volunteers, lendable
    assert f"Bibliothèque 2 – Nombre de bénévoles : {MISSING_AT_FIELD}" in listed
    assert f'href="#id_bib{second.pk}-volunteers"' in response.content.decode()
    assert field_error(response, f"id_bib{second.pk}-volunteers") == f"Erreur : Bibliothèque 2 – {MISSING_AT_FIELD}"
    # A conditional answer says why it is needed.
    assert "Réponse nécessaire puisque vous avez répondu" in field_error(response, f"id_bib{second.pk}-ereaders_lendable")
    page = response.content.decode()
    assert 'aria-invalid="true"' in page and f'aria-describedby="id_bib{second.pk}-volunteers-error"' in page
    # The complete library is not marked; nor is anything without the recap's parameter.
    assert f'id="id_bib{first.pk}-volunteers-error"' not in page
    plain = referent.get(step_url(dossier, "bibliotheques")).content.decode()
    assert "error-summary" not in plain and MISSING_AT_FIELD not in plain


def test_recap_link_marks_blocks_and_custom_answers(referent, dossier):
    complete_dossier(dossier)
    Dossier.objects.filter(pk=dossier.pk).update(objective_networking="", training_commitment=False)
    response = referent.get(step_url(dossier, "objectifs") + "?manquantes=1")
    listed = summary(response)
    assert "Cochez exactement trois objectifs" in listed and 'href="#objectifs"' in response.content.decode()
    # The objective grid has no single field: the message is at the top of the grid.
    grid = re.search(r'<div id="objectifs".*?data-objectives-count', response.content.decode(), re.S).group(0)
    assert "Cochez exactement trois objectifs" in grid
    assert field_error(response, "id_training_commitment") == "Erreur : Cet engagement est obligatoire : cochez la case."


def test_a_complete_step_reached_with_the_parameter_shows_no_error(referent, complete):
    page = referent.get(step_url(complete, "commune") + "?manquantes=1").content.decode()
    assert "error-summary" not in page and "field__error" not in page


# --- 4. A refused submission: POST, redirect, GET --------------------------------------------------


def test_refused_submission_redirects_to_the_recap_which_says_it_once(referent, dossier, campaign):
    other = make_dossier(campaign, commune("Lille"))
    open_dossier_in_session(referent, other)
    response = referent.post(dossier_path("ami:submit", dossier))
    assert response.status_code == 302 and response["Location"] == step_url(dossier, "recapitulatif")
    # Said on the recap of the dossier refused, not on another dossier's open in the same browser.
    assert "Action refusée" not in text(referent.get(step_url(other, "recapitulatif")))
    recap = referent.get(response["Location"])
    assert recap.status_code == 200
    said = text(recap)
    assert "Action refusée" in said and "Le dossier est incomplet" in said
    assert "Voir les réponses manquantes" in said and "Réponses manquantes" in said
    # A reload is a GET: nothing is sent again, the refusal was said once, the missing answers stay.
    again = text(referent.get(response["Location"]))
    assert "Action refusée" not in again and "Réponses manquantes" in again
    assert Dossier.objects.get(pk=dossier.pk).status == "draft"
