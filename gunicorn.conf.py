"""gunicorn settings of the web process (`gunicorn -c gunicorn.conf.py`, the Procfile's `web:`).

Every value can be changed from the environment (README « Deployment on several machines »);
options given on the command line win over this file.
"""
import multiprocessing
import os

env = os.environ

wsgi_app = "config.wsgi:application"
bind = env.get("GUNICORN_BIND") or f"{env.get('HOST', '127.0.0.1')}:{env.get('PORT', '8000')}"
# Sync workers: each request holds one worker; the site's requests are short (no streaming, no
# websockets). Default 2 × cores + 1, or WEB_CONCURRENCY.
workers = int(env.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"
# A request taking longer is killed (its worker restarted): the slowest page, a dossier PDF, takes
# about a second; uploads are at most 10 MB.
timeout = int(env.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(env.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(env.get("GUNICORN_KEEPALIVE", "5"))
# Restart each worker after about this many requests, so a slow leak cannot grow for ever.
max_requests = int(env.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = max_requests // 10
# Addresses of the reverse proxies whose X-Forwarded-Proto / X-Forwarded-For gunicorn believes
# (comma-separated, CIDR allowed). The client address the site uses for rate limits and login
# lockouts comes from X-Forwarded-For with TRUSTED_PROXY_COUNT (Django settings), not from here.
forwarded_allow_ips = env.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# One line per request on stdout, with the client address the proxy forwarded; errors on stderr.
accesslog = env.get("GUNICORN_ACCESS_LOG", "-")
access_log_format = '%(h)s fwd=%({x-forwarded-for}i)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'
errorlog = "-"
loglevel = env.get("GUNICORN_LOG_LEVEL", "info")
# gunicorn 27 opens a control socket at one fixed path per user ($XDG_RUNTIME_DIR/gunicorn.ctl):
# a second instance on the same host (a blue/green switch, a benchmark) would take it over. Off
# unless GUNICORN_CONTROL_SOCKET names a path of this instance's own (for `gunicornc`); on the
# command line, give extra instances `--no-control-socket`.
control_socket_disable = not env.get("GUNICORN_CONTROL_SOCKET")
if env.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = env["GUNICORN_CONTROL_SOCKET"]
