"""The Procfile and gunicorn.conf.py as an operator runs them: three process types, and the
`web:` command serving the site with the workers asked for, one access-log line per request
with the forwarded client address, and no shared control socket, so a second web instance on
the same host starts beside the first."""
from __future__ import annotations

import os
import subprocess

import requests

from tests.gunicorn_process import ROOT, procfile, stop, wait_until_answering, web_command
from tests.integration_fixtures import _free_port


def test_procfile_has_web_worker_and_one_beat():
    entries = procfile()
    assert set(entries) == {"web", "worker", "beat"}
    assert entries["web"].startswith("gunicorn -c gunicorn.conf.py")
    assert entries["worker"].startswith("celery -A config worker") and " -B" not in entries["worker"]
    assert entries["beat"].startswith("celery -A config beat")


def test_two_web_instances_of_the_procfile_serve_side_by_side(tmp_path):
    command = web_command()
    servers, logs, ports = [], [], []
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_BROKER_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.test", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
               CI="", WEB_CONCURRENCY="2", XDG_RUNTIME_DIR=str(tmp_path))
    try:
        for index in range(2):
            ports.append(_free_port())
            logs.append(tmp_path / f"web{index}.log")
            servers.append(subprocess.Popen(command, cwd=ROOT, env=dict(env, PORT=str(ports[-1])),
                                            stdout=logs[-1].open("w"), stderr=subprocess.STDOUT))
        for server, port in zip(servers, ports, strict=True):
            wait_until_answering(server, f"http://127.0.0.1:{port}/sante/?web")
        for server, port in zip(servers, ports, strict=True):
            response = requests.get(f"http://127.0.0.1:{port}/sante/?web", timeout=30,
                                    headers={"X-Forwarded-For": "198.51.100.7"})
            assert "database" in response.json() and server.poll() is None
    finally:
        for server in servers:
            stop(server)
    for log in logs:
        text = log.read_text()
        assert text.count("Booting worker") == 2, text[-2000:]
        assert 'fwd=198.51.100.7 "GET /sante/?web HTTP/1.1"' in text, text[-2000:]
    assert not (tmp_path / "gunicorn.ctl").exists()
