"""The dossier inspect page of the back-office: answers grouped as in the paper dossier, read from
the questionnaire, « Oui / Non / — », the history, the private notes, the decision forms (French
errors next to the field and in a summary), its query budget, and « Éditeurs » refused."""
import datetime as dt
import html
import io
import json
import re
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ami import questionnaire
from ami.backoffice.groups import EDITORS_GROUP, TEAM_GROUP
from ami.models import Campaign, Commune, Dossier, DossierCommune, DossierNote, Library, OutboxEmail
from ami.services.review import transition
from ami.services.snapshot import dossier_snapshot
from ami.services.submission import submit_dossier
from home.dates import to_paris
from tests.integration_fixtures import make_complete_dossier, submit_dossier_version

from .factories import (
    complete_dossier,
    dossier_path,
    make_campaign,
    make_dossier,
    open_dossier_in_session,
    step_url,
)

pytestmark = pytest.mark.django_db
S = Dossier.Status
NOTE = "Note interne : le maire a appelé, budget à vérifier avec la DGS."


def inspect_url(dossier) -> str:
    return reverse("ami_dossier_modeladmin_inspect", args=[dossier.pk])


def text_of(response, section: str = "") -> str:
    """The page (or its <section id=`section`>) as a reader sees it: tags removed, entities
    decoded, spaces (narrow and non-breaking ones too) collapsed."""
    content = response.content.decode()
    if section:
        content = content.split(f'<section id="{section}"', 1)[1].split("</section>", 1)[0]
    else:
        content = content.split('<main', 1)[-1]
    content = re.sub(r"<script.*?</script>", " ", content, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", content)).replace("\u202f", " ").split())


def answer(response, label: str) -> list[str]:
    """The values shown next to `label` in the answers' tables (one per occurrence)."""
    content = html.unescape(response.content.decode())
    return [
        " ".join(re.sub(r"<[^>]+>", " ", value).split())
        for value in re.findall(rf'<th scope="row">{re.escape(label)}</th><td>(.*?)</td>', content, flags=re.S)
    ]


def member(group_name: str, username: str):
    user = get_user_model().objects.create_user(username, f"{username}@example.org", "motdepasse-solide-42")
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def network_dossier(campaign):
    dossier = make_complete_dossier(campaign, communes=("Roubaix", "Wattrelos"), libraries=2)
    Library.objects.filter(dossier=dossier, sort_order=1).update(public_wifi=None, has_rfid=False)
    submit_dossier_version(dossier)
    return dossier


def test_answers_are_grouped_as_in_the_paper_dossier_with_the_papers_wording(staff_client, network_dossier):
    response = staff_client.get(inspect_url(network_dossier))
    assert response.status_code == 200
    page = text_of(response, "reponses")
    # The parts in the paper's order, then Volet 1 once per library.
    positions = [page.index(title) for title, _slugs in questionnaire.PAPER_PARTS]
    assert positions == sorted(positions)
    libraries = list(network_dossier.libraries.order_by("sort_order"))
    first, second = (page.index(f"Bibliothèque {n} : {lib.name}") for n, lib in enumerate(libraries, start=1))
    volet_1 = page.index(questionnaire.PAPER_PARTS[1][0])
    volet_2 = page.index(questionnaire.PAPER_PARTS[2][0])
    assert volet_1 < first < second < volet_2
    # Every question of the declaration is there under its paper label, each library's too.
    for q in questionnaire.dossier_questions():
        if q.kind != "signup":
            assert q.label in page, q.name
    on_dossier = Counter(q.label for q in questionnaire.dossier_questions())  # « Téléphone », « E-mail »…
    for q in questionnaire.library_questions():
        assert len(answer(response, q.label)) == 2 + on_dossier[q.label], q.name
    # Élu and agent blocks are labelled as such.
    assert page.index("Élu référent du dossier") < page.index("Claire") < page.index("Agent référent identifié")
    assert page.index("Agent référent identifié") < page.index("Lucas")
    # Working groups and validation are there too.
    assert "Groupes de travail" in page and "Inès Petit, Paul Leroy" in page and "Validation du dépôt" in page


def test_yes_no_answers_read_oui_non_or_dash_and_choices_by_their_label(staff_client, network_dossier):
    response = staff_client.get(inspect_url(network_dossier))
    page = text_of(response)
    label = questionnaire.question("ami.Library", "has_rfid").label
    first, second = answer(response, label)
    assert second == "Non"
    assert first in ("Oui", "Non")
    assert answer(response, questionnaire.question("ami.Library", "public_wifi").label)[1] == "—"
    assert answer(response, questionnaire.question("ami.Dossier", "engagement_mediation_design").label) == ["Oui"]
    validation = questionnaire.question("ami.Dossier", "validation_mode")
    assert answer(response, validation.label) == [str(dict(validation.model_field.choices)["deliberation"])]
    engagement = questionnaire.question("ami.Dossier", "engagement_portal_link").label
    assert answer(response, engagement) == [dict(network_dossier.campaign.engagement_choices())["n+1"]]
    for english in ("True", "False", "None", "No date", "Moderators approval", "Inspecting", "Back to"):
        assert not re.search(rf"\b{english}\b", page), english


def test_history_shows_versions_with_their_pdf_state_changes_with_messages_and_emails(staff_client, campaign):
    dossier = complete_dossier(make_dossier(campaign))
    submit_dossier(dossier.pk)
    user = get_user_model().objects.get(username="equipe")
    due = timezone.now() + dt.timedelta(days=6)
    transition(dossier.pk, S.TO_COMPLETE, actor=user, message="Merci de joindre la délibération.", due_at=due)
    response = staff_client.get(inspect_url(dossier))
    page = text_of(response)
    content = response.content.decode()
    assert reverse("ami_admin_version_pdf", args=[dossier.pk, 1]) in content
    assert "PDF de la version 1" in page
    assert "déposé → à compléter" in page and "Merci de joindre la délibération." in page
    assert "brouillon → déposé" in page and "La commune (référent)" in page
    email = OutboxEmail.objects.get(key__startswith="review:")
    assert email.subject in page
    assert reverse("ami_admin_signed_document", args=[dossier.pk]) in content
    # « à compléter »: the team may take it back in review, not decide it yet.
    decision = page.split("Réponses du dossier")[0]
    assert "Reprendre l’instruction" in decision and "Retenir le dossier" not in decision


def test_inspect_query_count_stays_the_same_among_100_dossiers(staff_client, django_assert_max_num_queries):
    """A dossier of 3 libraries among 100: the page costs the same as one of 1 library alone."""
    first = make_campaign()
    small = complete_dossier(make_dossier(first, Commune.objects.get(name="Lille"), libraries=1))
    with CaptureQueriesContext(connection) as alone:
        assert staff_client.get(inspect_url(small)).status_code == 200

    second = make_campaign(title="AMI BNM 2028", statistics_year=2027, first_engagement_year=2028)
    communes = list(Commune.objects.order_by("name"))
    created = Dossier.objects.bulk_create(
        [Dossier(campaign=first, commune=c, agent_email=f"a{c.pk}@example.fr") for c in communes if c.name != "Lille"]
        + [Dossier(campaign=second, commune=c, agent_email=f"b{c.pk}@example.fr") for c in communes[:6]]
    )
    DossierCommune.objects.bulk_create(
        [DossierCommune(dossier=d, commune_id=d.commune_id, campaign_id=d.campaign_id) for d in created]
    )
    Library.objects.bulk_create([Library(dossier=d, sort_order=i) for d in created for i in range(3)])
    assert Dossier.objects.count() >= 100
    big = complete_dossier(created[10])
    assert big.libraries.count() == 3
    submit_dossier(big.pk)
    for index in range(3):
        DossierNote.objects.create(dossier=big, text=f"Note {index}")
    with django_assert_max_num_queries(len(alone.captured_queries) + 2):  # + the history's rows, in two queries at most
        response = staff_client.get(inspect_url(big))
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as again:
        staff_client.get(inspect_url(big))
    transition(big.pk, S.IN_REVIEW)
    DossierNote.objects.create(dossier=big, text="Une note de plus")
    with CaptureQueriesContext(connection) as more:
        staff_client.get(inspect_url(big))
    assert len(more.captured_queries) == len(again.captured_queries)  # more events and notes, same queries
    print(f"inspect page: {len(alone.captured_queries)} queries (1 library, alone), "
          f"{len(again.captured_queries)} (3 libraries among {Dossier.objects.count()} dossiers)")


def test_editors_are_refused_the_inspect_page_and_every_action(client, campaign):
    dossier = complete_dossier(make_dossier(campaign))
    submit_dossier(dossier.pk)
    client.force_login(member(EDITORS_GROUP, "editrice"))

    def refused(response):
        """403, or Wagtail's way for its own views: back to the admin home with « permission » said."""
        if response.status_code == 302:
            return response["Location"] == reverse("wagtailadmin_home")
        return response.status_code == 403 and "Roubaix" not in response.content.decode()

    assert refused(client.get(inspect_url(dossier)))
    assert refused(client.post(inspect_url(dossier), {"decision-target": "in_review"}))
    for name, data in (
        ("ami_review_decision", {"decision-target": "in_review"}),
        ("ami_review_decision", {"completer-submit": "1", "completer-message": "x", "completer-due_at": "2099-01-01T10:00"}),
        ("ami_review_note", {"note-text": "Intrusion"}),
    ):
        assert refused(client.post(reverse(name, args=[dossier.pk]), data)), name
        assert refused(client.get(reverse(name, args=[dossier.pk]))), name
    dossier.refresh_from_db()
    assert dossier.status == S.SUBMITTED and not DossierNote.objects.exists()
    assert not OutboxEmail.objects.filter(key__startswith="review:").exists()


# --- Decision forms -----------------------------------------------------------------------------


@pytest.fixture
def team_client(client):
    client.force_login(member(TEAM_GROUP, "instructeur"))
    return client


@pytest.fixture
def deposited(campaign):
    dossier = complete_dossier(make_dossier(campaign))
    submit_dossier(dossier.pk)
    return dossier


def test_a_team_member_puts_a_dossier_in_review_then_accepts_it(team_client, deposited):
    url = reverse("ami_review_decision", args=[deposited.pk])
    response = team_client.post(url, {"decision-target": "in_review"})
    assert response.status_code == 302 and response["Location"].endswith("#decision")
    deposited.refresh_from_db()
    assert deposited.status == S.IN_REVIEW
    page = text_of(team_client.get(inspect_url(deposited)))
    assert "Le dossier de Roubaix est désormais « en instruction »." in page
    assert "Retenir le dossier" in page and "Ne pas retenir le dossier" in page

    team_client.post(url, {"decision-target": "accepted", "decision-message": "Bienvenue dans la BNM."})
    deposited.refresh_from_db()
    assert deposited.status == S.ACCEPTED
    email = OutboxEmail.objects.get(key__startswith="review:")
    assert "Bienvenue dans la BNM." in email.body
    event = deposited.events.first()
    assert event.actor.username == "instructeur"


def test_a_refused_transition_comes_back_in_french_on_the_page(team_client, deposited):
    response = team_client.post(reverse("ami_review_decision", args=[deposited.pk]), {"decision-target": "accepted"})
    assert response.status_code == 400
    page = text_of(response)
    assert "Un dossier « déposé » ne peut pas passer à l’état « retenu »" in page
    assert "Une erreur empêche d’enregistrer" in page
    deposited.refresh_from_db()
    assert deposited.status == S.SUBMITTED


def test_the_completion_form_shows_each_error_next_to_its_field_and_in_the_summary(team_client, deposited):
    response = team_client.post(
        reverse("ami_review_decision", args=[deposited.pk]),
        {"completer-submit": "1", "completer-message": "  ", "completer-due_at": "2020-01-01T10:00"},
    )
    assert response.status_code == 400
    content = response.content.decode()
    page = text_of(response)
    assert "2 erreurs empêchent d’enregistrer" in page
    assert 'href="#id_completer-message"' in content and 'href="#id_completer-due_at"' in content
    assert 'id="id_completer-message-error"' in content and 'aria-invalid="true"' in content
    assert "Écrivez le message à la commune" in page
    assert "Choisissez une date à venir : le 1er janvier 2020 à 10 h est déjà passé." in page
    response = team_client.post(
        reverse("ami_review_decision", args=[deposited.pk]),
        {"completer-submit": "1", "completer-message": "Le budget ?", "completer-due_at": "31/02/2027 25:00"},
    )
    assert response.status_code == 400
    assert "Saisissez une date et une heure valides, par exemple 15/12/2026 à 18:00." in text_of(response)
    deposited.refresh_from_db()
    assert deposited.status == S.SUBMITTED and not OutboxEmail.objects.filter(key__startswith="review:").exists()


def test_the_completion_date_is_read_as_paris_time(team_client, deposited):
    day = (to_paris(timezone.now()) + dt.timedelta(days=10)).date()
    response = team_client.post(
        reverse("ami_review_decision", args=[deposited.pk]),
        {"completer-submit": "1", "completer-message": "Précisez le budget.", "completer-due_at": f"{day.isoformat()}T18:00"},
    )
    assert response.status_code == 302
    deposited.refresh_from_db()
    assert deposited.status == S.TO_COMPLETE
    local = to_paris(deposited.completion_due_at)
    assert (local.date(), local.hour, local.minute) == (day, 18, 0)


# --- Private notes --------------------------------------------------------------------------------


def test_notes_are_kept_for_the_team_and_never_reach_the_commune(team_client, client, deposited):
    from pypdf import PdfReader

    from ami.pdf import render_dossier_pdf

    response = team_client.post(reverse("ami_review_note", args=[deposited.pk]), {"note-text": NOTE})
    assert response.status_code == 302
    note = DossierNote.objects.get()
    assert (note.author.username, note.text) == ("instructeur", NOTE)
    page = text_of(team_client.get(inspect_url(deposited)))
    assert NOTE in page and "instructeur, le" in page

    empty = team_client.post(reverse("ami_review_note", args=[deposited.pk]), {"note-text": "   "})
    assert empty.status_code == 400 and "Écrivez le texte de la note." in text_of(empty)

    # A new version after the note: neither its snapshot nor any PDF holds it.
    transition(deposited.pk, S.TO_COMPLETE, message="Complétez", due_at=timezone.now() + dt.timedelta(days=3))
    referent = client.__class__()
    open_dossier_in_session(referent, deposited)
    referent.post(dossier_path("ami:submit", deposited))
    deposited.refresh_from_db()
    assert deposited.version == 2
    assert NOTE not in json.dumps(dossier_snapshot(deposited), ensure_ascii=False)
    for version in deposited.versions.all():
        assert NOTE not in json.dumps(version.data, ensure_ascii=False)
    for pdf in (render_dossier_pdf(deposited), referent.get(dossier_path("ami:receipt_pdf", deposited)).content,
                referent.get(dossier_path("ami:draft_pdf", deposited)).content):
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
        assert "budget à vérifier" not in text and "Note interne" not in text
    urls = [dossier_path("ami:dossier", deposited), dossier_path("ami:confirmation", deposited)]
    urls += [step_url(deposited, slug) for slug in ("commune", "bibliotheques", "projet", "engagements", "objectifs",
                                                    "validation", "recapitulatif")]
    for url in urls:
        response = referent.get(url)
        assert response.status_code == 200, url
        assert "budget à vérifier" not in response.content.decode(), url
    for email in OutboxEmail.objects.all():
        assert "budget à vérifier" not in email.body + email.html_body
    assert Campaign.objects.count() == 1
