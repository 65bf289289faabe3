"""Turn off the second factor of an admin account whose phone is lost: it logs in with its
password alone, then enrols again (required again at its next login when ADMIN_REQUIRE_2FA)."""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Supprime l’application d’authentification (TOTP) d’un compte de l’administration."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Aucun compte « {username} ».")
        count, _ = TOTPDevice.objects.filter(user=user).delete()
        self.stdout.write(f"{username} : {count} application(s) d’authentification supprimée(s).")
