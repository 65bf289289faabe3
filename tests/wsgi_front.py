"""The site's WSGI application as gunicorn calls it (config/wsgi.py: the page cache's front
before Django), for tests that must go through the front rather than the test client."""
from io import BytesIO

import pytest


class Django:
    """Django's WSGI handler, counting the requests that reach it. As the test client does, the
    signal that closes database connections after a request is held off (it would end the test's
    transaction)."""

    def __init__(self):
        self.handler = None
        self.calls = 0

    def __call__(self, environ, start_response):
        from django.core.handlers.wsgi import WSGIHandler

        self.calls += 1
        self.handler = self.handler or WSGIHandler()  # built at first use: the test's settings apply
        return self.handler(environ, start_response)


@pytest.fixture
def front():
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from core.pagecache import PageCacheApplication

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    django = Django()
    yield PageCacheApplication(django), django
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def wsgi_get(app, path, **headers):
    """GET `path` (a str of the raw bytes as WSGI gives them) the way gunicorn calls the app."""
    environ = {"REQUEST_METHOD": "GET", "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": "",
               "SERVER_NAME": "testserver", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
               "HTTP_HOST": "testserver", "wsgi.url_scheme": "http", "wsgi.input": BytesIO(),
               "wsgi.errors": BytesIO(), **headers}
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"], answer["headers"] = status, dict(response_headers)

    body = b"".join(app(environ, start_response))
    return answer["status"], answer["headers"], body
