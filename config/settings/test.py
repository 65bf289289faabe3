"""Test settings. Under CI=true everything runs on PostgreSQL (see tests/conftest.py)."""
import os

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASE_URL, database_settings

SECRET_KEY = "test-only-key"
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"

if os.environ.get("CI") == "true" and "DATABASE_URL" not in os.environ:
    DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bnm"
DATABASES = {"default": database_settings(DATABASE_URL)}

# One folder per pytest-xdist worker (PYTEST_XDIST_WORKER is "gw0", "gw1"… or unset).
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
MEDIA_ROOT = BASE_DIR / "var" / f"test-media{_WORKER}"
PRIVATE_MEDIA_ROOT = BASE_DIR / "var" / f"test-private-media{_WORKER}"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# The page cache stays on, as in production, in this process's memory; tests/conftest.py empties
# it before each test (the database is rolled back, the cache would not be).
CACHES = {**CACHES, "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"}}  # noqa: F405
PAGE_CACHE_ALIAS = "pages"
