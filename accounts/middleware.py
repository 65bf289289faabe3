"""Until the second factor is given, a logged-in admin user reaches only the pages to give it."""
from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect
from django.urls import reverse

from accounts.second_factor import ENROL, SESSION_KEY, VERIFY

# Reached before the second factor: logging in and out, and what every admin page loads (the
# translations of its scripts, the icons), else the code page would load itself as its icons.
FREE_URL_NAMES = ("wagtailadmin_login", "wagtailadmin_logout", "wagtailadmin_javascript_catalog",
                  "wagtailadmin_sprite")


class SecondFactorMiddleware:
    """After the password, a session flagged VERIFY or ENROL (accounts.second_factor) is sent to
    the code page or the enrolment page for every admin URL but those and FREE_URL_NAMES;
    elsewhere (public site, documents) it counts as anonymous."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Without a session cookie there is no login to hold; not reading the session then keeps
        # `Vary: Cookie` off the answers that are the same for everyone (the portal's JSON).
        has_session = hasattr(request, "session") and settings.SESSION_COOKIE_NAME in request.COOKIES
        step = request.session.get(SESSION_KEY) if has_session else None
        if step in (VERIFY, ENROL) and request.user.is_authenticated and not request.user.is_verified():
            response = self.hold(request, step)
            if response is not None:
                return response
        return self.get_response(request)

    def hold(self, request, step):
        admin = reverse("wagtailadmin_home")
        target = reverse("accounts_verify" if step == VERIFY else "accounts_two_factor")
        if not request.path.startswith(admin):
            request.user = AnonymousUser()
            return None
        free = {target, *(reverse(name) for name in FREE_URL_NAMES)}
        if request.path in free:
            return None
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
