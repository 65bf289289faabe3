"""Start gunicorn as a subprocess for a test and wait until it answers (tests that need real
worker processes: the embedded SQLite under concurrency, the Procfile's web process, two web
hosts sharing PostgreSQL and Redis)."""
from __future__ import annotations

import shlex
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def procfile() -> dict[str, str]:
    """The Procfile's process types and their commands."""
    entries = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            entries[name.strip()] = command.strip()
    return entries


def web_command() -> list[str]:
    """The Procfile's `web:` command, with this virtualenv's gunicorn."""
    command = shlex.split(procfile()["web"])
    command[0] = str(BIN / command[0])
    return command


def wait_until_answering(server: subprocess.Popen, url: str, timeout: float = 90) -> requests.Response:
    """Poll `url` until the server answers (any status): the first request loads Django."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return requests.get(url, timeout=30)
        except requests.RequestException:
            pass
        assert server.poll() is None, f"gunicorn exited with {server.returncode}"
        assert time.monotonic() < deadline, f"gunicorn did not answer {url} within {timeout} s"
        time.sleep(0.1)


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(10)
