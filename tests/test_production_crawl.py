"""Crawl the public site, the AMI and the admin under production static storage.

The other tests serve static files with plain ``StaticFilesStorage``, which answers any name.
In production ``CompressedManifestStaticFilesStorage`` raises for a name missing from the
manifest, so a template naming a file that ``collectstatic`` does not collect is an HTTP 500
there and nowhere else. Here ``collectstatic`` writes the real manifest into a temporary
STATIC_ROOT (once per module), WhiteNoise serves only that directory (no finders), and every
page a visitor or a superuser reaches is requested:

- the visitor: every live page, the AMI's call, start and resume pages, search, sitemap,
  robots.txt, the RSS and iCal feeds, a 404, the pages of dossiers opened in the browser,
  and the same-host links found in all of them;
- the superuser: the dashboard, every entry of the admin menu, the page explorer and editor of
  every page, every view of every registered modeladmin (index, create, and inspect / edit /
  delete of each object), the « État des lieux » report (and its XLSX), and the links found in them;
- a member of « Éditeurs »: the same dashboard, menu and page editors (all 200, each saved unchanged: 302), and every AMI
  URL of the admin (modeladmin views, back-office views, downloads, exports), each refused
  (403), with no personal data in any response.

Each response must be below 500, and each ``/static/…`` URL in a ``src`` or ``href`` must be a
file of the collectstatic output that WhiteNoise serves.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

pytestmark = [pytest.mark.crawl, pytest.mark.django_db]

# Bounds of the link-following part of each crawl (the listed URLs are always requested).
MAX_FOLLOWED = {"visitor": 250, "admin": 400}
# A link found in a page is followed when no more than PER_SHAPE links of the same view (path
# with its ids replaced, same query keys) were followed before.
PER_SHAPE = 2
LOGOUT_NAMES = ("wagtailadmin_logout",)

PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def _static_extensions() -> list[str]:
    """Every file extension among the static sources: compressing (.gz / .br copies) changes
    neither the manifest nor which files exist, and is most of collectstatic's time."""
    return sorted(
        {Path(path).suffix.lstrip(".") for finder in get_finders() for path, _ in finder.list([]) if Path(path).suffix}
    )


@pytest.fixture(scope="module")
def production_static(tmp_path_factory):
    """collectstatic with the production storage into a temporary STATIC_ROOT, and the
    production serving of it: DEBUG off, WhiteNoise reading only STATIC_ROOT."""
    root = tmp_path_factory.mktemp("staticfiles")
    with override_settings(
        DEBUG=False,
        STATIC_ROOT=root,
        STORAGES=PRODUCTION_STORAGES,
        WHITENOISE_USE_FINDERS=False,
        WHITENOISE_AUTOREFRESH=False,
        WHITENOISE_SKIP_COMPRESS_EXTENSIONS=_static_extensions(),
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        manifest = json.loads((root / "staticfiles.json").read_text())
        assert manifest["paths"], "collectstatic wrote an empty manifest"
        yield root


@pytest.fixture(scope="module")
def site_content(production_static, django_db_setup, django_db_blocker):
    """The content of `make run` and one dossier of each state, built once for the module in a
    transaction rolled back at its end (each test runs in a savepoint inside it)."""
    from ami.models import Campaign, OutboxEmail
    from ami.services.uploads import store_signed_document
    from tests.ami.factories import make_dossier, valid_pdf_bytes
    from tests.integration_fixtures import make_complete_dossier, submit_dossier_version

    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_bnm_content", "--demo", verbosity=0)  # as `make run`: the 2022 call and an open demo call
        campaign = Campaign.objects.current()
        assert campaign is not None and campaign.is_open() and campaign.is_demo, "load_bnm_content --demo's call should be open"
        now = timezone.now()
        closed = Campaign.objects.create(
            title="AMI BNM clos", statistics_year=2020, first_engagement_year=2022,
            opens_at=now - dt.timedelta(days=400), closes_at=now - dt.timedelta(days=300),
        )
        dossiers = {
            "complete draft": make_complete_dossier(campaign, communes=("Lille", "Lezennes")),
            "empty draft": make_dossier(campaign, libraries=1),
            "submitted": make_complete_dossier(campaign, communes=("Tourcoing",), libraries=1),
            "reopened": make_complete_dossier(campaign, communes=("Villeneuve-d'Ascq",), libraries=1),
            "closed campaign": make_complete_dossier(closed, communes=("Wattrelos",), libraries=1),
        }
        store_signed_document(dossiers["submitted"], valid_pdf_bytes())
        submit_dossier_version(dossiers["submitted"])
        submit_dossier_version(dossiers["reopened"])
        dossiers["reopened"].status = dossiers["reopened"].Status.DRAFT
        dossiers["reopened"].save()
        submit_dossier_version(dossiers["closed campaign"])
        # Campaign timing: an extension for one commune and a journal entry of each kind of change.
        from ami.services import campaigns as campaign_service
        from tests.ami.factories import commune

        campaign_service.grant_extension(campaign, commune("Lille"), campaign.closes_at + dt.timedelta(days=7),
                                         "Conseil municipal", None)
        campaign_service.extend(closed, now + dt.timedelta(days=1), None)
        campaign_service.close_now(closed, None)
        # Reviewed by the team: sent back « à compléter » with a message, a private note, its e-mail.
        from ami.models import DossierNote
        from ami.services.review import transition

        dossiers["to complete"] = make_complete_dossier(campaign, communes=("Croix",), libraries=3)
        submit_dossier_version(dossiers["to complete"])
        transition(dossiers["to complete"].pk, "in_review")
        transition(dossiers["to complete"].pk, "to_complete", message="Précisez le budget.",
                   due_at=now + dt.timedelta(days=10))
        DossierNote.objects.create(dossier=dossiers["to complete"], text="Appeler la DGS.")
        for status in OutboxEmail.Status:
            OutboxEmail.objects.create(
                key=f"crawl-{status}", to=["agent@example.org"], subject=f"E-mail {status.label}",
                body="Bonjour", dossier=dossiers["submitted"], status=status,
                sent_at=now if status == OutboxEmail.Status.SENT else None,
                failed_at=now if status == OutboxEmail.Status.FAILED else None,
                attempts=0 if status == OutboxEmail.Status.PENDING else 3,
                last_error="" if status == OutboxEmail.Status.SENT else "SMTP injoignable",
            )
        # A working group with a member added by the team and a meeting on the public calendar.
        from ami.models import WorkingGroup, WorkingGroupMeeting, WorkingGroupMember
        from ami.services.working_groups import publish_meeting_event

        group = WorkingGroup.objects.get(name="Groupe livres numériques")
        WorkingGroupMember.objects.create(group=group, name="Alice Durand", email="alice.durand@hem.fr")
        meeting = WorkingGroupMeeting.objects.create(
            group=group, starts_at=now + dt.timedelta(days=20), place="Hôtel de la Métropole", is_online=True,
            online_url="https://visio.example.org/reunion", description="Ordre du jour",
        )
        assert publish_meeting_event(meeting) is not None
        yield dossiers
        transaction.set_rollback(True)


# --- The crawler ------------------------------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in {"href", "src"} and value:
                self.urls.append(value)
            elif name == "srcset" and value:
                self.urls.extend(part.split()[0] for part in value.split(",") if part.strip())


def _sidebar_urls(html: str) -> list[str]:
    """The URLs of the admin menu (the sidebar is rendered by JavaScript from this JSON)."""
    match = re.search(r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', html, re.S)
    assert match, "the admin page has no sidebar menu"
    found: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "url" and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(match.group(1)))
    return found


class Crawl:
    """Requests URLs with a Django test client, records server errors and static references,
    and follows same-host links (each path once per set of query keys, at most `limit`)."""

    def __init__(self, client: Client, static_root: Path, *, scope: str, limit: int, skip: tuple[str, ...] = (),
                 forbidden: tuple[str, ...] = ()):
        self.client = client
        self.forbidden = forbidden  # texts no response may contain (personal data the user may not read)
        self.static_root = static_root
        self.scope = scope
        self.limit = limit
        self.skip = skip
        self.seen: set[tuple] = set()
        self.shapes: dict[tuple, int] = {}
        self.queue: deque[str] = deque()
        self.followed = 0
        self.statuses: dict[str, int] = {}
        self.errors: list[str] = []
        self.static_refs: dict[str, str] = {}  # static URL -> first page naming it
        self.expected_5xx: dict[str, int] = {}
        self.kept: dict[str, str] = {}  # HTML of the URLs named in `keep`, for a test to read after the crawl
        self.keep: set[str] = set()

    def expect(self, url: str, status: int) -> None:
        """`url` answers `status` (≥ 500) by design, e.g. a health check reporting a fault."""
        self.expected_5xx[url] = status
        self.add(url)

    @staticmethod
    def _key(url: str, *, shape: bool = False) -> tuple:
        """The path and the keys of the query string; with `shape`, the path's numbers (object
        ids) replaced by "#", so that a link found in pages reaches each view a few times, not
        once per object."""
        parts = urlsplit(url)
        path = re.sub(r"(?<=/)\d+(?=/)", "#", parts.path) if shape else parts.path
        return path, frozenset(key for key, _ in parse_qsl(parts.query, keep_blank_values=True))

    def add(self, url: str, *, listed: bool = True) -> None:
        key = self._key(url)
        if key in self.seen:
            return
        if not listed:
            shape = self._key(url, shape=True)
            if self.followed >= self.limit or self.shapes.get(shape, 0) >= PER_SHAPE:
                return
            self.shapes[shape] = self.shapes.get(shape, 0) + 1
            self.followed += 1
        self.seen.add(key)
        self.queue.append(url)

    def run(self) -> Crawl:
        while self.queue:
            self.visit(self.queue.popleft())
        return self

    def visit(self, url: str) -> None:
        try:
            response = self.client.get(url)
        except Exception as exc:  # the test client re-raises the view's exception: an HTTP 500
            self.statuses[url] = 500
            self.errors.append(f"{url} -> 500 {type(exc).__name__}: {exc}")
            return
        self.statuses[url] = response.status_code
        if response.status_code >= 500 and self.expected_5xx.get(url) != response.status_code:
            self.errors.append(f"{url} -> {response.status_code}")
        if self.forbidden and not getattr(response, "streaming", False):
            body = response.content.decode(errors="replace").replace("<wbr>", "")
            self.errors.extend(f"{url} shows {text!r}" for text in self.forbidden if text in body)
        content_type = response.get("Content-Type", "")
        if response.status_code != 200 or not content_type.startswith("text/html"):
            return
        html = response.content.decode()
        if url in self.keep:
            self.kept[url] = html
        parser = _Links()
        parser.feed(html)
        for link in parser.urls:
            self._found(urljoin("http://testserver" + url, link), url)

    def _found(self, link: str, page: str) -> None:
        parts = urlsplit(link)
        if parts.scheme not in {"http", "https"} or parts.hostname not in {"testserver", "localhost"}:
            return
        path = parts.path
        if path.startswith(settings.STATIC_URL):
            self.static_refs.setdefault(path, page)
            return
        if any(path.startswith(prefix) for prefix in self.skip):
            return
        if (self.scope == "admin") != path.startswith(reverse("wagtailadmin_home")):
            return
        self.add(path + (f"?{parts.query}" if parts.query else ""), listed=False)

    def missing_static(self) -> list[str]:
        """Static URLs that are not a file of the collectstatic output served by WhiteNoise."""
        missing = []
        for url, page in sorted(self.static_refs.items()):
            name = url.removeprefix(settings.STATIC_URL)
            status = self.client.get(url).status_code
            if not (self.static_root / name).is_file() or status != 200:
                missing.append(f"{url} (in {page}) -> {status}")
        return missing


def _assert_clean(crawl: Crawl) -> None:
    counts: dict[int, int] = {}
    for status in crawl.statuses.values():
        counts[status] = counts.get(status, 0) + 1
    print(f"{crawl.scope}: {len(crawl.statuses)} URLs ({crawl.followed} found in pages), statuses {sorted(counts.items())}, "
          f"{len(crawl.static_refs)} static URLs")
    assert crawl.followed, "no link followed: the crawl did not read the pages"
    assert not crawl.errors, "HTTP 5xx under production static storage:\n" + "\n".join(crawl.errors)
    assert crawl.static_refs, "no /static/ URL found: the crawl did not read the pages"
    missing = crawl.missing_static()
    assert not missing, "static URLs missing from the collectstatic output:\n" + "\n".join(missing)


# --- Visitor ----------------------------------------------------------------------------------


def test_public_site_and_ami_answer_under_manifest_storage(production_static, site_content):
    from wagtail.models import Page

    from ami.services.tokens import issue_token
    from home.models import CalendarPage, EventPage, NewsIndexPage
    from tests.ami.factories import open_dossier_in_session

    client = Client()
    crawl = Crawl(client, production_static, scope="visitor", limit=MAX_FOLLOWED["visitor"])
    pages = [page for page in Page.objects.live().public().specific() if page.depth > 1]
    for page in pages:
        crawl.add(page.get_url())
    calendar = CalendarPage.objects.live().get()
    news = NewsIndexPage.objects.live().get()
    crawl.add(calendar.ical_url)
    crawl.add(EventPage.objects.live().first().ics_url)
    crawl.add(news.get_url() + news.reverse_subpage("rss"))
    for name in ("ami:home", "ami:start", "ami:resume", "ami:dossiers", "sitemap", "robots_txt"):
        crawl.add(reverse(name))
    # /sante/ answers 503 by design while an e-mail is in « échec » (there is one here).
    crawl.add(reverse("health") + "?web")
    crawl.expect(reverse("health"), 503)
    crawl.add(reverse("search") + "?q=bibliothèque")
    crawl.add(reverse("search") + "?q=zzzz-aucun-resultat")
    crawl.add("/cette-page-n-existe-pas/")
    # A private link (its GET page only shows a button) and every page of the open dossiers.
    crawl.add(reverse("ami:access", kwargs={"token": issue_token(site_content["complete draft"])}))
    for dossier in site_content.values():
        open_dossier_in_session(client, dossier)
        crawl.add(reverse("ami:dossier", kwargs={"public_id": dossier.public_id}))
        crawl.add(reverse("ami:confirmation", kwargs={"public_id": dossier.public_id}))
    crawl.run()

    assert crawl.statuses["/cette-page-n-existe-pas/"] == 404
    assert {page.get_url(): crawl.statuses[page.get_url()] for page in pages} == {page.get_url(): 200 for page in pages}
    assert crawl.statuses[calendar.ical_url] == 200 and crawl.statuses[reverse("health") + "?web"] == 200
    _assert_clean(crawl)


# --- Admin ------------------------------------------------------------------------------------


def _modeladmin_urls() -> list[str]:
    """Every URL registered by wagtail-modeladmin, reversed by name: the views without an
    object once, the views of an object for each object of the model (at most 10)."""
    urls = []
    prefixes = {f"{m._meta.app_label}_{m._meta.model_name}_modeladmin_": m for m in apps.get_models()}

    def walk(patterns):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns)
            elif isinstance(entry, URLPattern) and entry.name and "_modeladmin_" in entry.name:
                yield entry

    for pattern in walk(get_resolver().url_patterns):
        prefix = next((p for p in prefixes if pattern.name.startswith(p)), None)
        assert prefix, f"no model for {pattern.name}"
        params = list(pattern.pattern.regex.groupindex)
        if not params:
            urls.append(reverse(pattern.name))
            continue
        assert params == ["instance_pk"], f"{pattern.name} takes {params}"
        for pk in prefixes[prefix]._default_manager.values_list("pk", flat=True)[:10]:
            urls.append(reverse(pattern.name, kwargs={"instance_pk": pk}))
    return urls


def _campaign_timing_urls() -> list[str]:
    """The campaign pages of the back-office (ami.backoffice.campaigns) and their forms and
    confirmations (the actions themselves are POST only), for every campaign and extension."""
    from ami.models import Campaign, CampaignExtension

    urls = []
    for campaign in Campaign.objects.all():
        for name in ("ami_campaign_timing", "ami_campaign_extend", "ami_campaign_extension_add"):
            urls.append(reverse(name, args=[campaign.pk]))
        if campaign.is_open():
            urls.append(reverse("ami_campaign_close_now", args=[campaign.pk]))
    for extension in CampaignExtension.objects.all():
        for name in ("ami_campaign_extension_edit", "ami_campaign_extension_withdraw"):
            urls.append(reverse(name, args=[extension.campaign_id, extension.commune_id]))
    return urls


def test_admin_answers_under_manifest_storage(production_static, site_content, django_user_model):
    from wagtail.models import Page, Site

    user = django_user_model.objects.create_superuser("crawl", "crawl@example.org", "motdepasse-solide-42")
    client = Client()
    client.force_login(user)
    skip = tuple(reverse(name) for name in LOGOUT_NAMES)
    crawl = Crawl(client, production_static, scope="admin", limit=MAX_FOLLOWED["admin"], skip=skip)

    dashboard = client.get(reverse("wagtailadmin_home"))
    assert dashboard.status_code == 200
    menu = [url for url in _sidebar_urls(dashboard.content.decode()) if url.startswith("/") and not url.startswith(skip)]
    assert reverse("ami_dossier_modeladmin_index") in menu and reverse("wagtailusers_users:index") in menu
    crawl.add(reverse("wagtailadmin_home"))
    for url in menu:
        crawl.add(url)
    pages = list(Page.objects.filter(depth__gt=1))
    for page in pages:
        crawl.add(reverse("wagtailadmin_explore", args=[page.pk]))
        crawl.add(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    modeladmin = _modeladmin_urls()
    for url in modeladmin:
        crawl.add(url)
    for dossier in site_content.values():  # every state's inspect page, and its actions (POST; GET goes back)
        crawl.add(reverse("ami_dossier_modeladmin_inspect", args=[dossier.pk]))
        crawl.add(reverse("ami_review_decision", args=[dossier.pk]))
        crawl.add(reverse("ami_review_note", args=[dossier.pk]))
    for name in ("wagtailsnippets:index", "wagtailadmin_reports:locked_pages", "wagtailusers_users:index",
                 "wagtailusers_groups:index", "wagtailsites:index"):
        crawl.add(reverse(name))
    crawl.add(reverse("wagtailusers_users:edit", args=[user.pk]))
    # The site settings, among them « mentions légales et données personnelles » (home.LegalSettings).
    site = Site.objects.get(is_default_site=True)
    settings_pages = [reverse("wagtailsettings:edit", args=["home", model, site.pk])
                      for model in ("bnmsettings", "legalsettings")]
    for url in settings_pages:
        crawl.add(url)
    # The account page and its « Double authentification » enrolment page (QR code, form).
    crawl.add(reverse("wagtailadmin_account"))
    crawl.add(reverse("accounts_two_factor"))
    # The back-office report: the current campaign (one submitted dossier), the closed one, its XLSX.
    report = reverse("ami_backoffice_report")
    closed = site_content["closed campaign"].campaign
    for url in (report, f"{report}?campaign={closed.pk}", f"{report}?campaign={closed.pk}&export=xlsx"):
        crawl.add(url)
    # The working groups' views (not modeladmin's): members, « Écrire au groupe », invitations.
    from ami.models import Campaign, WorkingGroup, WorkingGroupMeeting

    campaign = Campaign.objects.current()
    group_views = []
    for group in WorkingGroup.objects.all():
        group_views.append(reverse("ami_workinggroup_members", args=[group.pk]) + f"?campaign={campaign.pk}")
        group_views.append(reverse("ami_workinggroup_write", args=[group.pk]))
    for meeting in WorkingGroupMeeting.objects.all():
        group_views.append(reverse("ami_workinggroupmeeting_invite", args=[meeting.pk]))
    for url in group_views:
        crawl.add(url)
    timing = _campaign_timing_urls()
    for url in timing:
        crawl.add(url)
    crawl.run()
    assert all(crawl.statuses[url] == 200 for url in timing), {url: crawl.statuses[url] for url in timing}

    assert crawl.statuses[report] == 200 and crawl.statuses[f"{report}?campaign={closed.pk}&export=xlsx"] == 200
    assert {url: crawl.statuses.get(url) for url in group_views} == {url: 200 for url in group_views}
    assert {url: crawl.statuses.get(url) for url in settings_pages} == {url: 200 for url in settings_pages}
    assert crawl.statuses[reverse("accounts_two_factor")] == 200
    for url in [reverse("wagtailadmin_pages:edit", args=[page.pk]) for page in pages] + modeladmin:
        assert url in crawl.statuses
    _assert_clean(crawl)

    # The decision and note forms in their error state (rendered again with the page, HTTP 400).
    submitted = site_content["submitted"]
    for name, data in (
        ("ami_review_decision", {"completer-submit": "1", "completer-message": "", "completer-due_at": "hier"}),
        ("ami_review_decision", {"decision-target": "accepted"}),
        ("ami_review_note", {"note-text": ""}),
    ):
        response = client.post(reverse(name, args=[submitted.pk]), data)
        assert response.status_code == 400, name
        crawl.static_refs.clear()
        parser = _Links()
        parser.feed(response.content.decode())
        for link in parser.urls:
            crawl._found(urljoin("http://testserver" + reverse(name, args=[submitted.pk]), link), name)
        assert not crawl.missing_static(), name


def test_login_lockout_and_second_factor_pages_under_manifest_storage(production_static, site_content,
                                                                      django_user_model):
    """The pages of a login that is not a plain password: the code page after the password, its
    error state, the enrolment page with its error, the lockout page (public site's look)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    django_user_model.objects.create_superuser("deux", "deux@example.org", "motdepasse-solide-42")
    client = Client(REMOTE_ADDR="203.0.113.50")
    crawl = Crawl(client, production_static, scope="admin", limit=10, skip=tuple(reverse(n) for n in LOGOUT_NAMES))
    user = django_user_model.objects.get(username="deux")
    TOTPDevice.objects.create(user=user, name="Téléphone", confirmed=True)
    assert client.post(reverse("wagtailadmin_login"), {"username": "deux", "password": "motdepasse-solide-42"}).status_code == 302
    crawl.add(reverse("accounts_verify"))
    crawl.run()
    assert crawl.statuses[reverse("accounts_verify")] == 200
    pages = {"code refused": client.post(reverse("accounts_verify"), {"code": "12"})}
    enrolling = Client()
    enrolling.force_login(django_user_model.objects.create_superuser("trois", "trois@example.org", "x-solide-42"))
    pages["enrolment"] = enrolling.get(reverse("accounts_two_factor"))
    pages["enrolment refused"] = enrolling.post(reverse("accounts_two_factor"), {"code": "abc"})
    locked = Client(REMOTE_ADDR="203.0.113.51")
    for _ in range(5):
        pages["lockout"] = locked.post(reverse("wagtailadmin_login"), {"username": "deux", "password": "faux"})
    assert [response.status_code for response in pages.values()] == [400, 200, 400, 429]
    for name, response in pages.items():
        parser = _Links()
        parser.feed(response.content.decode())
        for link in parser.urls:
            crawl._found(urljoin("http://testserver/admin/", link), name)
    _assert_clean(crawl)


# --- « Éditeurs » -----------------------------------------------------------------------------

# Personal data of the crawl's dossiers and e-mails (tests/integration_fixtures, factories).
PERSONAL_DATA = ("lucas.martin@example.org", "claire.durand@example.org", "agent@example.org", "agent@example.fr",
                 "03 20 12 34 56", "DEL-2022-117")


def _ami_admin_urls(dossiers) -> list[str]:
    """Every URL of the admin named ``ami_…`` (modeladmin and back-office views, downloads), each
    view of an object reversed for a few objects; plus the dossier list's exports."""
    from ami.models import Campaign, Commune, Dossier

    admin_prefix = reverse("wagtailadmin_home")
    models = {m._meta.model_name: m for m in apps.get_app_config("ami").get_models()}

    def walk(entries, prefix=""):
        for entry in entries:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern) and (entry.name or "").startswith("ami_"):
                yield entry.name, list(entry.pattern.regex.groupindex)

    patterns = sorted(set((name, tuple(params)) for name, params in walk(get_resolver().url_patterns)))

    def model_of(name: str):
        """The model a URL name is about: « ami_workinggroup_modeladmin_edit » → WorkingGroup,
        « ami_admin_outbox_resend » → OutboxEmail (a prefix of one model's name); else Dossier."""
        words = name.removeprefix("ami_").split("_")
        for word in words:
            if word in models:
                return models[word]
        for word in words:
            found = [m for key, m in models.items() if len(word) > 4 and key.startswith(word)]
            if len(found) == 1:
                return found[0]
        return Dossier

    urls = []
    submitted = dossiers["submitted"]
    for name, params in patterns:
        model = model_of(name)
        if not params:
            url = reverse(name)
            if url.startswith(admin_prefix):
                urls.append(url)
            continue
        values = {}
        for param in params:
            if param in ("pk", "instance_pk"):
                values[param] = [obj.pk for obj in model._default_manager.all()[:3]] or [submitted.pk]
            elif param == "number":
                values[param] = [1]
            elif param == "campaign_pk":
                values[param] = [submitted.campaign_id]
            elif param == "commune_pk":
                values[param] = [Commune.objects.exclude(dossier_links__campaign=submitted.campaign).first().pk]
            elif param.endswith("_pk") and param.removesuffix("_pk") in models:
                values[param] = [models[param.removesuffix("_pk")]._default_manager.first().pk]
            else:
                raise AssertionError(f"{name}: no value known for its parameter {param!r}; add one to _ami_admin_urls")
        for index in range(max(len(v) for v in values.values())):
            kwargs = {param: v[min(index, len(v) - 1)] for param, v in values.items()}
            if model is Dossier and "number" in kwargs:
                kwargs[next(p for p in params if p != "number")] = submitted.pk
            url = reverse(name, kwargs=kwargs)
            if url.startswith(admin_prefix):
                urls.append(url)
    index = reverse("ami_dossier_modeladmin_index")
    urls += [f"{index}?export=xlsx", f"{index}?export=csv", f"{index}?status=submitted&export=xlsx"]
    assert Campaign.objects.exists() and len(urls) >= 40, urls
    return sorted(set(urls))


def test_editors_are_refused_the_ami_and_edit_every_page(production_static, site_content, django_user_model):
    from django.contrib.auth.models import Group
    from wagtail.models import Page

    from ami.backoffice.groups import EDITORS_GROUP

    user = django_user_model.objects.create_user("redaction", "redaction@example.org", "motdepasse-solide-42")
    user.groups.add(Group.objects.get(name=EDITORS_GROUP))
    client = Client()
    client.force_login(user)
    home = reverse("wagtailadmin_home")
    team = Client()
    team.force_login(django_user_model.objects.create_superuser("equipe", "equipe@example.org", "motdepasse-solide-42"))
    inspect = team.get(reverse("ami_dossier_modeladmin_inspect", args=[site_content["submitted"].pk])).content.decode()
    assert [text for text in PERSONAL_DATA[:2] if text in inspect] == list(PERSONAL_DATA[:2])  # what is at stake

    # Every AMI URL: refused, without a byte of the dossiers.
    ami_urls = _ami_admin_urls(site_content)
    refused: dict[str, str] = {}  # URLs that were not refused: status and redirect
    for url in ami_urls:
        response = client.get(url)
        body = response.content.decode(errors="replace").replace("<wbr>", "")
        location = response.get("Location", "").split("?")[0]
        if response.status_code != 403:  # a French 403 (ami.middleware), never the dashboard
            refused[url] = f"{response.status_code} {location}"
        assert not response.get("Content-Disposition"), url
        assert not [text for text in PERSONAL_DATA if text in body], url
    assert refused == {}

    # The admin an editor works in: dashboard, menu, every page's editor; links followed.
    skip = tuple(reverse(name) for name in LOGOUT_NAMES)
    crawl = Crawl(client, production_static, scope="admin", limit=MAX_FOLLOWED["admin"], skip=skip,
                  forbidden=PERSONAL_DATA)
    dashboard = client.get(home)
    assert dashboard.status_code == 200
    menu = [url for url in _sidebar_urls(dashboard.content.decode()) if url.startswith("/") and not url.startswith(skip)]
    assert not [url for url in menu if url in ami_urls or url.startswith(reverse("ami_dossier_modeladmin_index"))]
    crawl.add(home)
    for url in menu:
        crawl.add(url)
    pages = list(Page.objects.filter(depth__gt=1))
    editors = [reverse("wagtailadmin_pages:edit", args=[page.pk]) for page in pages]
    for page in pages:
        crawl.add(reverse("wagtailadmin_explore", args=[page.pk]))
    for url in editors:
        crawl.add(url)
    crawl.keep.update(editors)  # their forms are saved below
    crawl.run()

    assert {url: crawl.statuses[url] for url in editors} == {url: 200 for url in editors}
    reached_ami = {url: status for url, status in crawl.statuses.items() if url.split("?")[0] in
                   {u.split("?")[0] for u in ami_urls}}
    assert all(status in (302, 403) for status in reached_ami.values()), reached_ami
    print(f"editors: {len(ami_urls)} AMI URLs refused, {len(editors)} page editors")
    _assert_clean(crawl)

    # Every page's editor, saved unchanged as the browser posts it (draft): back to the editor, no error.
    from tests.home.editor_form import edit_form_post_data

    not_saved = {}
    for page, url in zip([page.specific for page in pages], editors, strict=True):
        response = client.post(url, edit_form_post_data(crawl.kept[url], page))
        if response.status_code != 302:
            not_saved[page.url_path] = response.status_code
    assert not_saved == {}
