"""Each step saves (POST/redirect/GET), reloads its values and validates in French."""
from decimal import Decimal

import pytest

from ami.models import Dossier, DossierCommune, Library, WorkingGroup
from tests.text import visible_text

from .factories import commune, make_dossier, step_post_data, step_url

NOT_SAVED = "Vos réponses n’ont pas été enregistrées\u202f: corrigez les erreurs signalées."


def url(dossier, slug):
    return step_url(dossier, slug)


def post_step(client, dossier, slug, **changes):
    data = step_post_data(dossier, slug)
    data.update(changes)
    return client.post(url(dossier, slug), data)


def test_step1_saves_and_reloads(referent, dossier):
    response = post_step(
        referent, dossier, "commune",
        is_network="false", elected_last_name="Durand", elected_first_name="Alice", elected_delegation="Culture",
        elected_email="elue@ville.fr", agent_last_name="Petit", agent_first_name="Bruno",
        agent_position="Directeur", agent_department="Culture", agent_email="agent@ville.fr",
        agent_phone="0320212223", validation_mode="deliberation", deliberation_date="15/03/2027",
        deliberation_number="DEL-2027-12",
    )
    assert response.status_code == 302 and response["Location"] == url(dossier, "commune")
    page = referent.get(url(dossier, "commune")).content.decode()
    assert "Vos réponses ont été enregistrées." in page
    assert 'value="Durand"' in page and 'value="03 20 21 22 23"' in page and 'value="2027-03-15"' in page
    dossier.refresh_from_db()
    assert dossier.agent_phone == "03 20 21 22 23"
    assert str(dossier.deliberation_date) == "2027-03-15" and dossier.deliberation_number == "DEL-2027-12"
    # Signature mode: the deliberation answers do not apply and are cleared.
    post_step(referent, dossier, "commune", validation_mode="signature")
    dossier.refresh_from_db()
    assert dossier.deliberation_date is None and dossier.deliberation_number == ""


def test_save_and_continue_goes_to_next_step(referent, dossier):
    response = post_step(referent, dossier, "commune", elected_last_name="Durand", **{"continue": "1"})
    assert response["Location"] == url(dossier, "bibliotheques")


def test_network_communes_head_and_clearing(referent, dossier):
    wattrelos, croix = commune("Wattrelos"), commune("Croix")
    post_step(referent, dossier, "commune", is_network="true",
              network_communes=[str(wattrelos.pk), str(croix.pk)], head_choice=str(wattrelos.pk))
    dossier.refresh_from_db()
    assert set(dossier.communes.values_list("name", flat=True)) == {"Roubaix", "Wattrelos", "Croix"}
    assert dossier.head_commune == wattrelos and dossier.has_head_commune is True
    page = referent.get(url(dossier, "commune")).content.decode()
    assert "aucune tête de réseau désignée officiellement" in page
    post_step(referent, dossier, "commune", head_choice="none")
    dossier.refresh_from_db()
    assert dossier.has_head_commune is False and dossier.head_commune is None
    # Not a network any more: network answers are cleared.
    post_step(referent, dossier, "commune", is_network="false")
    dossier.refresh_from_db()
    assert list(dossier.communes.values_list("name", flat=True)) == ["Roubaix"]
    assert dossier.has_head_commune is None


def test_network_commune_of_another_dossier_refused(referent, dossier):
    make_dossier(dossier.campaign, commune("Lille"))
    response = post_step(referent, dossier, "commune", is_network="true", network_communes=[str(commune("Lille").pk)],
                         elected_last_name="Durand")
    text = response.content.decode()
    assert response.status_code == 200 and NOT_SAVED in text
    assert "figurent déjà dans un autre dossier de cette campagne\u202f: Lille" in text
    dossier.refresh_from_db()
    assert dossier.elected_last_name == "" and DossierCommune.objects.filter(dossier=dossier).count() == 1


def test_head_commune_must_be_in_network(referent, dossier):
    response = post_step(referent, dossier, "commune", is_network="true",
                         network_communes=[str(commune("Croix").pk)], head_choice=str(commune("Lille").pk))
    assert "La commune tête de réseau doit faire partie des communes du réseau." in response.content.decode()


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("staff_category_a", "abc", "Saisissez un nombre entier positif ou nul."),
        ("books", "-3", "Saisissez un nombre entier positif ou nul."),
        ("volunteers", "2,5", "Saisissez un nombre entier positif ou nul."),
        ("budget_acquisitions", "-10", "Saisissez un montant en euros positif ou nul (par exemple 1 234,50)."),
        ("budget_communication", "dix euros", "Saisissez un montant en euros positif ou nul"),
        ("sigb_since", "1800", "Saisissez une année sur quatre chiffres, entre 1950 et 2027."),
        ("portal_since", "2031", "Saisissez une année sur quatre chiffres, entre 1950 et 2027."),
        ("phone", "12", "Saisissez un numéro de téléphone valide (par exemple 03 20 21 22 23)."),
        ("email", "bibliotheque@", "Saisissez une adresse e-mail valide"),
        ("portal_url", "pas une adresse", "Saisissez une adresse web valide"),
        ("weekly_opening_hours", "200", "Saisissez une valeur inférieure ou égale à 168."),
        ("public_wifi", "peut-être", "Sélectionnez un choix valide"),
    ],
)
def test_library_validation_messages(referent, dossier, field, value, message):
    library = dossier.libraries.get()
    library.name = "Médiathèque"
    library.save()
    prefix = f"bib{library.pk}-"
    response = post_step(referent, dossier, "bibliotheques", **{prefix + "name": "Autre nom", prefix + field: value})
    text = response.content.decode()
    assert response.status_code == 200
    assert NOT_SAVED in text and message in text
    field_id = f"id_{prefix}{field}"
    assert f'href="#{field_id}"' in text  # error summary links to the field
    assert 'class="error-summary" role="alert" tabindex="-1"' in text
    assert f'{field_id}-error' in text and 'aria-invalid="true"' in text
    assert f'value="{value}"' in text or value in text  # what the user typed is kept
    library.refresh_from_db()
    assert library.name == "Médiathèque"  # nothing of the step saved


def test_library_values_parse_french_formats(referent, dossier):
    library = dossier.libraries.get()
    p = f"bib{library.pk}-"
    response = post_step(referent, dossier, "bibliotheques", **{
        p + "budget_acquisitions": "1 234,50", p + "books": "12 000", p + "staff_fte": "3,5",
        p + "fee_adults_resident": "10 €", p + "sigb_since": "2015", p + "phone": "+33 3 20 66 45 00",
        p + "portal_url": "www.mediatheque.fr", p + "public_wifi": "true", p + "training_coding": "on",
    })
    assert response.status_code == 302
    library.refresh_from_db()
    assert library.budget_acquisitions == Decimal("1234.50") and library.books == 12000
    assert library.staff_fte == Decimal("3.5") and library.fee_adults_resident == Decimal("10")
    assert library.sigb_since == 2015 and library.phone == "03 20 66 45 00"
    assert library.portal_url == "https://www.mediatheque.fr" and library.public_wifi is True
    assert library.training_coding is True
    page = referent.get(url(dossier, "bibliotheques")).content.decode()
    assert 'value="1234,5"' in page and 'value="12000"' in page


def test_library_conditional_answers(referent, dossier):
    library = dossier.libraries.get()
    p = f"bib{library.pk}-"
    post_step(referent, dossier, "bibliotheques", **{
        p + "has_digital_advisors": "false", p + "digital_advisors": "3",
        p + "offers_online_resources": "false", p + "online_resources": "Cafeyn",
        p + "facebook": "false", p + "facebook_account": "compte",
        p + "network": "none", p + "network_name": "Réseau X", p + "associated_communes": [str(commune("Lille").pk)],
        p + "management_mode": "direct", p + "management_mode_other": "SPL",
    })
    library.refresh_from_db()
    assert library.digital_advisors is None and library.online_resources == "" and library.facebook_account == ""
    assert library.network_name == "" and not library.associated_communes.exists()
    assert library.management_mode_other == ""
    # OUI without the detail: saved as a draft, listed as missing at submission.
    post_step(referent, dossier, "bibliotheques", **{
        p + "has_digital_advisors": "true", p + "offers_online_resources": "true", p + "instagram": "true",
        p + "management_mode": "other", p + "network": "intercommunal",
    })
    recap = referent.get(url(dossier, "recapitulatif")).content.decode()
    for label in ("Si oui, combien ?", "Si oui, quelles sont les ressources auxquelles vous êtes abonnés ?",
                  "Compte Instagram", "Autre mode de gestion : préciser", "Nom du réseau", "Communes associées"):
        assert f"Bibliothèque 1 – {label}" in visible_text(recap)  # no name yet: its number
    assert "Réponse nécessaire puisque vous avez répondu «\u202fOUI\u202f» à «\u202fDisposez-vous des conseillers numériques\u202f?\u202f»" in recap
    assert f'href="{url(dossier, "bibliotheques")}?manquantes=1#id_{p}digital_advisors"' in recap


def test_step3_and_step4_save(referent, dossier):
    post_step(referent, dossier, "projet", project_statement="Notre projet communal.")
    response = post_step(referent, dossier, "engagements", engagement_sigb="n+1", engagement_portal_link="oui",
                         compatible_software="pmb", engagement_mediation_design="false",
                         engagement_mediation_programme="n+2")
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.project_statement == "Notre projet communal."
    assert dossier.engagement_sigb == "n+1" and dossier.engagement_mediation_design is False
    page = referent.get(url(dossier, "engagements")).content.decode()
    assert "Envisagé en 2028" in page and "Envisagé en 2029" in page
    # Mediation programme has no « Envisagé en N+1 ».
    bad = post_step(referent, dossier, "engagements", engagement_mediation_programme="n+1")
    assert "Sélectionnez un choix valide" in bad.content.decode()


def test_objectives_rules(referent, dossier):
    group = WorkingGroup.objects.filter(is_active=True).first()
    twice = post_step(referent, dossier, "objectifs", objective_public_service="+++", objective_savings="+++")
    text = twice.content.decode()
    assert NOT_SAVED in text and "Le niveau «\u202f+++\u202f» ne peut être attribué qu’à un seul objectif" in text
    post_step(referent, dossier, "objectifs", objective_public_service="+++", objective_other="++",
              training_commitment="on", **{f"group_{group.pk}": "on", f"group_{group.pk}_agents": "Bruno Petit"})
    dossier.refresh_from_db()
    assert dossier.objective_public_service == "+++" and dossier.training_commitment is True
    assert dossier.working_group_signups.get().agent_names == "Bruno Petit"
    page = referent.get(url(dossier, "objectifs")).content.decode()
    assert "2 objectifs cochés sur 3" in page
    recap = referent.get(url(dossier, "recapitulatif")).content.decode()
    assert "Cochez exactement trois objectifs\u202f: un «\u202f+++\u202f», un «\u202f++\u202f» et un «\u202f+\u202f» (2 coché(s) sur 3)." in recap
    assert "Vous avez coché «\u202fAutre objectif, précisez\u202f»\u202f: précisez cet objectif." in recap
    post_step(referent, dossier, "objectifs", objective_networking="+", objective_other_text="Inclusion")
    recap = referent.get(url(dossier, "recapitulatif")).content.decode()
    assert "Cochez exactement trois objectifs" not in recap and "précisez cet objectif" not in recap
    # Unticking the group removes the signup.
    post_step(referent, dossier, "objectifs", **{f"group_{group.pk}": ""})
    assert not dossier.working_group_signups.exists()


def test_step6_saves_place_and_date(referent, dossier):
    response = post_step(referent, dossier, "validation", signed_place="Roubaix", signed_on="2027-03-02")
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.signed_place == "Roubaix" and str(dossier.signed_on) == "2027-03-02"
    bad = post_step(referent, dossier, "validation", signed_on="31/02/2027")
    assert "Saisissez une date valide (par exemple 15/03/2027)." in bad.content.decode()


def test_autosave_json(referent, dossier):
    data = step_post_data(dossier, "projet")
    data["project_statement"] = "Brouillon automatique"
    response = referent.post(url(dossier, "projet"), data, HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 200
    assert response.json()["saved"] is True and " h " in response.json()["at"]
    assert Dossier.objects.get(pk=dossier.pk).project_statement == "Brouillon automatique"
    library = dossier.libraries.get()
    data = step_post_data(dossier, "bibliotheques")
    data[f"bib{library.pk}-books"] = "beaucoup"
    response = referent.post(url(dossier, "bibliotheques"), data, HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 422
    assert response.json()["errors"] == {f"id_bib{library.pk}-books": ["Saisissez un nombre entier positif ou nul."]}


def test_progress_list_states(referent, dossier):
    page = referent.get(url(dossier, "projet")).content.decode()
    assert 'aria-current="step"' in page
    assert "(non commencé)" in page and "(incomplet)" in page
    post_step(referent, dossier, "projet", project_statement="Texte")
    page = referent.get(url(dossier, "projet")).content.decode()
    assert "Projet communal\n        <span class=\"progress__state\">(complet)</span>" in page


def test_steps_need_the_private_link(client, dossier):
    assert client.get(url(dossier, "commune")).status_code == 403
    response = client.post(url(dossier, "projet"), {"project_statement": "pirate"})
    assert response.status_code == 403
    assert Dossier.objects.get(pk=dossier.pk).project_statement == ""


def test_libraries_add_move_remove(referent, dossier):
    first = dossier.libraries.get()
    data = step_post_data(dossier, "bibliotheques")
    data[f"bib{first.pk}-name"] = "Première"
    response = referent.post(url(dossier, "bibliotheques"), dict(data, library_action="add"))
    assert response.status_code == 302
    assert dossier.libraries.count() == 2
    second = dossier.libraries.order_by("sort_order").last()
    assert response["Location"] == f"{url(dossier, 'bibliotheques')}#bib{second.pk}"
    assert Library.objects.get(pk=first.pk).name == "Première"  # typed answers saved with the action
    data = step_post_data(dossier, "bibliotheques")
    data[f"bib{second.pk}-name"] = "Seconde"
    referent.post(url(dossier, "bibliotheques"), dict(data, library_action=f"up-{second.pk}"))
    assert list(dossier.libraries.order_by("sort_order").values_list("name", flat=True)) == ["Seconde", "Première"]
    page = referent.get(url(dossier, "bibliotheques")).content.decode()
    assert page.index("Bibliothèque 1\u202f: Seconde") < page.index("Bibliothèque 2\u202f: Première")
    referent.post(url(dossier, "bibliotheques"), dict(step_post_data(dossier, "bibliotheques"), library_action=f"down-{second.pk}"))
    assert list(dossier.libraries.order_by("sort_order").values_list("name", flat=True)) == ["Première", "Seconde"]
    referent.post(url(dossier, "bibliotheques"), dict(step_post_data(dossier, "bibliotheques"), library_action=f"remove-{first.pk}"))
    assert list(dossier.libraries.values_list("name", flat=True)) == ["Seconde"]
    # At least one library.
    response = referent.post(url(dossier, "bibliotheques"), dict(step_post_data(dossier, "bibliotheques"),
                                                          library_action=f"remove-{second.pk}"), follow=True)
    assert "Le dossier doit comporter au moins une bibliothèque" in response.content.decode()
    assert dossier.libraries.count() == 1


def test_library_action_with_fetch_returns_fragment(referent, dossier):
    data = dict(step_post_data(dossier, "bibliotheques"), library_action="add")
    response = referent.post(url(dossier, "bibliotheques"), data, HTTP_X_REQUESTED_WITH="fetch")
    payload = response.json()
    assert payload["saved"] is True and payload["focus"].startswith("bib")
    assert payload["html"].count('class="library"') == 2


def test_library_of_another_dossier_cannot_be_touched(referent, dossier):
    other = make_dossier(dossier.campaign, commune("Lille"))
    other_library = other.libraries.get()
    data = step_post_data(dossier, "bibliotheques")
    data["library_ids"] = data["library_ids"] + [str(other_library.pk)]
    data[f"bib{other_library.pk}-name"] = "piraté"
    referent.post(url(dossier, "bibliotheques"), dict(data, library_action=f"remove-{other_library.pk}"))
    assert Library.objects.get(pk=other_library.pk).name == ""
