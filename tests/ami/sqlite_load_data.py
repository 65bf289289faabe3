"""Run as a subprocess by tests/ami/test_sqlite_concurrency.py against a migrated SQLite file
(DATABASE_URL): creates an open campaign and one draft dossier per commune, and prints, as
JSON, what a referent's browser needs for each: its private link token and the POST data of
the « Projet communal » step as the page would send it.

    python -m tests.ami.sqlite_load_data COUNT
"""
from __future__ import annotations

import json
import sys


def main(count: int) -> None:
    import django

    django.setup()
    from ami.models import Commune
    from ami.services.tokens import issue_token
    from tests.ami.factories import make_campaign, make_dossier, step_post_data

    campaign = make_campaign()
    rows = []
    for index, commune in enumerate(Commune.objects.order_by("name")[:count]):
        dossier = make_dossier(campaign, commune, agent_email=f"agent{index}@example.fr")
        rows.append({
            "public_id": dossier.public_id,
            "token": issue_token(dossier),
            "post": step_post_data(dossier, "projet"),
        })
    json.dump(rows, sys.stdout)


if __name__ == "__main__":
    main(int(sys.argv[1]))
