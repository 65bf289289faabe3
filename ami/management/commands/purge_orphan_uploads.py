"""Remove the private files (signed documents, stored PDFs) that no row references any more.

Idempotent; `--dry-run` only reports. Files younger than `--min-age` seconds (default one hour)
are kept: an upload may be in flight, stored on disk before its transaction commits.
Run it from cron, e.g. once a day.
"""
import time

from django.core.management.base import BaseCommand

from ami.models import Dossier
from ami.services.uploads import referenced_private_files
from core.typography import plural
from ops.backup import stored_names as _stored_names


class Command(BaseCommand):
    help = (
        "Supprime les fichiers privés de l’AMI (documents signés, PDF des dossiers) qu’aucune ligne de la "
        "base ne référence plus. Les fichiers récents (moins d’une heure par défaut) sont conservés."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Affiche ce qui serait supprimé sans rien supprimer.")
        parser.add_argument(
            "--min-age", type=int, default=3600, metavar="SECONDES",
            help="Âge minimal d’un fichier orphelin pour le supprimer (3600 par défaut).",
        )

    def handle(self, *args, dry_run=False, min_age=3600, **options):
        storage = Dossier._meta.get_field("signed_document").storage
        referenced = referenced_private_files()
        cutoff = time.time() - max(0, min_age)
        scanned = kept_referenced = kept_young = removed = 0
        for name in sorted(_stored_names(storage)):
            scanned += 1
            if name in referenced:
                kept_referenced += 1
            elif storage.get_modified_time(name).timestamp() > cutoff:
                kept_young += 1
            else:
                removed += 1
                if dry_run:
                    self.stdout.write(f"à supprimer\u202f: {name}")
                else:
                    storage.delete(name)
        simulation = " (simulation\u202f: rien n’a été supprimé)" if dry_run else ""
        verb = ("orphelin à supprimer", "orphelins à supprimer") if dry_run else ("orphelin supprimé", "orphelins supprimés")
        self.stdout.write(
            f"{plural(scanned, 'fichier examiné', 'fichiers examinés')}, "
            f"{plural(removed, 'fichier ' + verb[0], 'fichiers ' + verb[1])}, "
            f"{plural(kept_referenced, 'fichier référencé conservé', 'fichiers référencés conservés')}, "
            f"{plural(kept_young, 'fichier récent conservé', 'fichiers récents conservés')}"
            f"{simulation}."
        )
