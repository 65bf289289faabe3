"""« Mentions légales » and « Données personnelles » show what editors enter in Paramètres ›
mentions légales et données personnelles, and nothing the source does not say when it is empty."""
import re

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from wagtail.models import Site
from wagtail.test.utils.form_data import querydict_from_html

from home.models import LegalSettings, retention_periods

pytestmark = pytest.mark.django_db

MENTIONS, PERSONAL_DATA = "/mentions-legales/", "/donnees-personnelles/"


def legal_part(html: str) -> str:
    """The part of the page built from the settings (after the page's own text)."""
    assert html.count('class="legal-information rich-text"') == 1
    return html.split('class="legal-information rich-text"', 1)[1].split("</article>")[0]


def settings_url():
    site = Site.objects.get(is_default_site=True)
    return reverse("wagtailsettings:edit", args=["home", "legalsettings", site.pk])


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("admin", "admin@example.org", "motdepasse-solide-42"))
    return client


def test_empty_settings_publish_no_invented_value(content, client):
    mentions = legal_part(client.get(MENTIONS).content.decode())
    personal = legal_part(client.get(PERSONAL_DATA).content.decode())

    assert "Directeur ou directrice de la publication" in mentions and "Hébergement" in mentions
    assert mentions.count("non publié") == 2  # director, host
    assert "hébergé par" not in mentions
    assert "Base légale" in personal and "Durées de conservation" in personal
    assert personal.count("publiée à ce jour") == 3  # legal basis, two periods
    assert "Les coordonnées du délégué à la protection des données ne sont pas publiées à ce jour." in personal
    assert not re.search(r"\d+\s+mois", personal) and "RGPD" not in personal
    for part in (mentions, personal):  # where to ask for what is missing
        assert 'href="mailto:bnm@lillemetropole.fr"' in part
    for url in (MENTIONS, PERSONAL_DATA):
        assert "sera précis" not in client.get(url).content.decode()


def test_editing_the_settings_changes_both_pages(content, client):
    legal = LegalSettings.for_site(Site.objects.get(is_default_site=True))
    legal.publication_director = "Camille Exemple, président de la MEL"
    legal.host_name = "Hébergeur Exemple SAS"
    legal.host_address = "1 rue de l’Exemple\n59000 Lille"
    legal.host_contact = "+33 3 00 00 00 00"
    legal.dpo_email = "dpo@example.org"
    legal.legal_basis = "mission_interet_public"
    legal.legal_basis_details = "Délibération n° 00 C 0000."
    legal.dossier_retention_months = 60
    legal.draft_retention_months = 6
    legal.save()

    mentions = legal_part(client.get(MENTIONS).content.decode())
    assert "Camille Exemple, président de la MEL" in mentions
    assert "Ce site est hébergé par Hébergeur Exemple SAS." in mentions
    assert "1 rue de l’Exemple<br>59000 Lille" in mentions and "Contact : +33 3 00 00 00 00" in mentions
    assert "non publié" not in mentions and "mailto:bnm@" not in mentions

    personal = legal_part(client.get(PERSONAL_DATA).content.decode())
    assert "mission d’intérêt public" in personal and "point e, du RGPD" in personal
    assert "Délibération n° 00 C 0000." in personal
    assert "Dossier de candidature déposé : conservé 60 mois après la clôture de l’appel" in personal
    assert "Dossier commencé mais jamais déposé : conservé 6 mois après la clôture de l’appel" in personal
    assert "son référent en est prévenu par e-mail un mois avant" in personal and "puis anonymisé" in personal
    assert 'href="mailto:dpo@example.org"' in personal
    assert "non publié" not in personal
    # What a purge of dossiers reads.
    assert retention_periods() == {"dossiers": 60, "drafts": 6}


def test_a_page_without_legal_information_shows_none(content, client):
    html = client.get("/accessibilite/").content.decode()
    assert "legal-information" not in html and "Directeur ou directrice de la publication" not in html


def test_admin_settings_page_opens_and_saves(content, admin_client):
    url = settings_url()
    response = admin_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    for label in ("directeur ou directrice de la publication", "nom de l’hébergeur",
                  "durée de conservation des dossiers déposés (en mois)", "base légale du traitement"):
        assert label in html.lower()
    assert "Vide : la page publique indique que l’information n’est pas publiée à ce jour." in html

    forms = BeautifulSoup(html, "html.parser").find_all("form")
    data = querydict_from_html(html, form_index=[form.get("method", "").lower() for form in forms].index("post"))
    data["host_name"] = "Hébergeur Exemple SAS"
    data["draft_retention_months"] = "6"
    response = admin_client.post(url, data)
    assert response.status_code == 302
    legal = LegalSettings.for_site(Site.objects.get(is_default_site=True))
    assert (legal.host_name, legal.draft_retention_months, legal.dossier_retention_months) == ("Hébergeur Exemple SAS", 6, None)

    data["draft_retention_months"] = "0"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "Indiquez une durée d’au moins 1 mois, ou laissez le champ vide." in response.content.decode()
    assert LegalSettings.objects.get().draft_retention_months == 6
