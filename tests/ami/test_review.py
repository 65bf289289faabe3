"""The MEL team's review (ami.services.review): which state may follow which, « à compléter »
reopening one dossier until its date, resubmission back to « déposé », one e-mail per decision."""
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from ami.models import Campaign, Dossier, DossierEvent, OutboxEmail
from ami.services import review
from ami.services.review import TransitionRefused, transition
from ami.services.submission import submit_dossier
from tests.text import visible_text

from .factories import (
    commune,
    complete_dossier,
    dossier_path,
    make_dossier,
    open_dossier_in_session,
    step_post_data,
    step_url,
)

pytestmark = pytest.mark.django_db
S = Dossier.Status


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_superuser("instructrice", "instructrice@example.org", "motdepasse-solide-42")


def submitted(campaign, name="Roubaix", **fields) -> Dossier:
    dossier = complete_dossier(make_dossier(campaign, commune(name), agent_email=f"agent@{name.lower()}.fr", **fields))
    submit_dossier(dossier.pk)
    dossier.refresh_from_db()
    assert dossier.status == S.SUBMITTED
    return dossier


def review_emails(dossier):
    return OutboxEmail.objects.filter(dossier=dossier, key__startswith="review:")


def close(campaign: Campaign) -> None:
    Campaign.objects.filter(pk=campaign.pk).update(closes_at=timezone.now() - timedelta(minutes=1))


def in_days(days: int):
    return timezone.now() + timedelta(days=days)


ALLOWED = [
    (S.SUBMITTED, S.IN_REVIEW),
    (S.SUBMITTED, S.TO_COMPLETE),
    (S.IN_REVIEW, S.ACCEPTED),
    (S.IN_REVIEW, S.REJECTED),
    (S.IN_REVIEW, S.TO_COMPLETE),
    (S.TO_COMPLETE, S.IN_REVIEW),
    (S.ACCEPTED, S.IN_REVIEW),
    (S.REJECTED, S.IN_REVIEW),
]


@pytest.mark.parametrize(("start", "target"), ALLOWED)
def test_allowed_transitions_are_recorded_with_who_when_and_the_message(campaign, staff, start, target):
    dossier = submitted(campaign)
    Dossier.objects.filter(pk=dossier.pk).update(status=start)
    event = transition(dossier.pk, target, actor=staff, message="Merci de préciser le budget.", due_at=in_days(7))
    dossier.refresh_from_db()
    assert dossier.status == target
    assert (event.from_state, event.to_state, event.actor, event.message) == (
        start, target, staff, "Merci de préciser le budget."
    )
    assert abs(event.at - timezone.now()) < timedelta(seconds=30)
    assert (dossier.completion_due_at is not None) == (target == S.TO_COMPLETE)


REFUSED = [
    (S.DRAFT, S.IN_REVIEW, "brouillon"),
    (S.DRAFT, S.ACCEPTED, "brouillon"),
    (S.SUBMITTED, S.ACCEPTED, "«\u00a0en instruction\u00a0»"),
    (S.SUBMITTED, S.REJECTED, "«\u00a0en instruction\u00a0»"),
    (S.IN_REVIEW, S.IN_REVIEW, "déjà"),
    (S.ACCEPTED, S.REJECTED, "«\u00a0en instruction\u00a0»"),
    (S.REJECTED, S.ACCEPTED, "«\u00a0en instruction\u00a0»"),
    (S.TO_COMPLETE, S.ACCEPTED, "«\u00a0en instruction\u00a0»"),
    (S.IN_REVIEW, S.SUBMITTED, "«\u00a0déposé\u00a0»"),
    (S.IN_REVIEW, S.DRAFT, "«\u00a0brouillon\u00a0»"),
]


@pytest.mark.parametrize(("start", "target", "says"), REFUSED)
def test_refused_transitions_change_nothing_and_say_why_in_french(campaign, staff, start, target, says):
    dossier = submitted(campaign)
    Dossier.objects.filter(pk=dossier.pk).update(status=start)
    events = DossierEvent.objects.filter(dossier=dossier).count()
    with pytest.raises(TransitionRefused) as refused:
        transition(dossier.pk, target, actor=staff, message="Bravo", due_at=in_days(7))
    assert says in refused.value.message
    dossier.refresh_from_db()
    assert dossier.status == start
    assert DossierEvent.objects.filter(dossier=dossier).count() == events
    assert not review_emails(dossier).exists()


def test_an_unknown_state_is_refused(campaign, staff):
    dossier = submitted(campaign)
    with pytest.raises(TransitionRefused, match="n’existe pas"):
        transition(dossier.pk, "approved", actor=staff)


def test_to_complete_needs_a_message_and_a_date_to_come(campaign, staff):
    dossier = submitted(campaign)
    with pytest.raises(TransitionRefused, match="Écrivez le message"):
        transition(dossier.pk, S.TO_COMPLETE, actor=staff, message="   ", due_at=in_days(3))
    with pytest.raises(TransitionRefused, match="date limite à venir"):
        transition(dossier.pk, S.TO_COMPLETE, actor=staff, message="Le budget ?", due_at=in_days(-1))
    with pytest.raises(TransitionRefused, match="date limite à venir"):
        transition(dossier.pk, S.TO_COMPLETE, actor=staff, message="Le budget ?", due_at=None)
    dossier.refresh_from_db()
    assert dossier.status == S.SUBMITTED and dossier.completion_due_at is None


# --- « À compléter »: only that dossier, only until its date --------------------------------------


def save_step(client, dossier, slug="projet", **changes):
    data = step_post_data(dossier, slug)
    data.update(changes)
    return client.post(step_url(dossier, slug), data)


def test_to_complete_reopens_only_that_dossier_and_only_until_its_date(client, campaign, staff):
    asked = submitted(campaign, "Roubaix")
    other = submitted(campaign, "Tourcoing")
    close(campaign)
    due = in_days(5)
    transition(asked.pk, S.TO_COMPLETE, actor=staff, message="Précisez votre projet communal.", due_at=due)
    open_dossier_in_session(client, asked)
    open_dossier_in_session(client, other)

    response = save_step(client, asked, project_statement="Projet précisé à la demande de la MEL.")
    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.project_statement == "Projet précisé à la demande de la MEL."

    refused = save_step(client, other, project_statement="Tentative après la clôture")
    assert refused.status_code == 403
    other.refresh_from_db()
    assert other.project_statement != "Tentative après la clôture"

    with time_machine.travel(due + timedelta(minutes=1)):
        late = save_step(client, asked, project_statement="Trop tard")
        assert late.status_code == 403
        assert "date" in late.content.decode()
    asked.refresh_from_db()
    assert asked.project_statement == "Projet précisé à la demande de la MEL."


def test_the_referent_sees_the_teams_message_and_the_date_on_the_dossier_pages(client, campaign, staff):
    dossier = submitted(campaign)
    due = in_days(5)
    transition(dossier.pk, S.TO_COMPLETE, actor=staff, message="Joignez la délibération signée.", due_at=due)
    open_dossier_in_session(client, dossier)
    from home.dates import format_deadline

    for url in (dossier_path("ami:dossier", dossier), step_url(dossier, "commune"), step_url(dossier, "recapitulatif")):
        page = client.get(url).content.decode()
        assert "Joignez la délibération signée." in page, url
        assert "vous demande de compléter votre candidature avant le" in page
        assert visible_text(format_deadline(due)) in visible_text(page), url
    # and the form may be submitted again
    assert "Déposer ma candidature" in client.get(step_url(dossier, "recapitulatif")).content.decode()


def test_resubmission_goes_back_to_deposited_with_a_new_version_and_the_same_receipt(client, campaign, staff):
    dossier = submitted(campaign)
    receipt = dossier.receipt_number
    close(campaign)
    transition(dossier.pk, S.TO_COMPLETE, actor=staff, message="Le budget ?", due_at=in_days(3))
    open_dossier_in_session(client, dossier)
    response = client.post(dossier_path("ami:submit", dossier))
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert (dossier.status, dossier.version, dossier.receipt_number) == (S.SUBMITTED, 2, receipt)
    assert dossier.completion_due_at is None
    assert list(dossier.versions.values_list("number", flat=True)) == [2, 1]
    last = dossier.events.first()
    assert (last.from_state, last.to_state, last.actor) == (S.TO_COMPLETE, S.SUBMITTED, None)
    # Back with the team, after the campaign's deadline: closed again.
    assert save_step(client, dossier, project_statement="Encore").status_code == 403


def test_after_the_date_the_completed_dossier_cannot_be_resubmitted(client, campaign, staff):
    dossier = submitted(campaign)
    close(campaign)
    due = in_days(2)
    transition(dossier.pk, S.TO_COMPLETE, actor=staff, message="Le budget ?", due_at=due)
    open_dossier_in_session(client, dossier)
    with time_machine.travel(due + timedelta(seconds=1)):
        response = client.post(dossier_path("ami:submit", dossier))
        assert response.status_code == 302 and response["Location"] == step_url(dossier, "recapitulatif")
        assert "ne peut plus" in client.get(response["Location"]).content.decode()
    dossier.refresh_from_db()
    assert (dossier.status, dossier.version) == (S.TO_COMPLETE, 1)


# --- The referent may not touch a dossier en instruction or decided ---------------------------


@pytest.mark.parametrize("state", [S.IN_REVIEW, S.ACCEPTED, S.REJECTED])
def test_a_dossier_under_review_is_read_only_for_the_referent_even_before_the_deadline(client, campaign, state):
    dossier = submitted(campaign)
    Dossier.objects.filter(pk=dossier.pk).update(status=state)
    open_dossier_in_session(client, dossier)
    reopened = client.post(dossier_path("ami:reopen", dossier))
    assert reopened.status_code == 302 and reopened["Location"] == step_url(dossier, "recapitulatif")
    assert "ne peut plus être modifiée" in client.get(reopened["Location"]).content.decode()
    refused = save_step(client, dossier, reopen_and_save="1", project_statement="Modifié")
    assert refused.status_code == 403
    assert "ne peut plus être modifiée" in refused.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == state and dossier.project_statement != "Modifié"
    page = client.get(dossier_path("ami:dossier", dossier)).content.decode()
    assert "Modifier ma candidature" not in page
    assert {"in_review": "en cours d’instruction", "accepted": "est retenue", "rejected": "n’est pas retenue"}[state] in page
    confirmation = client.get(dossier_path("ami:confirmation", dossier)).content.decode()
    assert "Modifier ma candidature" not in confirmation


def test_a_deposited_dossier_can_still_be_reopened_by_its_referent_before_the_deadline(client, campaign):
    dossier = submitted(campaign)
    open_dossier_in_session(client, dossier)
    assert client.post(dossier_path("ami:reopen", dossier)).status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == S.DRAFT
    assert dossier.events.first().to_state == S.DRAFT


# --- One e-mail per decision ------------------------------------------------------------------


def test_each_decision_queues_exactly_one_email_to_the_referents(campaign, staff):
    dossier = submitted(campaign)
    transition(dossier.pk, S.IN_REVIEW, actor=staff)
    assert review_emails(dossier).count() == 0  # en instruction is the team's own business

    due = in_days(4)
    event = transition(dossier.pk, S.TO_COMPLETE, actor=staff, message="Précisez le nombre d’agents.", due_at=due)
    emails = list(review_emails(dossier))
    assert len(emails) == 1
    email = emails[0]
    assert email.to == ["agent@roubaix.fr", "elue@example.fr"]
    assert email.key == f"review:{dossier.pk}:{event.pk}"
    assert "à compléter" in email.subject and dossier.receipt_number in email.subject
    assert "Précisez le nombre d’agents." in email.body and "Précisez le nombre d’agents." in email.html_body
    assert "/candidater/acces/" in email.body  # a new private link, valid until the date

    transition(dossier.pk, S.IN_REVIEW, actor=staff)
    transition(dossier.pk, S.ACCEPTED, actor=staff, message="Félicitations.")
    assert review_emails(dossier).count() == 2
    accepted = review_emails(dossier).order_by("-pk").first()
    assert "retenue" in accepted.subject and "Félicitations." in accepted.body
    assert "/candidater/acces/" not in accepted.body

    with pytest.raises(TransitionRefused):  # a second click on « Retenir »
        transition(dossier.pk, S.ACCEPTED, actor=staff)
    assert review_emails(dossier).count() == 2

    transition(dossier.pk, S.IN_REVIEW, actor=staff)
    transition(dossier.pk, S.REJECTED, actor=staff)
    rejected = review_emails(dossier).order_by("-pk").first()
    assert review_emails(dossier).count() == 3 and "non retenue" in rejected.subject


def test_the_latest_request_is_the_message_of_the_current_decision(campaign, staff):
    dossier = submitted(campaign)
    transition(dossier.pk, S.TO_COMPLETE, actor=staff, message="Premier message", due_at=in_days(3))
    transition(dossier.pk, S.IN_REVIEW, actor=staff)
    dossier.refresh_from_db()
    assert review.latest_request(dossier) is None
    transition(dossier.pk, S.TO_COMPLETE, actor=staff, message="Second message", due_at=in_days(5))
    dossier.refresh_from_db()
    assert review.latest_request(dossier).message == "Second message"


def test_the_etat_des_lieux_counts_reviewed_dossiers_not_those_being_completed(campaign, staff):
    from ami.backoffice.report import build_report

    accepted, in_review, to_complete = (submitted(campaign, name) for name in ("Roubaix", "Lille", "Tourcoing"))
    for dossier in (accepted, in_review, to_complete):
        transition(dossier.pk, S.IN_REVIEW, actor=staff)
    transition(accepted.pk, S.ACCEPTED, actor=staff)
    transition(to_complete.pk, S.TO_COMPLETE, actor=staff, message="Le budget ?", due_at=in_days(3))
    make_dossier(campaign, commune("Croix"))  # a draft
    assert build_report(campaign).dossiers == 2


def test_working_group_members_come_from_dossiers_still_in_the_running(campaign, staff):
    from ami.models import WorkingGroupSignup
    from ami.services.working_groups import group_members

    accepted, rejected = submitted(campaign, "Roubaix"), submitted(campaign, "Lille")
    for dossier in (accepted, rejected):
        transition(dossier.pk, S.IN_REVIEW, actor=staff)
    transition(accepted.pk, S.ACCEPTED, actor=staff)
    transition(rejected.pk, S.REJECTED, actor=staff)
    group = WorkingGroupSignup.objects.filter(dossier=accepted).get().group
    members = group_members(group, campaign)
    assert [m.email for m in members] == ["agent@roubaix.fr"]
