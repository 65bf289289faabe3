"""The outbox sweep by hand: dispatch the pending e-mails whose next attempt is due.

Celery beat runs the same sweep (ami.tasks.send_pending_emails) every OUTBOX_SWEEP_SECONDS;
this command is for cron without beat, or an operator in a hurry. Without a broker
(development), the e-mails are sent right away, one attempt each.
"""
from django.core.management.base import BaseCommand

from ami.tasks import send_pending_emails


class Command(BaseCommand):
    help = "Envoie à la file d’envoi les e-mails de l’AMI en attente dont la prochaine tentative est due."

    def handle(self, *args, **options):
        count = send_pending_emails()
        self.stdout.write(f"{count} e-mail(s) en attente envoyé(s) à la file d’envoi.")
