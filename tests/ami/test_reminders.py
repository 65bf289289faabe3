"""Deadline reminders (beat task ami.tasks.send_deadline_reminders): J−7, J−2 and the closing
day, drafts only, each sent once per dossier and kind, even when two beat runs race; an extended
dossier is reminded relative to its own deadline."""
import datetime as dt
import re
import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection, connections
from django.test import Client

from ami.models import AccessToken, CampaignExtension, OutboxEmail
from ami.tasks import send_deadline_reminders
from home.dates import PARIS

from .factories import commune, make_campaign, make_dossier

DEADLINE = dt.datetime(2027, 3, 31, 23, 59, tzinfo=PARIS)
LINK = re.compile(r"/candidater/acces/([^/\s\"]+)/")


def at(day: int, hour: int = 10, month: int = 3) -> dt.datetime:
    return dt.datetime(2027, month, day, hour, 0, tzinfo=PARIS)


@pytest.fixture
def clock():
    with time_machine.travel(at(1), tick=False) as traveller:
        yield traveller


@pytest.fixture
def campaign(db, clock):
    return make_campaign(opens_at=at(1, 9, month=2), closes_at=DEADLINE)


def run_beat(django_capture_on_commit_callbacks) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return send_deadline_reminders()


def subjects(to: str) -> list[str]:
    return [m.subject for m in mail.outbox if m.to == [to]]


@pytest.mark.django_db
def test_j7_j2_and_closing_day_each_once_drafts_only(campaign, clock, django_capture_on_commit_callbacks):
    draft = make_dossier(campaign, commune("Roubaix"), agent_email="agent@ville-roubaix.fr")
    submitted = make_dossier(campaign, commune("Lille"), agent_email="agent@mairie-lille.fr")
    submitted.status = submitted.Status.SUBMITTED
    submitted.save()

    timeline = [
        (at(23, 7), []),  # J−8: nothing yet
        (at(24, 7), []),  # J−7 but before 8:00 Paris: nobody is woken up
        (at(24, 10), ["Rappel\u202f: plus que 7 jours pour déposer la candidature BNM de Roubaix"]),
        (at(24, 18), []),  # J−7 again (another beat tick): already sent
        (at(26, 10), []),  # J−5: between two reminders
        (at(29, 10), ["Rappel\u202f: plus que 2 jours pour déposer la candidature BNM de Roubaix"]),
        (at(30, 10), []),  # J−1: the J−2 reminder is already sent
        (at(31, 9), ["Clôture aujourd’hui à 23 h 59\u202f: candidature BNM de Roubaix non déposée"]),
        (at(31, 20), []),
        (at(1, 10, month=4), []),  # after the deadline: nothing
    ]
    for moment, expected in timeline:
        clock.move_to(moment)
        before = len(mail.outbox)
        run_beat(django_capture_on_commit_callbacks)
        assert [m.subject for m in mail.outbox[before:]] == expected, moment
    assert subjects("agent@mairie-lille.fr") == []  # a submitted dossier is never reminded
    assert OutboxEmail.objects.filter(key__startswith=f"reminder:{draft.pk}:").count() == 3


@pytest.mark.django_db
def test_the_reminder_says_the_deadline_in_paris_time_with_a_new_link_that_opens_the_dossier(
    campaign, clock, django_capture_on_commit_callbacks
):
    draft = make_dossier(campaign, commune("Roubaix"), agent_email="agent@ville-roubaix.fr")
    AccessToken.objects.create(dossier=draft, token_hash="0" * 64)  # the link sent at the start
    clock.move_to(at(29, 10))
    run_beat(django_capture_on_commit_callbacks)
    [email] = mail.outbox
    assert email.to == ["agent@ville-roubaix.fr"]
    assert "Il reste 2 jours\u202f: la date limite de dépôt est le 31 mars 2027 à 23 h 59, heure de Paris." in email.body
    assert "n’est pas encore déposée" in email.body
    html = email.alternatives[0][0]
    assert "31 mars 2027 à 23 h 59, heure de Paris" in html
    token = LINK.search(email.body).group(1)
    browser = Client()
    assert browser.post(f"/candidater/acces/{token}/").status_code == 302  # the new link opens the dossier
    assert AccessToken.objects.filter(dossier=draft, revoked_at__isnull=True).count() == 1  # the old one is revoked
    assert "[lien retiré après envoi]" in OutboxEmail.objects.get(key__startswith="reminder:").body


@pytest.mark.django_db
def test_an_extended_dossier_is_reminded_relative_to_its_own_deadline(campaign, clock, django_capture_on_commit_callbacks):
    make_dossier(campaign, commune("Roubaix"), agent_email="agent@ville-roubaix.fr")
    make_dossier(campaign, commune("Lille"), agent_email="agent@mairie-lille.fr")
    CampaignExtension.objects.create(campaign=campaign, commune=commune("Lille"), closes_at=at(10, 12, month=4))

    clock.move_to(at(29, 10))  # J−2 for Roubaix, J−12 for Lille
    run_beat(django_capture_on_commit_callbacks)
    assert len(subjects("agent@ville-roubaix.fr")) == 1 and subjects("agent@mairie-lille.fr") == []

    clock.move_to(at(3, 10, month=4))  # the call is closed; J−7 for Lille
    run_beat(django_capture_on_commit_callbacks)
    [lille] = [m for m in mail.outbox if m.to == ["agent@mairie-lille.fr"]]
    assert lille.subject == "Rappel\u202f: plus que 7 jours pour déposer la candidature BNM de Lille"
    assert "la date limite de dépôt est le 10 avril 2027 à 12 h, heure de Paris" in lille.body
    assert "date limite générale de l’appel\u202f: 31 mars 2027 à 23 h 59" in lille.body

    clock.move_to(at(10, 9, month=4))
    run_beat(django_capture_on_commit_callbacks)
    assert subjects("agent@mairie-lille.fr")[-1] == "Clôture aujourd’hui à 12 h\u202f: candidature BNM de Lille non déposée"
    assert len(subjects("agent@ville-roubaix.fr")) == 1  # Roubaix's deadline passed: nothing more


@pytest.mark.django_db
def test_a_dossier_started_today_is_not_reminded_yet(campaign, clock, django_capture_on_commit_callbacks):
    clock.move_to(at(29, 9))
    make_dossier(campaign, commune("Roubaix"))
    clock.move_to(at(29, 10))
    assert run_beat(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_beats_at_once_send_one_email_per_dossier_and_kind(django_capture_on_commit_callbacks):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (CI runs this test on PostgreSQL)")
    from django.contrib.contenttypes.models import ContentType

    from ami.communes import load_mel_communes
    from ami.models import Commune

    ContentType.objects.clear_cache()
    load_mel_communes(Commune)
    with time_machine.travel(at(1), tick=False) as clock:
        campaign = make_campaign(opens_at=at(1, 9, month=2), closes_at=DEADLINE)
        drafts = [
            make_dossier(campaign, commune(name), agent_email=f"agent@{index}.example.fr")
            for index, name in enumerate(["Roubaix", "Lille", "Tourcoing", "Wattrelos", "Villeneuve-d'Ascq"])
        ]
        clock.move_to(at(29, 10))
        barrier = threading.Barrier(2)
        results, errors = [], []

        def beat():
            try:
                barrier.wait()
                results.append(send_deadline_reminders())
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)
            finally:
                connections.close_all()

        with django_capture_on_commit_callbacks(execute=True):
            threads = [threading.Thread(target=beat) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
    assert not errors, errors
    assert sum(results) == len(drafts)
    assert OutboxEmail.objects.filter(key__startswith="reminder:").count() == len(drafts)
    for dossier in drafts:  # one live link each: the losing beat issued none
        assert AccessToken.objects.filter(dossier=dossier, revoked_at__isnull=True).count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(d.agent_email for d in drafts)


@pytest.mark.django_db
def test_reminders_query_budget_with_a_draft_per_commune(campaign, clock, django_capture_on_commit_callbacks,
                                                 django_assert_max_num_queries):
    from ami.models import Commune
    from ami.services.reminders import due_reminders

    communes = list(Commune.objects.order_by("name"))
    for item in communes:
        make_dossier(campaign, item)
    clock.move_to(at(29, 10))
    with django_assert_max_num_queries(6):
        due = due_reminders()
    assert len(due) == len(communes) == 95
    assert {item.kind for item in due} == {"j-2"}


def test_the_beat_schedules_the_reminders(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["ami-deadline-reminders"]
    assert entry["task"] == "ami.tasks.send_deadline_reminders"
    assert timedelta(seconds=entry["schedule"]) <= timedelta(hours=1)  # never a whole day missed


@pytest.mark.django_db
def test_a_dossier_to_complete_is_reminded_before_its_completion_date_and_one_under_review_never(
    campaign, clock, django_capture_on_commit_callbacks
):
    to_complete = make_dossier(campaign, commune("Roubaix"), agent_email="agent@ville-roubaix.fr",
                               receipt_number="BNM-2027-0001", version=1)
    to_complete.status = to_complete.Status.TO_COMPLETE
    to_complete.completion_due_at = at(10, 12, month=4)
    to_complete.save()
    in_review = make_dossier(campaign, commune("Lille"), agent_email="agent@mairie-lille.fr",
                             receipt_number="BNM-2027-0002", version=1)
    in_review.status = in_review.Status.IN_REVIEW
    in_review.save()

    clock.move_to(at(3, 10, month=4))  # the call is closed; J−7 of the date given to complete it
    run_beat(django_capture_on_commit_callbacks)
    [email] = mail.outbox
    assert email.to == ["agent@ville-roubaix.fr"]
    assert email.subject == "Rappel\u202f: plus que 7 jours pour compléter la candidature BNM de Roubaix"
    assert "est à compléter, à la demande de l’équipe de la MEL, puis à déposer à nouveau" in email.body
    assert "la date limite de dépôt est le 10 avril 2027 à 12 h, heure de Paris" in email.body

    clock.move_to(at(10, 9, month=4))
    run_beat(django_capture_on_commit_callbacks)
    assert subjects("agent@ville-roubaix.fr")[-1] == "Clôture aujourd’hui à 12 h\u202f: candidature BNM de Roubaix à compléter"
    assert subjects("agent@mairie-lille.fr") == []
