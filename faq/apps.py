from django.apps import AppConfig


class FaqConfig(AppConfig):
    verbose_name = "FAQ"
    default_auto_field = "django.db.models.BigAutoField"
    name = "faq"
