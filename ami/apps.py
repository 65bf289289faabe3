from django.apps import AppConfig


class AmiConfig(AppConfig):
    verbose_name = "Appel à manifestation d’intérêt"
    default_auto_field = "django.db.models.BigAutoField"
    name = "ami"

    def ready(self):
        from ami.heartbeat import connect_signals

        connect_signals()
