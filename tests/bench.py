"""`make bench`: latency and query count of the main pages, the dossier PDF render time, the
back-office XLSX export and the « État des lieux » (500 dossiers × 3 libraries).

Runs on a throwaway SQLite database (migrated, filled by load_bnm_content when available),
with django.test.Client, so it needs no server and touches no real database:

    .venv/bin/python -m tests.bench [--requests 50] [--only pages|pdf|export|report ...]

`--only export` measures the XLSX export alone (no pages, no content loaded).

Prints, per URL: HTTP status, median and p95 latency (ms), queries per request (median / max).
A page that does not exist yet is reported with its status code, not as a crash.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

URLS = ["/", "/la-bnm/", "/faq/", "/calendrier/", "/calendrier/bnm.ics", "/candidater/"]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def setup_django(db_path: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    import django

    django.setup()


def prepare_database(out) -> None:
    from django.core.management import call_command, get_commands

    call_command("migrate", verbosity=0, interactive=False)
    if "load_bnm_content" in get_commands():
        try:
            call_command("load_bnm_content", verbosity=0)
        except Exception as exc:  # the bench still measures what exists
            out.write(f"load_bnm_content failed: {type(exc).__name__}: {exc}\n")
    else:
        out.write("load_bnm_content not available: pages are measured as they are.\n")


def measure_url(client, url: str, requests: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = client.get(url)  # warm caches, templates, menus
    durations, queries = [], []
    status = first.status_code
    for _ in range(requests):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
            durations.append((time.perf_counter() - start) * 1000)
        queries.append(len(ctx.captured_queries))
        status = response.status_code
    return {
        "label": url,
        "status": status,
        "median": statistics.median(durations),
        "p95": percentile(durations, 95),
        "queries": f"{int(statistics.median(queries))} / {max(queries)}",
        "n": requests,
    }


def measure_pdf(runs: int) -> dict:
    from ami.pdf import render_dossier_pdf
    from tests.integration_fixtures import make_complete_dossier, submit_dossier_version

    dossier = make_complete_dossier()
    version = submit_dossier_version(dossier, receipt_number="BNM-2022-0001")
    render_dossier_pdf(dossier, version)  # warm fonts
    durations = []
    size = 0
    for _ in range(runs):
        start = time.perf_counter()
        size = len(render_dossier_pdf(dossier, version))
        durations.append((time.perf_counter() - start) * 1000)
    return {
        "label": f"PDF dossier (2 bibliothèques, {size // 1024} Ko)",
        "status": "-",
        "median": statistics.median(durations),
        "p95": percentile(durations, 95),
        "queries": "-",
        "n": runs,
    }


def measure_export(runs: int, dossiers: int = 500, libraries: int = 3, profile: bool = False) -> dict:
    """The back-office XLSX export of `dossiers` × `libraries` (budget: 3 s)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ami.backoffice.exports import build_xlsx
    from ami.models import Dossier
    from tests.ami.export_data import make_export_dossiers

    campaign = make_export_dossiers(dossiers, libraries=libraries)
    queryset = Dossier.objects.filter(campaign=campaign)
    durations, cpu, queries = [], [], []
    size = 0
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
    return {
        "label": f"Export XLSX {dossiers}×{libraries} ({size // 1024} Ko)",
        "status": "-",
        "median": statistics.median(durations),
        "cpu": statistics.median(cpu),
        "p95": percentile(durations, 95),
        "queries": f"{int(statistics.median(queries))} / {max(queries)}",
        "n": runs,
    }


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
    return {
        "label": f"État des lieux {dossiers}×{libraries} (+ XLSX)",
        "status": "-",
        "median": statistics.median(durations),
        "p95": percentile(durations, 95),
        "queries": f"{int(statistics.median(queries))} / {max(queries)}",
        "n": runs,
    }


def print_table(rows: list[dict], out) -> None:
    header = (
        f"{'URL / opération':<42} {'statut':>6} {'n':>4} {'médiane ms':>11} {'p95 ms':>9} "
        f"{'requêtes SQL (méd./max)':>24} {'CPU méd. ms':>12}"
    )
    out.write(header + "\n" + "-" * len(header) + "\n")
    for row in rows:
        out.write(
            f"{row['label']:<42} {row['status']!s:>6} {row['n']:>4} {row['median']:>11.1f} {row['p95']:>9.1f} "
            f"{row['queries']:>24} {(format(row['cpu'], '.1f') if 'cpu' in row else '-'):>12}\n"
        )


PARTS = ("pages", "pdf", "export", "report")


def _measured(rows: list[dict], label: str, measure) -> None:
    try:
        rows.append(measure())
    except Exception as exc:  # a part that fails is reported, the others still run
        rows.append({"label": label, "status": f"ERR {type(exc).__name__}", "median": 0, "p95": 0,
                     "queries": "-", "n": 0})


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--pdf-runs", type=int, default=5)
    parser.add_argument("--export-runs", type=int, default=3)
    parser.add_argument(
        "--only", nargs="+", choices=PARTS, default=list(PARTS), metavar="PART",
        help=f"measure only these parts ({', '.join(PARTS)})",
    )
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the export (with --only export)")
    args = parser.parse_args(argv)
    out = sys.stdout
    with tempfile.TemporaryDirectory(prefix="bnm-bench-") as tmp:
        setup_django(Path(tmp) / "bench.sqlite3")
        out.write("Préparation de la base temporaire (migrate, contenu)…\n")
        if set(args.only) <= {"export", "report"}:
            from django.core.management import call_command

            call_command("migrate", verbosity=0, interactive=False)  # the export needs no page content
        else:
            prepare_database(out)
        from django.test import Client

        client = Client()
        rows = []
        if "pages" in args.only:
            for url in URLS:
                _measured(rows, url, lambda url=url: measure_url(client, url, args.requests))
        if "pdf" in args.only:
            _measured(rows, "PDF dossier", lambda: measure_pdf(args.pdf_runs))
        if "export" in args.only:
            _measured(rows, "Export XLSX", lambda: measure_export(args.export_runs, profile=args.profile))
        if "report" in args.only:
            _measured(rows, "État des lieux", lambda: measure_report(args.export_runs))
        out.write("\n")
        print_table(rows, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
