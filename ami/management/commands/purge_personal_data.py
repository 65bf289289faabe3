"""Apply the retention periods of « Données personnelles » (ami.services.personal_data): warn the
referents of drafts one month before their deletion, delete the drafts whose period is over,
anonymise the submitted dossiers whose period is over. Idempotent; beat runs it every day."""
from django.core.management.base import BaseCommand

from ami.services.personal_data import purge_personal_data


class Command(BaseCommand):
    help = (
        "Applique les durées de conservation des données personnelles de l’AMI : prévient un mois avant, "
        "supprime les dossiers jamais déposés et anonymise les dossiers déposés dont la durée est écoulée."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Affiche ce qui serait fait sans rien changer.")

    def handle(self, *args, dry_run=False, **options):
        report = purge_personal_data(dry_run=dry_run)
        labels = {"drafts": "dossiers jamais déposés", "dossiers": "dossiers déposés"}
        for kind in report.not_set:
            self.stdout.write(f"Durée de conservation des {labels[kind]} non renseignée\u202f: rien n’est supprimé.")
        prefix = "à " if dry_run else ""
        self.stdout.write(
            f"Avertissements {prefix}envoyer\u202f: {len(report.warned)}\u202f; "
            f"brouillons {'à supprimer' if dry_run else 'supprimés'}\u202f: {len(report.deleted)}\u202f; "
            f"dossiers {'à anonymiser' if dry_run else 'anonymisés'}\u202f: {len(report.anonymised)}\u202f; "
            f"fichiers {'à supprimer' if dry_run else 'supprimés'}\u202f: {len(report.files)}"
            + (" (simulation\u202f: rien n’a été modifié)." if dry_run else ".")
        )
        if dry_run:
            for name in report.files:
                self.stdout.write(f"fichier à supprimer\u202f: {name}")
