"""Timing of « Recevoir un nouveau lien » for a known vs an unknown address or commune.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bnm_me \\
        .venv/bin/python -m tests.bench_links --requests 200 --broker redis://127.0.0.1:6379/6

Creates a throwaway test database (test_<name>, dropped at the end), an open campaign and one
dossier, then posts known and unknown requests alternately (each from its own address, rate
limits off: the work is measured, not the budget) and prints the median and p95 per form.
With --broker, the e-mail dispatch is a real publish to that Redis database (as in
production; the queued messages are purged at the end); without it, the dispatch is skipped.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--broker", default="")
    args = parser.parse_args()

    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.RATELIMIT_ENABLE = False
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        import ami.tasks
        from config.celery import app

        if args.broker:
            app.conf.update(task_always_eager=False, broker_url=args.broker)
        else:
            ami.tasks.dispatch_outbox_email = lambda *a, **k: None
        from tests.ami.factories import commune, make_campaign, make_dossier

        campaign = make_campaign()
        make_dossier(campaign, commune("Roubaix"), agent_email="agent@roubaix.fr")
        forms = {
            "reprendre (e-mail)": ("/candidater/reprendre/", {"email": "agent@roubaix.fr"},
                                   {"email": "personne@nulle-part.fr"}),
            "reprendre (commune)": ("/candidater/reprendre/", {"commune": commune("Roubaix").pk},
                                    {"commune": commune("Lille").pk}),
            "commencer/lien": ("/candidater/commencer/lien/", {"commune": commune("Roubaix").pk},
                               {"commune": commune("Lille").pk}),
        }
        print(f"{'form':22} {'known median':>13} {'unknown median':>15} {'difference':>11} "
              f"{'known p95':>10} {'unknown p95':>12}  (ms, {args.requests} requests each)")
        for label, (url, known, unknown) in forms.items():
            timings = {"known": [], "unknown": []}
            for _warm in range(5):
                Client(REMOTE_ADDR="10.255.0.1").post(url, known)
                Client(REMOTE_ADDR="10.255.0.2").post(url, unknown)
            for i in range(args.requests):
                for kind, data in (("known", known), ("unknown", unknown)) if i % 2 else (
                        ("unknown", unknown), ("known", known)):
                    client = Client(REMOTE_ADDR=f"10.{i // 250}.{i % 250}.{1 if kind == 'known' else 2}")
                    start = time.perf_counter()
                    response = client.post(url, data)
                    timings[kind].append((time.perf_counter() - start) * 1000)
                    assert response.status_code == 200, response.status_code
            med = {kind: statistics.median(values) for kind, values in timings.items()}
            p95 = {kind: sorted(values)[int(0.95 * len(values))] for kind, values in timings.items()}
            print(f"{label:22} {med['known']:13.2f} {med['unknown']:15.2f} {med['known'] - med['unknown']:11.2f} "
                  f"{p95['known']:10.2f} {p95['unknown']:12.2f}")
        if args.broker:
            with app.connection_for_write() as conn:
                conn.default_channel.queue_purge("celery")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
