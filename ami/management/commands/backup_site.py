"""Back up the database and every uploaded file into a new directory (ops/backup.py).

`manage.py backup_site var/backups/2027-03-01` or `make backup`; README « Backups ».
"""
from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, backup_site, summary


class Command(BaseCommand):
    help = (
        "Sauvegarde la base de données (pg_dump, ou copie SQLite) et tous les fichiers déposés (médias "
        "publics, documents signés, PDF des dossiers) dans un nouveau dossier, avec un manifeste (sha256)."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="Dossier de la sauvegarde (créé ; doit être vide s’il existe).")
        parser.add_argument("--database", default="default", help="Alias de la base (default par défaut).")

    def handle(self, *args, directory, database, **options):
        try:
            manifest, report = backup_site(directory, alias=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(warning))
        self.stdout.write(self.style.SUCCESS(
            f"Sauvegarde écrite dans {directory} (base {manifest['database']['vendor']})\u202f: "
            f"{summary(manifest, report)}."
        ))
