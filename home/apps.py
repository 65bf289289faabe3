from django.apps import AppConfig


class HomeConfig(AppConfig):
    verbose_name = "Site BNM"
    default_auto_field = "django.db.models.BigAutoField"
    name = "home"

    def ready(self):
        from core import pagecache

        pagecache.connect_signals()
