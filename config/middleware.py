"""Site-wide response headers that no library sets for us."""
from django.conf import settings


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
