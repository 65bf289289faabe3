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
