"""The ceiling of `make bench`: the smallest WSGI app, answering every request with the bytes of
a file (the site's home page, saved by the bench), started under the same gunicorn settings as
the site. What it serves per second is what this machine and gunicorn allow at best.

    BENCH_CEILING_BODY=home.html gunicorn -c gunicorn.conf.py tests.bench_ceiling:application
"""
import os

BODY = open(os.environ["BENCH_CEILING_BODY"], "rb").read()  # noqa: SIM115 - read once, at import
HEADERS = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(BODY)))]


def application(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
