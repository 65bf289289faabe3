"""The embedded default (a SQLite file) under concurrent saves: gunicorn with 2 sync workers,
20 referents saving their « Projet communal » at once, several times each. Before WAL and
immediate transactions (config/settings/base.py, SQLITE_OPTIONS) about one save in four was
an HTTP 500 « database is locked » at 10 concurrent.
"""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import threading
from pathlib import Path

import pytest
import requests

from tests.gunicorn_process import BIN, ROOT, stop, wait_until_answering
from tests.integration_fixtures import _free_port

REFERENTS = 20
SAVES_EACH = 5


def _env(db_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.test", DATABASE_URL=f"sqlite:///{db_path}", CI="")
    return env


def _run(args: list[str], env: dict) -> str:
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture
def sqlite_site(tmp_path):
    """A migrated SQLite file with REFERENTS draft dossiers, served by gunicorn (2 sync workers)."""
    db_path = tmp_path / "embedded.sqlite3"
    env = _env(db_path)
    _run([str(BIN / "python"), "manage.py", "migrate", "--noinput", "-v", "0"], env)
    dossiers = json.loads(_run([str(BIN / "python"), "-m", "tests.ami.sqlite_load_data", str(REFERENTS)], env))
    port = _free_port()
    log = (tmp_path / "gunicorn.log").open("w+")
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--worker-class", "sync", "--no-control-socket", "--timeout", "60"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_until_answering(server, f"{base}/sante/?web").status_code == 200
        yield base, db_path, dossiers, log
    finally:
        stop(server)
        log.close()


def _open_dossier(base: str, dossier: dict) -> requests.Session:
    """The referent follows the private link, then opens the « Projet communal » page."""
    browser = requests.Session()
    access = f"{base}/candidater/acces/{dossier['token']}/"
    assert browser.get(access, timeout=30).status_code == 200  # the page with the « Ouvrir » button
    response = browser.post(access, data={"csrfmiddlewaretoken": browser.cookies["csrftoken"]},
                            headers={"Referer": access}, timeout=30)
    assert response.status_code == 200, response.status_code
    step = f"{base}/candidater/dossier/{dossier['public_id']}/etape/projet/"
    assert browser.get(step, timeout=30).status_code == 200
    return browser


def test_twenty_referents_saving_at_once_on_sqlite_all_succeed(sqlite_site):
    base, db_path, dossiers, log = sqlite_site
    browsers = [_open_dossier(base, dossier) for dossier in dossiers]
    start = threading.Barrier(len(dossiers))
    failures: list[str] = []
    answered = []

    def referent(index: int) -> None:
        browser, dossier = browsers[index], dossiers[index]
        step = f"{base}/candidater/dossier/{dossier['public_id']}/etape/projet/"
        autosave = index % 2 == 1  # half save with the button, half through the autosave
        start.wait()
        for save in range(SAVES_EACH):
            data = dict(dossier["post"], project_statement=f"Projet de la commune {index}, version {save}",
                        step_revision=str(save), csrfmiddlewaretoken=browser.cookies["csrftoken"])
            headers = {"Referer": step, **({"X-Requested-With": "fetch"} if autosave else {})}
            try:
                response = browser.post(step, data=data, headers=headers, allow_redirects=False, timeout=60)
            except requests.RequestException as exc:
                failures.append(f"referent {index}, save {save}: {exc!r}")
                continue
            saved = response.json().get("saved") if autosave and response.status_code == 200 else None
            if (autosave and saved is not True) or (not autosave and response.status_code != 302):
                failures.append(f"referent {index}, save {save}: HTTP {response.status_code} {response.text[:200]}")
            else:
                answered.append(index)

    threads = [threading.Thread(target=referent, args=(index,)) for index in range(len(dossiers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    log.seek(0)
    assert failures == [], f"{len(failures)} failed saves, e.g. {failures[:3]}\n{log.read()[-3000:]}"
    assert len(answered) == REFERENTS * SAVES_EACH
    assert "database is locked" not in log.read()
    with sqlite3.connect(db_path) as db:
        saved = dict(db.execute("SELECT public_id, project_statement FROM ami_dossier"))
        revisions = dict(db.execute("SELECT public_id, step_revisions FROM ami_dossier"))
    for index, dossier in enumerate(dossiers):
        assert saved[dossier["public_id"]] == f"Projet de la commune {index}, version {SAVES_EACH - 1}"
        assert json.loads(revisions[dossier["public_id"]])["projet"] == SAVES_EACH
