"""The outbox is scheduled by the database: one attempt per dispatch, backoff recorded on the
row, the sweep as the only scheduler of retries, « échec » after the retry period (visible in
the admin, « Renvoyer »), a deterministic Message-ID.

Real SMTP server (aiosmtpd); "SMTP down" is a port where nothing listens (connection
refused). Tasks run in-process (no broker in these tests): the same code as in the worker.
"""
import datetime as dt
import re
from unittest import mock

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ami.models import Campaign, OutboxEmail
from ami.services.notifications import queue_resume_link_email, queue_submission_emails
from ami.tasks import send_outbox_email, send_pending_emails
from tests.integration_fixtures import _free_port, make_complete_dossier, submit_dossier_version

pytestmark = pytest.mark.django_db
TOKEN = "tok_" + "B" * 40
MESSAGE_ID = re.compile(r"^<outbox-(\d+)-[0-9a-f]{16}@lillemetropole\.fr>$")


@pytest.fixture
def dossier():
    now = timezone.now()
    campaign = Campaign.objects.create(
        title="AMI BNM 2026", statistics_year=2025, first_engagement_year=2027,
        opens_at=now - dt.timedelta(days=10), closes_at=now + dt.timedelta(days=20),
        team_email="equipe-bnm@example.org",
    )
    return make_complete_dossier(campaign=campaign)


@pytest.fixture
def smtp_down(smtp_sink, settings):
    """Switch the SMTP server off (refused connections) and on again."""

    class Switch:
        def off(self):
            settings.EMAIL_PORT = _free_port()

        def on(self):
            settings.EMAIL_PORT = smtp_sink.port

    return Switch()


@pytest.fixture
def staff_client():
    user = get_user_model().objects.create_superuser("equipe", "equipe@example.org", "motdepasse-solide-42")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def message_ids(sink) -> list[str]:
    return [str(m["Message-ID"]) for m in sink.messages]


def test_an_smtp_outage_of_15_minutes_backs_off_then_each_email_is_delivered_once(
    dossier, smtp_sink, smtp_down, django_capture_on_commit_callbacks
):
    smtp_down.off()
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        version = submit_dossier_version(dossier, receipt_number="BNM-2026-0007")
        with django_capture_on_commit_callbacks(execute=True):
            emails = queue_submission_emails(dossier, version) + [queue_resume_link_email(dossier, TOKEN)]
        # One attempt each, on commit: refused, recorded, next attempt in a minute.
        for email in emails:
            email.refresh_from_db()
            assert (email.status, email.attempts) == (OutboxEmail.Status.PENDING, 1)
            assert "Connection refused" in email.last_error or "ConnectionRefusedError" in email.last_error
            assert email.next_attempt_at == start + dt.timedelta(minutes=1)

        # Beat runs the sweep every minute; SMTP comes back after 15 minutes.
        dispatched = {}
        for minute in range(1, 17):
            clock.move_to(start + dt.timedelta(minutes=minute))
            if minute == 15:
                smtp_down.on()
            dispatched[minute] = send_pending_emails()
            if minute < 15:
                assert smtp_sink.messages == []
        # Attempts after 1, 2, 4 and 8 minutes of backoff (minutes 1, 3, 7, 15), nothing in between.
        assert {m: n for m, n in dispatched.items() if n} == {1: 3, 3: 3, 7: 3, 15: 3}

        # A day later the sweep still finds nothing to send again.
        clock.move_to(start + dt.timedelta(days=1))
        assert send_pending_emails() == 0

    assert len(smtp_sink.messages) == 3
    ids = message_ids(smtp_sink)
    assert len(set(ids)) == 3
    assert {int(MESSAGE_ID.match(i).group(1)) for i in ids} == {e.pk for e in emails}
    subjects = sorted(" ".join(str(m["Subject"]).split()) for m in smtp_sink.messages)
    assert subjects[0] == "Candidature BNM déposée – récépissé BNM-2026-0007"
    confirmation = next(m for m in smtp_sink.messages if "récépissé" in str(m["Subject"]))
    [pdf] = list(confirmation.iter_attachments())
    assert pdf.get_content().startswith(b"%PDF-")
    for email in emails:
        email.refresh_from_db()
        assert (email.status, email.attempts, email.last_error) == (OutboxEmail.Status.SENT, 5, "")
    # The private link is no longer readable in the database once sent.
    link_email = emails[-1]
    assert TOKEN not in link_email.body and TOKEN not in link_email.html_body


def test_backoff_is_capped_at_an_hour_and_the_email_fails_after_the_retry_period(
    dossier, smtp_sink, smtp_down, settings, staff_client, django_capture_on_commit_callbacks
):
    assert settings.OUTBOX_RETRY_HOURS == 48
    smtp_down.off()
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            email = queue_resume_link_email(dossier, TOKEN)
        attempt_times = [start]
        email.refresh_from_db()
        while email.status == OutboxEmail.Status.PENDING:
            # Just before the due time the sweep does nothing; at the due time it dispatches.
            clock.move_to(email.next_attempt_at - dt.timedelta(seconds=1))
            assert send_pending_emails() == 0
            clock.move_to(email.next_attempt_at)
            attempt_times.append(timezone.now())
            assert send_pending_emails() == 1
            email.refresh_from_db()
            assert len(attempt_times) < 100

        gaps = [(b - a).total_seconds() / 60 for a, b in zip(attempt_times, attempt_times[1:], strict=False)]
        assert gaps[:7] == [1, 2, 4, 8, 16, 32, 60]
        assert set(gaps[7:-1]) == {60}
        assert attempt_times[-1] == start + dt.timedelta(hours=48)  # the last try is at the end of the period
        assert email.status == OutboxEmail.Status.FAILED
        assert email.failed_at == start + dt.timedelta(hours=48)
        assert email.attempts == len(attempt_times)
        clock.move_to(start + dt.timedelta(days=5))
        assert send_pending_emails() == 0  # « échec »: no more attempts
    assert smtp_sink.messages == []

    # Visible on the admin dashboard and in the e-mail list, with « Renvoyer ».
    dashboard = staff_client.get(reverse("wagtailadmin_home")).content.decode()
    assert "1 e-mail en échec" in dashboard
    assert email.subject in dashboard
    listing = staff_client.get(reverse("ami_outboxemail_modeladmin_index"), {"status__exact": "failed"})
    content = listing.content.decode()
    assert email.subject in content and "échec le" in content
    resend_url = reverse("ami_admin_outbox_resend", args=[email.pk])
    assert f'href="{resend_url}"' in content

    # GET only asks for confirmation; a POST without the CSRF token is refused.
    confirmation = staff_client.get(resend_url)
    assert confirmation.status_code == 200
    assert staff_client.post(resend_url).status_code == 403
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.FAILED

    smtp_down.on()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', confirmation.content.decode()).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(resend_url, {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert response["Location"] == reverse("ami_outboxemail_modeladmin_index")
    [message] = smtp_sink.wait_for(1)
    assert MESSAGE_ID.match(str(message["Message-ID"])).group(1) == str(email.pk)
    assert str(message["To"]) == "lucas.martin@example.org"
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.SENT
    assert "1 e-mail en échec" not in staff_client.get(reverse("wagtailadmin_home")).content.decode()
    # Resending a sent e-mail does nothing.
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(resend_url, {"csrfmiddlewaretoken": token})
    assert len(smtp_sink.messages) == 1


def test_resend_needs_the_permission(dossier, smtp_sink):
    email = queue_resume_link_email(dossier, TOKEN)
    OutboxEmail.objects.filter(pk=email.pk).update(status=OutboxEmail.Status.FAILED, failed_at=timezone.now())
    user = get_user_model().objects.create_user("editeur", "e@example.org", "motdepasse-solide-42", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client = Client()
    client.force_login(user)
    url = reverse("ami_admin_outbox_resend", args=[email.pk])
    assert client.get(url).status_code in (302, 403)
    assert client.post(url).status_code in (302, 403)
    assert "en échec" not in client.get(reverse("wagtailadmin_home")).content.decode()
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.FAILED
    assert smtp_sink.messages == []


def test_a_duplicate_dispatch_makes_no_second_attempt(dossier, smtp_down):
    smtp_down.off()
    email = queue_resume_link_email(dossier, TOKEN)
    assert send_outbox_email(email.pk, 0) is False  # the attempt, refused
    assert send_outbox_email(email.pk, 0) is False  # a second copy of the same dispatch: dropped
    email.refresh_from_db()
    assert email.attempts == 1


def test_a_lost_dispatch_is_dispatched_again_by_the_sweep_after_its_lease(dossier, smtp_sink):
    email = queue_resume_link_email(dossier, TOKEN)  # the on-commit dispatch never happened
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        assert send_pending_emails() == 0  # within the grace: the on-commit dispatch may be on its way
        clock.move_to(start + dt.timedelta(minutes=1))
        with mock.patch.object(send_outbox_email, "delay") as lost:  # published, then lost with Redis
            assert send_pending_emails() == 1
            assert send_pending_emails() == 0  # not dispatched again at every sweep
        lost.assert_called_once_with(email.pk, 0)
        clock.move_to(start + dt.timedelta(minutes=2))
        assert send_pending_emails() == 1
    assert len(smtp_sink.wait_for(1)) == 1


def test_the_duplicate_at_the_smtp_boundary_carries_the_same_message_id(dossier, smtp_sink):
    """SMTP accepted the message, then the worker died before its commit: the row is still
    pending and is sent again; the receiving side sees the same Message-ID twice."""
    email = queue_resume_link_email(dossier, TOKEN)
    with mock.patch.object(OutboxEmail, "save", side_effect=OperationalError("server closed the connection")):
        with pytest.raises(OperationalError):
            send_outbox_email(email.pk, 0)
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboxEmail.Status.PENDING, 0)
    assert send_outbox_email(email.pk, 0) is True
    first, second = smtp_sink.wait_for(2)
    assert first["Message-ID"] == second["Message-ID"]
    assert MESSAGE_ID.match(str(first["Message-ID"])).group(1) == str(email.pk)



def test_outbox_list_and_dashboard_do_not_grow_with_the_number_of_emails(
    staff_client, django_assert_max_num_queries
):
    def add(n):
        for i in range(n):
            OutboxEmail.objects.create(
                key=f"k{OutboxEmail.objects.count()}", to=["referent@example.org"], subject=f"Objet {i}", body="…",
                status=OutboxEmail.Status.FAILED, failed_at=timezone.now(),
            )

    add(2)
    with django_assert_max_num_queries(40) as few:
        staff_client.get(reverse("ami_outboxemail_modeladmin_index"))
        staff_client.get(reverse("wagtailadmin_home"))
    add(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        listing = staff_client.get(reverse("ami_outboxemail_modeladmin_index"))
        dashboard = staff_client.get(reverse("wagtailadmin_home"))
    assert listing.content.decode().count(">Renvoyer</a>") == 32
    assert "32 e-mails en échec" in dashboard.content.decode()
