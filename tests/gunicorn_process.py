"""Start gunicorn as a subprocess for a test and wait until it answers (tests that need real
worker processes: the embedded SQLite under concurrency, the Procfile's web process)."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


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
