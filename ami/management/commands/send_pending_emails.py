"""Safety net for the e-mail outbox: re-dispatch unsent e-mails older than a minute.

Run it from cron if no Celery beat runs (the periodic task ami.tasks.send_pending_emails
does the same). Without a broker (development), the e-mails are sent right away.
"""
from django.core.management.base import BaseCommand

from ami.tasks import send_pending_emails


class Command(BaseCommand):
    help = "Renvoie à la file d’envoi les e-mails de l’AMI non encore partis (créés il y a plus d’une minute)."

    def handle(self, *args, **options):
        count = send_pending_emails()
        self.stdout.write(f"{count} e-mail(s) en attente renvoyé(s) à la file d’envoi.")
