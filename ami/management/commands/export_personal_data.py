"""Print (JSON) what the site holds about a person, found by e-mail address: the dossiers where
they are a referent (agent or élu), the libraries they manage, the e-mails sent to them, their
working-group memberships and their admin account. For a request under the RGPD (right of access)."""
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from ami.services.personal_data import export_json


class Command(BaseCommand):
    help = "Affiche en JSON les données personnelles que le site détient sur une personne (par son adresse e-mail)."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="Adresse e-mail de la personne.")

    def handle(self, *args, email, **options):
        try:
            validate_email(email.strip())
        except ValidationError:
            raise CommandError(f"Adresse e-mail invalide\u202f: {email!r}.") from None
        self.stdout.write(export_json(email))
