"""Site-wide response headers that no library sets for us, and compression of public responses."""
from django.conf import settings
from django.middleware.gzip import GZipMiddleware


class PermissionsPolicyMiddleware:
    """`Permissions-Policy` on every response: the browser features listed in settings are disabled.

    PERMISSIONS_POLICY maps a feature to its allow-list; an empty list gives `feature=()`.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})" for feature, origins in getattr(settings, "PERMISSIONS_POLICY", {}).items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


# Content types worth compressing (images, PDFs and archives are compressed already).
COMPRESSIBLE_TYPES = ("text/", "application/xml", "application/rss+xml", "application/json", "application/ld+json",
                      "application/javascript", "image/svg+xml")


def carries_secret(request, response) -> bool:
    """True for a response that may hold something the visitor alone may read: BREACH guesses a
    secret from the compressed size of responses that reflect the attacker's input, so such a
    response is never compressed. The rule: only a response that is the same for every anonymous
    visitor is compressed; not
    - the admin (`/admin/`) nor a private AMI page (dossiers, private access links, the start and
      resume forms: ami.middleware.is_private);
    - a page for a logged-in user (the editors' userbar, previews);
    - a response carrying a CSRF token (any form that posts) or setting a cookie.
    """
    from ami.middleware import is_private

    if request.path.startswith("/admin/") or is_private(request):
        return True
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or response.cookies:
        return True
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False  # nobody is logged in without a session; and not reading it keeps `Vary: Cookie` off
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class PublicGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware (with its random padding, « Heal the Breach ») for public responses
    of a compressible type only; see `carries_secret` for what is never compressed."""

    def process_response(self, request, response):
        content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        if not content_type.startswith(COMPRESSIBLE_TYPES) or carries_secret(request, response):
            return response
        return super().process_response(request, response)
