"""Create the local administrator account used by `make run` (development only). Idempotent."""
import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Crée le compte d’administration local (développement) s’il n’existe pas."

    def handle(self, *args, **options):
        username = os.environ.get("BNM_ADMIN_USER", "admin")
        password = os.environ.get("BNM_ADMIN_PASSWORD", "bnm-admin-local")
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=username, defaults={"email": "admin@example.org", "is_staff": True, "is_superuser": True}
        )
        if created:
            user.set_password(password)
            user.save()
            self.stdout.write(f"Compte créé. Administration : /admin/  identifiant « {username} », mot de passe « {password} ».")
        else:
            self.stdout.write(f"Administration : /admin/  identifiant « {username} » (compte déjà existant).")
