from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Admin accounts: login lockout (django-axes) and the TOTP second factor (django-otp)."""

    verbose_name = "Comptes de l’administration"
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from accounts.second_factor import remember_what_login_needs

        user_logged_in.connect(remember_what_login_needs, dispatch_uid="accounts-second-factor")
