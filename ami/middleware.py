"""The AMI's private pages: never cached nor indexed, and dossier access that ends after an idle time.

One place for both, keyed on the resolved URL: every view of the `ami` namespace except the
public call page is private (dossier pages and downloads, the private link `acces/…`, the
start and resume forms and their answers).
"""
import time

from django.conf import settings
from django.http import HttpResponseForbidden
from django.urls import reverse
from django.utils.cache import patch_cache_control

# The call for expressions of interest and its blank questionnaire: public content.
PUBLIC_VIEWS = {"home", "blank_questionnaire"}
SESSION_PREFIX = "ami_"  # every session key of the AMI (dossier access) starts with it
LAST_SEEN_KEY = "ami_last_seen"
LAST_SEEN_RESOLUTION = 60  # seconds: the session is written at most once a minute for the idle clock


def is_private(request) -> bool:
    match = getattr(request, "resolver_match", None)
    return match is not None and match.namespace == "ami" and match.url_name not in PUBLIC_VIEWS


def private_path_prefixes() -> list[str]:
    """The path prefixes of every private view (["/candidater/acces/", "/candidater/commencer/", …]):
    the part of each route before its first parameter, for robots.txt's Disallow lines."""
    from django.urls import reverse

    from . import urls

    root = reverse("ami:home")
    prefixes = {root + str(pattern.pattern).split("<", 1)[0] for pattern in urls.urlpatterns if pattern.name not in PUBLIC_VIEWS}
    return sorted(p for p in prefixes if not any(p != other and p.startswith(other) for other in prefixes))


def _holds_dossier_access(session) -> bool:
    return any(key.startswith(SESSION_PREFIX) and key != LAST_SEEN_KEY for key in session.keys())


class PrivateDossierMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_private(request):
            patch_cache_control(response, no_store=True, private=True)
            response.headers.pop("Expires", None)
            response.headers["X-Robots-Tag"] = "noindex, nofollow"  # a private link is never a search result
            session = getattr(request, "session", None)
            if session is not None and _holds_dossier_access(session):
                now = int(time.time())  # sliding: each dossier page counts
                last_seen = session.get(LAST_SEEN_KEY)
                if not isinstance(last_seen, int) or now - last_seen >= LAST_SEEN_RESOLUTION:
                    session[LAST_SEEN_KEY] = now
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        """Before a private view runs: forget the dossiers of a browser idle for too long."""
        if not is_private(request):
            return None
        session = request.session
        last_seen = session.get(LAST_SEEN_KEY)
        idle = settings.AMI_SESSION_IDLE_SECONDS
        if isinstance(last_seen, int) and time.time() - last_seen > idle:
            for key in [k for k in session.keys() if k.startswith(SESSION_PREFIX)]:
                del session[key]
        return None


NOT_FOR_YOU = "Vous n’avez pas l’autorisation d’accéder à l’AMI : cet espace est réservé à l’équipe BNM."


def is_ami_admin(request) -> bool:
    """An admin view of the AMI (modeladmin and back-office views are all named « ami_… »)."""
    match = getattr(request, "resolver_match", None)
    return (
        match is not None and (match.url_name or "").startswith("ami_")
        and request.path.startswith(reverse("wagtailadmin_home"))
    )


class AmiAdminForbiddenMiddleware:
    """A member of the admin without any right on the AMI (« Éditeurs ») gets a plain French 403 on
    every AMI admin URL, before the view runs: Wagtail would turn the view's PermissionDenied into a
    redirect to the dashboard. Whoever has no admin access still goes to the login page (Wagtail's
    own redirect); a member of « Équipe BNM » meets each view's own finer checks."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if not is_ami_admin(request) or user is None or not user.is_authenticated:
            return None
        if user.has_module_perms("ami") or not user.has_perm("wagtailadmin.access_admin"):
            return None  # the team; or someone Wagtail sends to its login page
        return HttpResponseForbidden(NOT_FOR_YOU, content_type="text/plain; charset=utf-8")
