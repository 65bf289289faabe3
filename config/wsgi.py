import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

from core.pagecache import PageCacheApplication  # noqa: E402 - needs the settings module named

# Pages stored by the page cache are answered before Django's request handling (core/pagecache.py).
application = PageCacheApplication(get_wsgi_application())
