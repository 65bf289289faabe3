"""`make bench`: the public pages, cached and uncached, against a ceiling; the AMI step save under
concurrency; the dossier PDF; the back-office XLSX export and « État des lieux ». One table.

    .venv/bin/python -m tests.bench [--quick] [--wrk "-t1 -c10 -d10s"] [--workers 2]
                                    [--only pages save pdf export report] [--profile save|export]

Everything runs under the production settings (config.settings.production: DEBUG off,
collectstatic with the manifest storage into a temporary directory) on data of its own:
- a PostgreSQL database created and dropped by the bench (`bnm_bench_run`; a temporary SQLite
  file when PostgreSQL does not answer, said in the output), and its own Redis database
  (`redis://127.0.0.1:6379/13`, FLUSHDB before and after, nothing else touched);
- `load_bnm_content --demo` (the content and an open call), and one draft dossier per commune
  (95) with 1 to 4 libraries each.

Two gunicorns serve the site with gunicorn.conf.py (same worker count and class), each with
`--no-control-socket` on a free port: the normal one (page cache on, measured after a warm-up)
and one with PAGE_CACHE_SECONDS=0 (every request builds the page). The ceiling is a minimal WSGI
app (tests/bench_ceiling.py) answering the home page's bytes under the same gunicorn settings,
measured before and after the pages (the machine may be shared: the ratio to the ceiling is what
compares runs). Pages are measured with `wrk --latency`; their SQL queries per request are
counted in this process (CaptureQueriesContext) on the same database and cache.

The AMI step save: 1, 10 and 20 referents at once, each on their own dossier opened through its
private link, each looping « GET the step, POST the form » as a browser does (CSRF cookie and
token, session, behind a TLS proxy: X-Forwarded-Proto). Latency is the POST's. After each level,
every dossier must hold the last text its referent saved (read in the database), else an error.

Everything the bench starts (gunicorns, database) is stopped in a `finally`, on Ctrl-C as well.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PARTS = ("pages", "save", "pdf", "export", "report")
PG_URL = "postgres://postgres@127.0.0.1:5432/postgres"
DB_NAME = "bnm_bench_run"
REDIS_URL = "redis://127.0.0.1:6379/13"
DEFAULT_WRK = "-t1 -c10 -d10s --timeout 30s"
QUICK_WRK = "-t1 -c10 -d2s --timeout 30s"
CONCURRENCY = (1, 10, 20)
SAVE_STEP = "projet"


# --- Figures -----------------------------------------------------------------------------------

def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (0 when empty)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


_DURATION = re.compile(r"^([\d.]+)(us|ms|s|m)$")
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNIT_MS[match.group(2)]


def parse_wrk(output: str) -> dict:
    """req/s, p50 and p99 (ms) and errors (non-2xx/3xx, connect and timeout errors) of `wrk --latency`."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not rps:
        raise ValueError("wrk printed no Requests/sec:\n" + output[-2000:])
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    if not {"50", "99"} <= latency.keys():
        raise ValueError("wrk measured no latency (every request failed or timed out)")
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", output))
    socket_errors = re.search(r"Socket errors: connect (\d+), read \d+, write \d+, timeout (\d+)", output)
    if socket_errors:
        errors += int(socket_errors.group(1)) + int(socket_errors.group(2))
    return {"rps": float(rps.group(1)), "p50": _ms(latency["50"]), "p99": _ms(latency["99"]), "errors": errors}


def _cell(value, fmt: str = ".0f") -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, float | int) and not isinstance(value, bool):
        return format(value, fmt)
    return str(value)


COLUMNS = ("Mesure", "req/s", "p50 ms", "p95 ms", "p99 ms", "SQL/req", "plafond", "erreurs")


def format_table(rows: list[dict]) -> str:
    """One Markdown table (it goes into the README as printed). A row: label, rps, p50, p95,
    p99, queries, ratio (fraction of the ceiling), errors; missing values print « – »."""
    lines = []
    for row in rows:
        ratio = row.get("ratio")
        lines.append((
            row["label"],
            _cell(row.get("rps")),
            _cell(row.get("p50"), ".1f"),
            _cell(row.get("p95"), ".1f"),
            _cell(row.get("p99"), ".1f"),
            _cell(row.get("queries")),
            "–" if ratio is None else (f"{ratio * 100:.1f} %" if ratio < 0.1 else f"{ratio:.2f}×"),
            _cell(row.get("errors")),
        ))
    widths = [max(len(COLUMNS[i]), *(len(line[i]) for line in lines)) for i in range(len(COLUMNS))]

    def render(cells) -> str:
        return "| " + " | ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))) + " |"

    rule = "|" + "|".join("-" * (w + 1) + ":" if i else "-" * (w + 2) for i, w in enumerate(widths)) + "|"
    return "\n".join([render(COLUMNS), rule, *(render(line) for line in lines)])


def machine_description() -> str:
    model = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cœurs, {model}"


def load_average() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


# --- Processes ---------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Processes:
    """Every process the bench starts, each in its own process group, stopped by stop_all()."""

    def __init__(self):
        self.running: list[subprocess.Popen] = []

    def start(self, args: list[str], env: dict, log: Path) -> subprocess.Popen:
        with log.open("ab") as out:
            process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        self.running.append(process)
        return process

    def stop(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
        if process in self.running:
            self.running.remove(process)

    def stop_all(self) -> None:
        for process in list(self.running):
            self.stop(process)


def wait_until_answering(process: subprocess.Popen, url: str, log: Path, timeout: float = 120) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while True:
        try:
            requests.get(url, timeout=30)
            return
        except requests.RequestException:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"gunicorn did not answer {url} within {timeout:.0f} s")
        time.sleep(0.2)


def gunicorn(processes: Processes, env: dict, log: Path, app: str | None = None) -> str:
    """gunicorn -c gunicorn.conf.py (its worker count and class) on a free port; returns its base URL."""
    port = free_port()
    args = [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}",
            "--no-control-socket"]
    if app:
        args.append(app)
    process = processes.start(args, env, log)
    base = f"http://127.0.0.1:{port}"
    wait_until_answering(process, f"{base}/sante/", log)
    return base


def run_wrk(url: str, wrk_args: list[str]) -> dict:
    done = subprocess.run(["wrk", "--latency", *wrk_args, url], capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed: {done.stderr or done.stdout}")
    return parse_wrk(done.stdout)


# --- Database and settings ---------------------------------------------------------------------

def postgres_available(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(_libpq(url), connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def _libpq(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def recreate_database(url: str, name: str, *, drop_only: bool = False) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(_libpq(url), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if not drop_only:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def site_environment(tmp: Path, database_url: str, redis_url: str, workers: int) -> dict:
    """The environment of the production settings, for this process and the gunicorns."""
    env = {k: v for k, v in os.environ.items() if k not in {"CELERY_BROKER_URL", "EMAIL_URL", "PAGE_CACHE_SECONDS"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SITE_BASE_URL="http://localhost",
        SECURE_SSL_REDIRECT="0",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        STATIC_ROOT=str(tmp / "static"),
        MEDIA_ROOT=str(tmp / "media"),
        PRIVATE_MEDIA_ROOT=str(tmp / "private"),
        EMAIL_URL=f"file://{tmp / 'mail'}",
        WEB_CONCURRENCY=str(workers),
        # A worker restarted every 1,000 requests would be restarted several times a second here.
        GUNICORN_MAX_REQUESTS="0",
        GUNICORN_ACCESS_LOG="/dev/null",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def prepare_site(out, env: dict, *, content: bool) -> None:
    """collectstatic (a subprocess, meanwhile) and migrate, then the content."""
    from django.core.management import call_command

    started = time.monotonic()
    collect = subprocess.Popen([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        call_command("migrate", verbosity=0, interactive=False)
        migrated = time.monotonic() - started
        output = collect.communicate(timeout=600)[0]
    finally:
        if collect.poll() is None:
            os.killpg(collect.pid, signal.SIGKILL)
            collect.wait()
    if collect.returncode != 0:
        raise RuntimeError(f"collectstatic failed:\n{output.decode()[-3000:]}")
    # The manifest storage read its (then missing) manifest when first used: read it again.
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.core.files.storage import storages
    from django.utils.functional import empty

    storages._storages.pop("staticfiles", None)
    staticfiles_storage._wrapped = empty
    out.write(f"  migrate {migrated:.0f} s, collectstatic {time.monotonic() - started:.0f} s (en parallèle)\n")
    if content:
        started = time.monotonic()
        call_command("load_bnm_content", "--demo", verbosity=0)
        out.write(f"  load_bnm_content --demo : {time.monotonic() - started:.0f} s\n")


def make_dossiers(out) -> list[dict]:
    """One draft dossier per commune in the open (demo) call, with 1 to 4 libraries; for each,
    what the referent's browser needs: the private link and the POST of the step saved."""
    from django.utils import timezone as dj_timezone

    from ami.models import Campaign, Commune
    from ami.services.tokens import issue_token
    from tests.ami.factories import make_dossier, step_post_data

    now = dj_timezone.now()
    campaign = Campaign.objects.filter(opens_at__lte=now, closes_at__gt=now).order_by("-opens_at").first()
    if campaign is None:
        raise RuntimeError("load_bnm_content --demo opened no call")
    rows = []
    for index, commune in enumerate(Commune.objects.order_by("name")):
        dossier = make_dossier(campaign, commune, libraries=1 + index % 4, agent_email=f"referent{index}@example.fr",
                               agent_last_name=f"Référent {index}")
        rows.append({"public_id": dossier.public_id, "token": issue_token(dossier),
                     "post": step_post_data(dossier, SAVE_STEP)})
    libraries = sum(1 + i % 4 for i in range(len(rows)))
    out.write(f"  {len(rows)} dossiers (un par commune), {libraries} bibliothèques, appel « {campaign.title} »\n")
    return rows


# --- Pages -------------------------------------------------------------------------------------

def public_urls() -> list[tuple[str, str]]:
    """(label, path) of the public pages measured, from the URLconf and the loaded content."""
    from django.urls import reverse
    from wagtail.models import Site

    from faq.models import FaqPage
    from home.models import CalendarPage, EventPage, HomePage, NewsIndexPage, NewsPage, PresentationPage

    site = Site.objects.get(is_default_site=True)

    def url(model):
        page = model.objects.live().order_by("path").first()
        return page.relative_url(site) if page else None

    calendar, news_index = url(CalendarPage), url(NewsIndexPage)
    urls = [
        ("accueil", url(HomePage)),
        ("présentation", url(PresentationPage)),
        ("FAQ", url(FaqPage)),
        ("calendrier", calendar),
        ("actualité", url(NewsPage)),
        ("événement", url(EventPage)),
        ("RSS", news_index and NewsIndexPage.rss_url_of(news_index)),
        ("iCal", calendar and CalendarPage.ical_url_of(calendar)),
        ("appel", reverse("ami:home")),
        ("sitemap", reverse("sitemap")),
    ]
    return [(label, path) for label, path in urls if path]


def count_queries(path: str, cached: bool) -> int:
    """SQL queries of one anonymous GET of `path` in this process, after a warm-up request:
    with the page cache (the stored copy) or without (PAGE_CACHE_SECONDS = 0)."""
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    client = Client()
    with override_settings(**({} if cached else {"PAGE_CACHE_SECONDS": 0})):
        counts = []
        client.get(path)
        for _ in range(3):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(path)
                if response.status_code != 200:
                    raise RuntimeError(f"{path}: HTTP {response.status_code}")
            counts.append(len(ctx.captured_queries))
            client.cookies.clear()
    return int(statistics.median(counts))


def warm(base: str, path: str) -> int:
    import requests

    status = 0
    for _ in range(3):
        status = requests.get(base + path, timeout=30, headers={"Accept-Encoding": "identity"}).status_code
    return status


def measure_ceiling(base: str, wrk_args: list[str]) -> dict:
    return run_wrk(base + "/", wrk_args)


def measure_pages(out, sites: dict, wrk_args: list[str], ceiling: float) -> list[dict]:
    rows = []
    for label, path in public_urls():
        for cached in (True, False):
            base = sites["cached" if cached else "uncached"]
            name = f"{path} ({label}) {'cache' if cached else 'sans cache'}"
            try:
                status = warm(base, path)
                if status != 200:
                    raise RuntimeError(f"HTTP {status}")
                figures = run_wrk(base + path, wrk_args)
                figures["queries"] = count_queries(path, cached)
                figures["ratio"] = figures["rps"] / ceiling if ceiling else None
            except Exception as exc:  # one page failing is reported, the others still run
                figures = {"errors": f"{type(exc).__name__}: {exc}"[:60]}
            rows.append({"label": name, **figures})
            out.write(f"  {name} : {_cell(figures.get('rps'))} req/s{'' if figures.get('rps') else ' ' + figures['errors']}\n")
            out.flush()
    return rows


# --- AMI step save -----------------------------------------------------------------------------

class Referent:
    """A referent's browser behind the TLS proxy, kept light (the 20 referents' threads share the
    server's cores): one `http.client` connection per request, as a browser on a server that
    closes its connections after each answer (gunicorn sync workers); the session, CSRF and
    messages cookies kept by hand (they are Secure: a browser sends them over HTTPS, here they go
    over plain HTTP behind X-Forwarded-Proto), the Referer and X-Forwarded-Proto a browser and the
    proxy send. The POST's body is form-encoded before the clock starts, as a browser has it
    ready when the button is pressed; the answer is read whole (a 302, no body to parse)."""

    def __init__(self, base: str, dossier: dict):
        from urllib.parse import urlsplit

        address = urlsplit(base)
        self.host, self.port, self.dossier = address.hostname, address.port, dossier
        self.cookies: dict[str, str] = {}
        self.step = f"/candidater/dossier/{dossier['public_id']}/etape/{SAVE_STEP}/"
        self.saves = 0

    def _request(self, method: str, path: str, body: bytes | None = None, referer: bool = False) -> tuple[int, bytes]:
        import http.client
        from http.cookies import SimpleCookie

        headers = {"X-Forwarded-Proto": "https"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if referer:
            headers["Referer"] = f"https://{self.host}:{self.port}{path}"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            for header in response.headers.get_all("Set-Cookie") or ():
                for name, morsel in SimpleCookie(header).items():
                    if morsel.value and morsel["max-age"] != "0":
                        self.cookies[name] = morsel.coded_value
                    else:  # deleted (the messages once shown)
                        self.cookies.pop(name, None)
            return response.status, content
        finally:
            connection.close()

    def open(self) -> None:
        from urllib.parse import urlencode

        access = f"/candidater/acces/{self.dossier['token']}/"
        status, _ = self._request("GET", access)
        if status != 200 or "csrftoken" not in self.cookies:
            raise RuntimeError(f"private link page: HTTP {status}")
        status, _ = self._request("POST", access, urlencode({"csrfmiddlewaretoken": self.cookies["csrftoken"]}).encode(),
                                  referer=True)
        if status != 302:
            raise RuntimeError(f"private link: HTTP {status}")

    def load_step(self) -> bytes | str:
        """GET the step as the browser shows it: the POST's body, form-encoded, with one answer
        changed, or an error."""
        from urllib.parse import urlencode

        status, page = self._request("GET", self.step)
        revision = re.search(rb'name="step_revision" value="(\d+)"', page)
        if status != 200 or not revision:
            return f"GET {status}"
        self.saves += 1
        self.typed = f"Projet de la commune, version {self.saves}"
        data = dict(self.dossier["post"], csrfmiddlewaretoken=self.cookies["csrftoken"],
                    step_revision=revision.group(1).decode(), project_statement=self.typed)
        return urlencode(data, doseq=True).encode()

    def save(self, body: bytes) -> tuple[float, str | None]:
        """POST the step: (latency in ms, error or None). A save answers 302 to the step."""
        start = time.perf_counter()
        status, _ = self._request("POST", self.step, body, referer=True)
        elapsed = (time.perf_counter() - start) * 1000
        if status != 302:
            return elapsed, f"POST {status}"
        self.saved = self.typed
        return elapsed, None


def not_saved(referents: list[Referent]) -> list[str]:
    """A « not saved » error for each referent whose dossier does not hold the last text a 302
    answered (read in the database: a fast answer that lost the save would not count)."""
    from ami.models import Dossier

    saved = {r.dossier["public_id"]: r.saved for r in referents if getattr(r, "saved", None)}
    found = dict(Dossier.objects.filter(public_id__in=saved).values_list("public_id", "project_statement"))
    return ["not saved" for public_id, text in saved.items() if found.get(public_id) != text]


def measure_saves(out, base: str, dossiers: list[dict], seconds: float) -> list[dict]:
    """Rounds of « each referent GETs the step, then all POST it at the same instant » for
    `seconds` per concurrency level; the POSTs are timed, req/s counts them over the time
    they took (the GETs between rounds are not counted)."""
    referents = [Referent(base, dossier) for dossier in dossiers[: max(CONCURRENCY)]]
    for referent in referents:
        referent.open()
    rows = []
    for concurrency in CONCURRENCY:
        latencies: list[float] = []
        errors: list[str] = []
        posting = 0.0
        stop = time.monotonic() + seconds
        with ThreadPoolExecutor(concurrency) as pool:
            while time.monotonic() < stop:
                pages = list(pool.map(lambda r: r.load_step(), referents[:concurrency]))
                ready = [(r, page) for r, page in zip(referents, pages, strict=False) if isinstance(page, bytes)]
                errors += [page for page in pages if isinstance(page, str)]
                if not ready:
                    continue
                barrier = threading.Barrier(len(ready))

                def post(item, barrier=barrier):
                    barrier.wait()
                    try:
                        return item[0].save(item[1])
                    except Exception as exc:  # a refused connection or a timeout is an error, not a crash
                        return 0.0, type(exc).__name__

                started = time.monotonic()
                results = list(pool.map(post, ready))
                posting += time.monotonic() - started
                latencies += [elapsed for elapsed, error in results if not error]
                errors += [error for _, error in results if error]
        errors += not_saved(referents[:concurrency])
        row = {
            "label": f"enregistrement d’étape, {concurrency} référent{'s' if concurrency > 1 else ''} à la fois",
            "rps": len(latencies) / posting if posting else None, "p50": percentile(latencies, 50),
            "p95": percentile(latencies, 95), "p99": percentile(latencies, 99),
            "errors": f"{len(errors)} ({errors[0]})" if errors else 0,
        }
        rows.append(row)
        out.write(f"  {row['label']} : p95 {row['p95']:.0f} ms, {len(latencies)} enregistrements, "
                  f"{len(errors)} erreurs\n")
        out.flush()
    return rows


def save_queries(dossier: dict) -> int:
    """SQL queries of one save (POST) in this process, through the test client."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = Client()
    referent_open(client, dossier)
    step = reverse("ami:step", kwargs={"public_id": dossier["public_id"], "slug": SAVE_STEP})
    page = client.get(step)
    revision = re.search(r'name="step_revision" value="(\d+)"', page.content.decode()).group(1)
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(step, dict(dossier["post"], step_revision=revision, project_statement="Compté"))
    if response.status_code != 302:
        raise RuntimeError(f"save: HTTP {response.status_code}")
    return len(ctx.captured_queries)


def referent_open(client, dossier: dict) -> None:
    from django.urls import reverse

    response = client.post(reverse("ami:access", kwargs={"token": dossier["token"]}))
    if response.status_code != 302:
        raise RuntimeError(f"private link: HTTP {response.status_code}")


def profile_saves(dossier: dict, runs: int = 30) -> None:
    """cProfile of `runs` saves (the POSTs only) of one dossier in this process (the test client)."""
    import cProfile
    import pstats

    from django.test import Client
    from django.urls import reverse

    client = Client()
    referent_open(client, dossier)
    step = reverse("ami:step", kwargs={"public_id": dossier["public_id"], "slug": SAVE_STEP})

    profiler = cProfile.Profile()
    for index in range(runs):  # the GETs between the saves are not profiled
        page = client.get(step)
        revision = re.search(r'name="step_revision" value="(\d+)"', page.content.decode()).group(1)
        profiler.runcall(client.post, step, dict(dossier["post"], step_revision=revision,
                                                 project_statement=f"Profil {index}"))
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(int(os.environ.get("BENCH_PROFILE_LINES", "60")))
    stats.sort_stats("tottime").print_stats(25)


# --- PDF, export, report (in this process) -------------------------------------------------------

def measure_pdf(runs: int) -> dict:
    from ami.pdf import render_dossier_pdf
    from tests.integration_fixtures import make_complete_dossier, submit_dossier_version

    dossier = make_complete_dossier()
    version = submit_dossier_version(dossier, receipt_number="BNM-BENCH-0001")
    render_dossier_pdf(dossier, version)  # warm fonts
    durations, size = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        size = len(render_dossier_pdf(dossier, version))
        durations.append((time.perf_counter() - start) * 1000)
    return {"label": f"PDF d’un dossier (2 bibliothèques, {size // 1024} Ko), médiane de {runs}",
            "p50": statistics.median(durations), "p95": percentile(durations, 95)}


def measure_export(runs: int, dossiers: int = 500, libraries: int = 3, profile: bool = False) -> dict:
    """The back-office XLSX export of `dossiers` × `libraries` (budget: 3 s)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ami.backoffice.exports import build_xlsx
    from ami.models import Dossier
    from tests.ami.export_data import make_export_dossiers

    campaign = make_export_dossiers(dossiers, libraries=libraries)
    queryset = Dossier.objects.filter(campaign=campaign)
    durations, cpu, queries, size = [], [], [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start, start_cpu = time.perf_counter(), time.process_time()
            size = len(build_xlsx(queryset))
            durations.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        queries.append(len(ctx.captured_queries))
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(build_xlsx, queryset)
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(30)
    return {"label": f"export XLSX {dossiers}×{libraries} ({size // 1024} Ko), CPU {statistics.median(cpu):.0f} ms",
            "p50": statistics.median(durations), "p95": percentile(durations, 95), "queries": max(queries)}


def measure_report(runs: int, dossiers: int = 500, libraries: int = 3) -> dict:
    """The « État des lieux » of `dossiers` submitted dossiers × `libraries` (figures and XLSX)."""
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from ami.backoffice.exports import write_xlsx
    from ami.backoffice.report import build_report, report_sheets
    from ami.models import Campaign, Dossier
    from tests.ami.export_data import make_export_dossiers

    # The export's dossiers when it ran before (the factory's receipt numbers are unique), all submitted.
    campaign = (
        Campaign.objects.annotate(n=Count("dossiers")).filter(n__gte=dossiers).order_by("-n").first()
        or make_export_dossiers(dossiers, libraries=libraries)
    )
    Dossier.objects.filter(campaign=campaign).update(status=Dossier.Status.SUBMITTED)
    durations, queries = [], []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            write_xlsx(report_sheets(build_report(campaign)))
            durations.append((time.perf_counter() - start) * 1000)
        queries.append(len(ctx.captured_queries))
    return {"label": f"« État des lieux » {dossiers}×{libraries} (+ XLSX)",
            "p50": statistics.median(durations), "p95": percentile(durations, 95), "queries": max(queries)}


def _measured(rows: list[dict], label: str, measure) -> None:
    try:
        rows.append(measure())
    except Exception as exc:  # a part that fails is reported, the others still run
        rows.append({"label": label, "errors": f"{type(exc).__name__}: {exc}"[:80]})


# --- Main --------------------------------------------------------------------------------------

def require_wrk() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk est introuvable : « apt-get install wrk » (root), puis relancer make bench.\n"
                 "wrk is missing: install it with `apt-get install wrk` (as root), then run make bench again.")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short runs to iterate (wrk -d2s, 2 s per save level)")
    parser.add_argument("--wrk", default=None, help=f"wrk options per page (default « {DEFAULT_WRK} »)")
    parser.add_argument("--save-seconds", type=float, default=None, help="duration of each save level (default 10)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (WEB_CONCURRENCY), default 2")
    parser.add_argument("--pdf-runs", type=int, default=None)
    parser.add_argument("--export-runs", type=int, default=None)
    parser.add_argument("--only", nargs="+", choices=PARTS, default=list(PARTS), metavar="PART",
                        help=f"measure only these parts ({', '.join(PARTS)})")
    parser.add_argument("--profile", nargs="?", const="export", choices=("export", "save"),
                        help="print a cProfile of one export (default) or of 30 step saves in this process")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL", PG_URL),
                        help="maintenance URL of the PostgreSQL server that gets the bench's database")
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", REDIS_URL),
                        help="the Redis database of the bench (emptied before and after)")
    args = parser.parse_args(argv)
    args.wrk = shlex.split(args.wrk or (QUICK_WRK if args.quick else DEFAULT_WRK))
    args.save_seconds = args.save_seconds or (2.0 if args.quick else 10.0)
    args.pdf_runs = args.pdf_runs or (2 if args.quick else 5)
    args.export_runs = args.export_runs or (1 if args.quick else 3)
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    out = sys.stdout
    servers_needed = bool({"pages", "save"} & set(args.only))
    if "pages" in args.only:
        require_wrk()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a kill runs the finally below too
    processes = Processes()
    tmp = Path(tempfile.mkdtemp(prefix="bnm-bench-"))
    postgres = postgres_available(args.postgres)
    started = time.monotonic()
    import redis

    cache = redis.Redis.from_url(args.redis)
    try:
        cache.ping()
    except redis.RedisError:
        sys.exit(f"Redis ne répond pas à {args.redis} / Redis does not answer at {args.redis}.")
    try:
        if postgres:
            recreate_database(args.postgres, DB_NAME)
            database_url = args.postgres.rsplit("/", 1)[0] + "/" + DB_NAME
            engine = f"PostgreSQL (base {DB_NAME}, créée et supprimée par le bench)"
        else:
            database_url = f"sqlite:///{tmp / 'bench.sqlite3'}"
            engine = "SQLite temporaire : PostgreSQL ne répond pas, les chiffres ne valent pas pour la production"
        cache.flushdb()
        env = site_environment(tmp, database_url, args.redis, args.workers)
        os.environ.update(env)
        import django

        django.setup()
        load_before = load_average()
        out.write(f"Base : {engine}\nMachine : {machine_description()}, charge {load_before}\n")
        out.write("Préparation (réglages de production)…\n")
        prepare_site(out, env, content=servers_needed)
        dossiers = make_dossiers(out) if servers_needed else []
        rows: list[dict] = []
        if args.profile == "save" and dossiers:
            profile_saves(dossiers[-1])
        if servers_needed:
            logs = {name: tmp / f"{name}.log" for name in ("cached", "uncached", "ceiling")}
            sites = {"cached": gunicorn(processes, env, logs["cached"]),
                     "uncached": gunicorn(processes, {**env, "PAGE_CACHE_SECONDS": "0"}, logs["uncached"])}
            out.write(f"gunicorn : {args.workers} workers sync (gunicorn.conf.py), wrk {' '.join(args.wrk)}\n")
            if "pages" in args.only:
                import requests

                home = requests.get(sites["cached"] + "/", headers={"Accept-Encoding": "identity"}, timeout=60)
                body = tmp / "home.html"
                body.write_bytes(home.content)
                ceiling_site = gunicorn(processes, {**env, "BENCH_CEILING_BODY": str(body)}, logs["ceiling"],
                                        app="tests.bench_ceiling:application")
                first = measure_ceiling(ceiling_site, args.wrk)
                out.write(f"  plafond : {first['rps']:.0f} req/s\n")
                page_rows = measure_pages(out, sites, args.wrk, first["rps"])
                last = measure_ceiling(ceiling_site, args.wrk)
                ceiling = (first["rps"] + last["rps"]) / 2
                for row in page_rows:
                    if row.get("rps"):
                        row["ratio"] = row["rps"] / ceiling
                rows.append({"label": f"plafond : WSGI minimal, mêmes octets que l’accueil ({len(home.content) // 1024} Ko) ; "
                                      f"{first['rps']:.0f} puis {last['rps']:.0f} req/s",
                             "rps": ceiling, "p50": (first["p50"] + last["p50"]) / 2,
                             "p99": max(first["p99"], last["p99"]), "ratio": 1.0,
                             "errors": first["errors"] + last["errors"]})
                rows.extend(page_rows)
            if "save" in args.only:
                save_rows = measure_saves(out, sites["cached"], dossiers, args.save_seconds)
                try:
                    queries = save_queries(dossiers[-1])
                except Exception as exc:
                    out.write(f"  requêtes SQL d’un enregistrement : {type(exc).__name__}: {exc}\n")
                else:
                    for row in save_rows:
                        row["queries"] = queries
                rows.extend(save_rows)
            processes.stop_all()
        if "pdf" in args.only:
            _measured(rows, "PDF d’un dossier", lambda: measure_pdf(args.pdf_runs))
        if "export" in args.only:
            _measured(rows, "export XLSX", lambda: measure_export(args.export_runs, profile=args.profile == "export"))
        if "report" in args.only:
            _measured(rows, "« État des lieux »", lambda: measure_report(args.export_runs))
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        out.write(f"\n{stamp} — {machine_description()} — charge (1/5/15 min) {load_before} au début, "
                  f"{load_average()} à la fin — {engine.split(' (')[0].split(' :')[0]}, gunicorn {args.workers} workers "
                  f"sync, wrk {' '.join(args.wrk)}, {args.save_seconds:.0f} s par niveau d’enregistrement — "
                  f"{(time.monotonic() - started) / 60:.1f} min\n\n")
        out.write(format_table(rows) + "\n")
        return 0
    finally:
        processes.stop_all()
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        with contextlib.suppress(Exception):
            cache.flushdb()
        if postgres:
            with contextlib.suppress(Exception):
                recreate_database(args.postgres, DB_NAME, drop_only=True)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
