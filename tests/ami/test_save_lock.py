"""A step save locks its dossier's row, and only that row: saves of different dossiers of one
call never wait for each other, and two saves of one step from the same page still give one
save and one conflict (nothing overwritten silently). PostgreSQL (CI): row locks."""
import threading

import psycopg
import pytest
from django.db import connection, connections
from django.test import Client

from ami.models import Dossier

from .factories import make_campaign, make_dossier, open_dossier_in_session, step_post_data, step_url


def _fresh_dossier() -> Dossier:
    from django.contrib.contenttypes.models import ContentType

    from ami.communes import load_mel_communes
    from ami.models import Commune

    # An earlier transactional test may have flushed the seeded rows and the content types.
    ContentType.objects.clear_cache()
    load_mel_communes(Commune)
    return make_dossier(make_campaign())


def _libpq_dsn() -> str:
    params = connection.get_connection_params()
    return psycopg.conninfo.make_conninfo(**{k: v for k, v in params.items() if k in
                                            ("host", "port", "user", "password", "dbname")})


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_save_does_not_wait_for_a_transaction_holding_its_call():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (CI runs this test on PostgreSQL)")
    dossier = _fresh_dossier()
    client = Client()
    open_dossier_in_session(client, dossier)
    data = dict(step_post_data(dossier, "projet"), project_statement="Saisi pendant une modification de l’appel")
    with psycopg.connect(_libpq_dsn()) as other:  # e.g. the team editing the call in the admin
        other.execute("SELECT id FROM ami_campaign WHERE id = %s FOR UPDATE", [dossier.campaign_id])
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '5s'")  # a wait would fail the save, not hang the test
        try:
            response = client.post(step_url(dossier, "projet"), data)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
        other.rollback()
    assert response.status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).project_statement == "Saisi pendant une modification de l’appel"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_saves_of_one_page_at_once_give_one_save_and_one_conflict():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (CI runs this test on PostgreSQL)")
    dossier = _fresh_dossier()
    page = step_post_data(dossier, "projet")
    barrier = threading.Barrier(2)
    results, errors = {}, []

    def save(text):
        try:
            client = Client()
            open_dossier_in_session(client, dossier)
            barrier.wait()
            results[text] = client.post(step_url(dossier, "projet"), dict(page, project_statement=text)).status_code
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(text,)) for text in ("Onglet A", "Onglet B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert sorted(results.values()) == [302, 409]
    saved = Dossier.objects.get(pk=dossier.pk)
    winner = next(text for text, status in results.items() if status == 302)
    assert saved.project_statement == winner
    assert saved.step_revisions["projet"] == int(page["step_revision"]) + 1


# --- The save of a step whose form writes the dossier's row alone: one conditional UPDATE ---------
# (« Projet communal », « Engagements »: no lock, no transaction). What another request may do
# between the save's checks and its write is run there; the save must then behave as the locked
# save would: a conflict, a refusal, or a save that keeps what the other request wrote.


def _meanwhile(monkeypatch, change):
    """Run change(dossier_id) just before the save writes (after it checked everything)."""
    from ami.services import dossiers as dossier_service

    real = dossier_service.update_if_unchanged

    def update(dossier, values, revisions, now=None):
        change(dossier.pk)
        return real(dossier, values, revisions, now)

    monkeypatch.setattr(dossier_service, "update_if_unchanged", update)


def _typed(dossier):
    return dict(step_post_data(dossier, "projet"), project_statement="Saisi dans cet onglet")


def test_a_save_without_interference_is_one_update_and_takes_no_lock(referent, dossier):
    from django.test.utils import CaptureQueriesContext

    data = _typed(dossier)
    with CaptureQueriesContext(connection) as ctx:
        assert referent.post(step_url(dossier, "projet"), data).status_code == 302
    sql = [q["sql"] for q in ctx.captured_queries]
    assert not any("FOR UPDATE" in q for q in sql)
    assert len([q for q in sql if q.startswith('UPDATE "ami_dossier"')]) == 1
    saved = Dossier.objects.get(pk=dossier.pk)
    assert saved.project_statement == "Saisi dans cet onglet"
    assert saved.step_revisions["projet"] == int(data["step_revision"]) + 1


def test_the_step_saved_meanwhile_in_another_tab_is_a_conflict_and_is_kept(referent, dossier, monkeypatch):
    data = _typed(dossier)
    revision = int(data["step_revision"])
    _meanwhile(monkeypatch, lambda pk: Dossier.objects.filter(pk=pk).update(
        project_statement="Saisi dans l’autre onglet", step_revisions={"projet": revision + 1}))
    response = referent.post(step_url(dossier, "projet"), data)
    assert response.status_code == 409
    assert "Saisi dans cet onglet" in response.content.decode()  # shown, to be saved again knowingly
    saved = Dossier.objects.get(pk=dossier.pk)
    assert saved.project_statement == "Saisi dans l’autre onglet"
    assert saved.step_revisions == {"projet": revision + 1}


def test_another_step_saved_meanwhile_does_not_stop_the_save_and_keeps_its_revision(referent, dossier, monkeypatch):
    data = _typed(dossier)
    _meanwhile(monkeypatch, lambda pk: Dossier.objects.filter(pk=pk).update(
        agent_last_name="Martin", step_revisions={"commune": 4}))
    assert referent.post(step_url(dossier, "projet"), data).status_code == 302
    saved = Dossier.objects.get(pk=dossier.pk)
    assert saved.project_statement == "Saisi dans cet onglet" and saved.agent_last_name == "Martin"
    assert saved.step_revisions == {"commune": 4, "projet": int(data["step_revision"]) + 1}


def test_a_dossier_submitted_meanwhile_is_not_written(referent, dossier, monkeypatch):
    _meanwhile(monkeypatch, lambda pk: Dossier.objects.filter(pk=pk).update(status=Dossier.Status.SUBMITTED))
    response = referent.post(step_url(dossier, "projet"), _typed(dossier))
    assert response.status_code == 403 and "Votre candidature est déposée" in response.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).project_statement != "Saisi dans cet onglet"


def test_a_deadline_brought_forward_meanwhile_is_enforced(referent, dossier, monkeypatch):
    """The team closes the call (its date moved to the past) while the save runs: refused, nothing written."""
    from datetime import timedelta

    from django.utils import timezone

    from ami.models import Campaign

    _meanwhile(monkeypatch, lambda pk: Campaign.objects.filter(pk=dossier.campaign_id).update(
        closes_at=timezone.now() - timedelta(minutes=1)))
    response = referent.post(step_url(dossier, "projet"), _typed(dossier))
    assert response.status_code == 403 and "La date limite de dépôt est passée" in response.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).project_statement != "Saisi dans cet onglet"
