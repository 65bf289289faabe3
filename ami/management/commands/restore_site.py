"""Restore a backup of backup_site into an empty database and empty storage (ops/backup.py).

Checks every sha256 of the manifest before writing anything; refuses a database or storage that
is not empty unless --force. `make restore FROM=var/backups/…`; README « Backups ».
"""
from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, restore_site, summary


class Command(BaseCommand):
    help = (
        "Restaure une sauvegarde de backup_site dans une base et un stockage vides, après vérification "
        "des sommes sha256 du manifeste. --force restaure par-dessus une base ou un stockage non vides."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="Dossier d’une sauvegarde faite par backup_site.")
        parser.add_argument(
            "--force", action="store_true",
            help="Remplace les tables et fichiers de la sauvegarde même si la base ou le stockage ne sont pas vides.",
        )
        parser.add_argument("--database", default="default", help="Alias de la base (default par défaut).")

    def handle(self, *args, directory, force, database, **options):
        try:
            manifest, report = restore_site(directory, force=force, alias=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(warning))
        self.stdout.write(self.style.SUCCESS(
            f"Sauvegarde du {manifest['created_at']} restaurée, sommes sha256 vérifiées\u202f: "
            f"{summary(manifest, report)}."
        ))
