"""Two web hosts behind one load balancer (README « Deployment on several machines »): two
gunicorn processes of the Procfile's `web:` command, each with its own disk (MEDIA_ROOT,
PRIVATE_MEDIA_ROOT), sharing what the README says they share and nothing else: the test's
PostgreSQL database, a Redis of their own (cache, page cache, rate-limit counters; started on
a free port by tests/redis_fixtures.py), the object storage (moto's S3 server) and the
environment (SECRET_KEY). The load balancer is played by the test: every request carries the
site's public Host and the client's address in X-Forwarded-For, and a browser's cookies follow
it to whichever process answers.

- One referent, served alternately: starts her dossier on A (private link e-mailed), opens the
  link on B in another browser, saves a step on B, another on A, uploads the signed document on
  A, downloads it and submits on B; each process shows what the other saved, nothing is lost.
- Rate limits: requests spread over both processes count once; the limit refuses on both.
- Page cache: a page stored by B is served by A too, and both show at once a change published
  through A's admin, or through the ORM by a third process (this test), even when B builds the
  page while that change's transaction is still open.

Settings: config.settings.base, i.e. production without what needs TLS or collectstatic
(secure cookies, HTTPS redirect, HSTS, the static manifest); everything the processes share or
keep (database, caches, sessions, storage, rate limits) is configured as in production.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
import requests
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from ami.models import Dossier, DossierVersion, OutboxEmail
from ami.views.public import LINK_EMAIL_TARGET_RATE, LINK_REQUEST_IP_RATE
from tests.ami.factories import (
    commune,
    complete_dossier,
    dossier_path,
    make_campaign,
    make_dossier,
    step_post_data,
    step_url,
    valid_pdf_bytes,
)
from tests.gunicorn_process import ROOT, stop, wait_until_answering, web_command
from tests.home.editor_form import edit_form_post_data
from tests.integration_fixtures import SmtpSink, _free_port
from tests.redis_fixtures import OwnRedis

pytestmark = pytest.mark.integration

PUBLIC_HOST = "bnm.example.org"  # what the load balancer forwards as Host to every web process
MEDIA_BUCKET, PRIVATE_BUCKET = "bnm-media", "bnm-private"
LINK = re.compile(r"/candidater/acces/[A-Za-z0-9_-]+/")
SAVED = "Vos réponses ont été enregistrées."
IP_LIMIT = int(LINK_REQUEST_IP_RATE.split("/")[0])
EMAIL_LIMIT = int(LINK_EMAIL_TARGET_RATE.split("/")[0])


@dataclass
class Web:
    name: str
    url: str
    process: subprocess.Popen
    disk: Path  # this host's MEDIA_ROOT and PRIVATE_MEDIA_ROOT

    def files_on_disk(self) -> list[Path]:
        return [path for path in self.disk.rglob("*") if path.is_file()]


@dataclass
class Pair:
    a: Web
    b: Web
    redis: OwnRedis
    mail: SmtpSink
    s3: object  # boto3 client of the object storage


class Browser:
    """One browser behind the load balancer: its cookies go with it to either process."""

    def __init__(self, address: str):
        self.address = address
        self.http = requests.Session()
        self.http.headers.update({"Host": PUBLIC_HOST})

    def get(self, web: Web, path: str) -> requests.Response:
        return self.http.get(web.url + path, headers={"X-Forwarded-For": self.address},
                             allow_redirects=False, timeout=20)

    def post(self, web: Web, path: str, data=(), files=None, address: str | None = None) -> requests.Response:
        """A form post, with the CSRF token the form page gave (Django's cookie holds it)."""
        fields = list(data.items()) if isinstance(data, dict) else list(data)
        fields.append(("csrfmiddlewaretoken", self.http.cookies["csrftoken"]))
        return self.http.post(web.url + path, data=fields, files=files, allow_redirects=False, timeout=20,
                              headers={"X-Forwarded-For": address or self.address})


def _database_url() -> str:
    db = connection.settings_dict
    return (f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
            f"/{db['NAME']}")


@pytest.fixture(scope="module")
def web_pair(django_db_setup, s3_endpoint, tmp_path_factory):
    """Web processes A and B (1 sync worker each) on free ports, for the whole module."""
    if connection.vendor != "postgresql":
        pytest.skip("the web processes share the test database: PostgreSQL (as in CI)")
    from aiosmtpd.controller import Controller

    executable = shutil.which("redis-server")
    if executable is None:  # never skip: a missing service is a failure
        pytest.fail("redis-server is required (apt-get install -y redis-server)")
    tmp = tmp_path_factory.mktemp("web")
    logs = [tmp / "A.log", tmp / "B.log"]
    with ExitStack() as cleanup:
        redis = OwnRedis(executable)
        redis.start()
        cleanup.callback(redis.stop)
        mail = SmtpSink()
        smtp = Controller(mail, hostname="127.0.0.1", port=_free_port())
        smtp.start()
        cleanup.callback(smtp.stop)
        s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-west-3",
                          aws_access_key_id="bnm", aws_secret_access_key="secret")
        for bucket in (MEDIA_BUCKET, PRIVATE_BUCKET):
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
        shared = {  # the one environment file every host gets
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "SECRET_KEY": django_settings.SECRET_KEY,  # this process's too: it acts as a third host
            "DEBUG": "0",
            "ALLOWED_HOSTS": f"{PUBLIC_HOST},127.0.0.1",  # the load balancer probes /sante/ by address
            "SITE_BASE_URL": f"https://{PUBLIC_HOST}",
            "TRUSTED_PROXY_COUNT": "1",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": redis.url(),
            "CELERY_BROKER_URL": "",  # tasks run in the web process after the commit (no worker here)
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
            "S3_ENDPOINT_URL": s3_endpoint, "S3_REGION": "eu-west-3", "S3_ACCESS_KEY_ID": "bnm",
            "S3_SECRET_ACCESS_KEY": "secret", "S3_MEDIA_BUCKET": MEDIA_BUCKET, "S3_PRIVATE_BUCKET": PRIVATE_BUCKET,
            "WEB_CONCURRENCY": "1",
            "XDG_RUNTIME_DIR": str(tmp),
            "PYTHONUNBUFFERED": "1",
        }
        base_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "S3_", "GUNICORN_"))}
        webs = []
        for name, log in zip(("A", "B"), logs, strict=True):
            port, disk = _free_port(), tmp / name
            env = dict(base_env, **shared, PORT=str(port), MEDIA_ROOT=str(disk / "media"),
                       PRIVATE_MEDIA_ROOT=str(disk / "private"))
            with log.open("w") as out:
                process = subprocess.Popen([*web_command(), "--no-control-socket"], cwd=ROOT, env=env,
                                           stdout=out, stderr=subprocess.STDOUT)
            cleanup.callback(stop, process)
            webs.append(Web(name, f"http://127.0.0.1:{port}", process, disk))
        cleanup.callback(lambda: [web.process.terminate() for web in webs])  # runs first: both stop at once
        for web in webs:
            wait_until_answering(web.process, f"{web.url}/sante/?web")
        yield Pair(webs[0], webs[1], redis, mail, s3)
    for log in logs:
        text = log.read_text()
        assert "Traceback" not in text, text[-4000:]


@pytest.fixture
def pair(web_pair, transactional_db, django_db_serialized_rollback, settings):
    """The pair, with this test process as a third host: its cache is the processes' Redis (so
    an ORM change here invalidates their pages, as one made by the worker or a shell would),
    emptied before the test, as are the mailbox and the rate-limit counters."""
    web_pair.redis.client().flushdb()
    web_pair.mail.messages.clear()
    settings.CACHES = {**settings.CACHES, "default": {
        "BACKEND": "config.cache.FailSoftRedisCache", "LOCATION": web_pair.redis.url(),
        "OPTIONS": django_settings.REDIS_CACHE_OPTIONS,
    }}
    settings.PAGE_CACHE_ALIAS = "default"
    return web_pair


# --- One referent, two processes ----------------------------------------------------------------


def test_one_referent_is_served_alternately_by_two_web_processes(pair):
    a, b = pair.a, pair.b
    campaign = make_campaign()
    roubaix = commune("Roubaix")

    # At the office, on A: she starts the dossier; A e-mails her the private link.
    office = Browser("203.0.113.10")
    assert office.get(a, reverse("ami:start")).status_code == 200
    started = office.post(a, reverse("ami:start"),
                          {"commune": roubaix.pk, "is_network": "false", "agent_email": "claire@ville-roubaix.fr"})
    dossier = Dossier.objects.get(campaign=campaign, commune=roubaix)
    assert started.status_code == 302 and started.headers["Location"] == step_url(dossier, "commune")
    [message] = pair.mail.wait_for(1)
    assert message["To"] == "claire@ville-roubaix.fr"
    link = LINK.search(message.get_body(preferencelist=("plain",)).get_content()).group(0)
    # The answers this test does not type (libraries, engagements, objectives…), as if typed earlier.
    complete_dossier(dossier, with_document=False)

    # At home, on B: the e-mailed link opens the dossier in another browser.
    home = Browser("198.51.100.20")
    assert home.get(b, link).status_code == 200
    opened = home.post(b, link)
    assert opened.status_code == 302 and opened.headers["Location"] == dossier_path("ami:dossier", dossier)

    # A step saved on B; the next page, served by A, says so and shows it.
    data = step_post_data(dossier, "commune") | {"elected_last_name": "Lefebvre", "elected_first_name": "Hélène"}
    assert home.post(b, step_url(dossier, "commune"), data).status_code == 302
    page = home.get(a, step_url(dossier, "commune")).text
    assert SAVED in page and 'value="Lefebvre"' in page and 'value="Hélène"' in page

    # Another step saved on A, shown by B.
    statement = "Notre réseau de lecture publique s’ouvre aux ressources numériques métropolitaines."
    data = step_post_data(dossier, "projet") | {"project_statement": statement}
    assert home.post(a, step_url(dossier, "projet"), data).status_code == 302
    page = home.get(b, step_url(dossier, "projet")).text
    assert SAVED in page and escape(statement) in page
    assert 'value="Lefebvre"' in home.get(b, step_url(dossier, "commune")).text  # B's save still there

    # The signed document uploaded on A, downloaded from B: it lives in the object storage, on
    # neither host's disk.
    document = valid_pdf_bytes("Délibération signée par le maire de Roubaix")
    uploaded = home.post(a, step_url(dossier, "validation"), step_post_data(dossier, "validation"),
                         files={"signed_document": ("deliberation.pdf", document, "application/pdf")})
    assert uploaded.status_code == 302
    download = home.get(b, dossier_path("ami:signed_document", dossier))
    assert download.status_code == 200 and download.content == document
    assert a.files_on_disk() == [] and b.files_on_disk() == []

    # Submitted on B; the office browser, whose session A opened, sees the receipt on A and B.
    submitted = home.post(b, dossier_path("ami:submit", dossier))
    confirmation = dossier_path("ami:confirmation", dossier)
    assert submitted.status_code == 302 and submitted.headers["Location"] == confirmation
    dossier.refresh_from_db()
    assert dossier.status == "submitted" and dossier.receipt_number
    for web in (a, b):
        page = office.get(web, confirmation)
        assert page.status_code == 200 and dossier.receipt_number in page.text

    # One dossier, one version holding what each process saved, and the document.
    assert Dossier.objects.filter(campaign=campaign).count() == 1
    [version] = DossierVersion.objects.filter(dossier=dossier)
    answers = version.data["dossier"]
    assert (answers["elected_last_name"], answers["elected_first_name"]) == ("Lefebvre", "Hélène")
    assert answers["project_statement"] == statement
    assert version.data["signed_document"]["size"] == len(document)
    stored = pair.s3.get_object(Bucket=PRIVATE_BUCKET, Key=dossier.signed_document.name)["Body"].read()
    assert stored == document
    receipts = [m for m in pair.mail.wait_for(3) if dossier.receipt_number in str(m["Subject"])]
    assert "claire@ville-roubaix.fr" in {address for m in receipts for address in str(m["To"]).split(", ")}
    assert a.files_on_disk() == [] and b.files_on_disk() == []


# --- Rate limits ---------------------------------------------------------------------------------


def test_rate_limits_count_the_requests_of_both_processes(pair):
    a, b = pair.a, pair.b
    campaign = make_campaign()
    make_dossier(campaign, commune("Tourcoing"), agent_email="agent@ville-tourcoing.fr")
    resume = reverse("ami:resume")

    # One client's link requests, spread over both processes: the 11th is refused, on B then on A.
    flooder = Browser("192.0.2.66")
    flooder.get(a, resume)
    statuses = [flooder.post((a, b)[n % 2], resume, {"email": f"x{n}@example.fr"}).status_code
                for n in range(IP_LIMIT + 2)]
    assert statuses == [200] * IP_LIMIT + [429, 429]
    assert "Trop de demandes" in flooder.post(b, resume, {"email": "y@example.fr"}).text
    assert flooder.post(a, resume, {"email": "z@example.fr"}, address="192.0.2.67").status_code == 200

    # A referent's address asked for from many clients, on both processes: 5 e-mails in all.
    others = Browser("")
    others.get(b, resume)
    for n in range(2 * EMAIL_LIMIT + 2):
        sent = others.post((a, b)[n % 2], resume, {"email": "agent@ville-tourcoing.fr"}, address=f"198.51.100.{n + 1}")
        assert sent.status_code == 200
    to_referent = OutboxEmail.objects.filter(to__contains=["agent@ville-tourcoing.fr"])
    assert to_referent.count() == EMAIL_LIMIT
    assert len([m for m in pair.mail.wait_for(EMAIL_LIMIT) if m["To"] == "agent@ville-tourcoing.fr"]) == EMAIL_LIMIT


# --- Page cache ----------------------------------------------------------------------------------


def _public_site():
    """A home page with « Contact » in its menu, served for the site's public host."""
    from wagtail.models import Page, Site

    from home.models import HomePage, StandardPage

    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="Bibliothèque numérique métropolitaine", slug="bnm",
                                            intro="Une bibliothèque numérique pour la métropole."))
    contact = home.add_child(instance=StandardPage(title="Contact", slug="contact", show_in_menus=True,
                                                   body="<p>Écrivez-nous.</p>"))
    Site.objects.all().delete()
    Site.objects.create(hostname=PUBLIC_HOST, port=443, root_page=home, is_default_site=True, site_name="BNM")
    return home, contact


def _menu_titles(html: str) -> list[str]:
    from bs4 import BeautifulSoup

    nav = BeautifulSoup(html, "html.parser").find("nav", attrs={"aria-label": "Menu principal"})
    return [link.get_text(strip=True) for link in nav.find_all("a")]


def test_a_change_published_through_one_process_is_served_at_once_by_both(pair):
    a, b = pair.a, pair.b
    home, contact = _public_site()
    campaign = make_campaign(title="Appel à manifestation d’intérêt 2027")
    visitor = Browser("203.0.113.30")  # anonymous: no cookie

    assert b.name == "B" and visitor.get(b, "/").headers["X-Page-Cache"] == "miss"
    assert visitor.get(b, "/").headers["X-Page-Cache"] == "hit"
    assert visitor.get(a, "/").headers["X-Page-Cache"] == "hit"  # stored by B, served by A

    # An editor publishes a new introduction through A's admin.
    editor = Browser("203.0.113.31")
    login = Client()
    login.force_login(get_user_model().objects.create_superuser("editrice", "editrice@example.org", "x"))
    editor.http.cookies.set(django_settings.SESSION_COOKIE_NAME, login.cookies[django_settings.SESSION_COOKIE_NAME].value,
                            domain=PUBLIC_HOST)
    edit = reverse("wagtailadmin_pages:edit", args=[home.pk])
    form = editor.get(a, edit)
    assert form.status_code == 200
    data = edit_form_post_data(form.text, home)
    data["intro"] = "La bibliothèque numérique ouvre ses portes à toutes les communes."
    data["action-publish"] = "action-publish"
    published = editor.post(a, edit, [(key, value) for key, values in data.lists() for value in values
                                      if key != "csrfmiddlewaretoken"])
    assert published.status_code == 302, published.text[-2000:]
    for web in (b, a):
        assert "ouvre ses portes à toutes les communes" in visitor.get(web, "/").text

    # The ORM in this process renames « Contact » in a transaction; B serves the home page while
    # that transaction is still open (the old name: not yet committed), then after the commit.
    with transaction.atomic():
        contact.title = "Nous écrire"
        contact.save_revision().publish()
        during = visitor.get(b, "/")
        assert "Contact" in _menu_titles(during.text) and "Nous écrire" not in during.text
    for web in (b, a):
        after = visitor.get(web, "/").text
        assert "Nous écrire" in _menu_titles(after) and "Contact" not in _menu_titles(after)

    # The same on a page without menus: /candidater/ and the call's title.
    call = reverse("ami:home")
    assert visitor.get(b, call).headers["X-Page-Cache"] == "miss"
    assert visitor.get(a, call).headers["X-Page-Cache"] == "hit"
    with transaction.atomic():
        campaign.title = "Appel à manifestation d’intérêt 2027, prolongé"
        campaign.save()
        assert "prolongé" not in visitor.get(b, call).text  # not committed yet
    for web in (b, a):
        assert "prolongé" in visitor.get(web, call).text
