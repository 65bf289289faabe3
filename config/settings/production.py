from .base import *  # noqa: F403
from .base import ENV, SECRET_KEY

DEBUG = False
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set in production.")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = ENV.get("SECURE_SSL_REDIRECT", "1") == "1"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True  # only names below the site's own host name
# HSTS preload is decided for a whole registrable domain (lillemetropole.fr and all its sites),
# not by one site living on a sub-domain of it: left to the MEL, hence silenced.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
STORAGES = {
    **STORAGES,  # noqa: F405 - uploaded files: disk or object storage, as base.py chose
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
