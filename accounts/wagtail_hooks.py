from django.urls import reverse
from wagtail import hooks

from accounts import views


@hooks.register("register_admin_urls")
def register_two_factor_urls():
    return views.urlpatterns


@hooks.register("register_account_menu_item")
def two_factor_menu_item(request):
    return {
        "url": reverse("accounts_two_factor"),
        "label": "Double authentification",
        "help_text": "Demander, après le mot de passe, un code de votre application d’authentification.",
    }
