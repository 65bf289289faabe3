"""Hostile input on every step (never a 500, saved data never lost on an error), and a generator of
hostile requests over every public and AMI endpoint (tests/ami/fuzzing.py)."""
import contextlib
import os
from datetime import timedelta
from http.cookies import Morsel

import pytest
from django.conf import settings as django_settings
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ami.models import Dossier, Library
from ami.services.steps import FORM_STEPS, STEPS

from .factories import (
    commune,
    complete_dossier,
    make_campaign,
    make_dossier,
    open_dossier_in_session,
    step_post_data,
    step_url,
)

HOSTILE = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300),
    st.sampled_from([
        "", " ", "-1", "1e9", "NaN", "Infinity", "9" * 40, "1 234,50", "0x10", "<script>alert(1)</script>",
        "'; DROP TABLE ami_dossier; --", "\x00", "../../etc/passwd", "true", "false", "on", "oui", "+++", "++++",
        "2027-02-31", "31/12/9999", "%PDF-1.4", "\u202e", "😀" * 50, "a" * 5000,
    ]),
)


def _snapshot(dossier_pk):
    dossier = Dossier.objects.get(pk=dossier_pk)
    libraries = list(Library.objects.filter(dossier_id=dossier_pk).order_by("pk").values())
    fields = {f.name: getattr(dossier, f.attname) for f in Dossier._meta.concrete_fields if f.name != "updated_at"}
    return fields, libraries, list(dossier.commune_links.values_list("commune_id", flat=True)), list(
        dossier.working_group_signups.values_list("group_id", "agent_names")
    )


@pytest.fixture(scope="module")
def fuzz_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        campaign = make_campaign(title="Fuzz")
        dossier = complete_dossier(make_dossier(campaign, libraries=2))
        yield dossier
        Dossier.objects.filter(pk=dossier.pk).delete()
        campaign.delete()


@pytest.mark.parametrize("slug", [step.slug for step in FORM_STEPS])
@pytest.mark.django_db
def test_fuzz_step(slug, fuzz_setup):
    dossier = fuzz_setup
    base = step_post_data(dossier, slug)
    keys = sorted(base) + ["library_action", "continue", "unknown_field"]

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(changes=st.dictionaries(st.sampled_from(keys), HOSTILE, min_size=1, max_size=6))
    def run(changes):
        client = Client()
        open_dossier_in_session(client, dossier)
        before = _snapshot(dossier.pk)
        # The page a browser shows carries the step's current revision (unless fuzzed below).
        data = dict(base, step_revision=str(Dossier.objects.get(pk=dossier.pk).step_revisions.get(slug, 0)))
        data.update(changes)
        if data.get("library_action", "").startswith("remove"):
            data["library_action"] = ""  # removing is a legitimate, tested loss of data
        response = client.post(step_url(dossier, slug), data)
        assert response.status_code in (200, 302, 400, 403, 409), response.status_code
        if response.status_code != 302:
            assert _snapshot(dossier.pk) == before  # an error saves nothing, loses nothing
        else:
            # Restore the complete answers for the next example.
            complete_dossier(Dossier.objects.get(pk=dossier.pk), with_document=False)

    run()


# --- Every endpoint, ≥ 5,000 generated requests ------------------------------------------------

FUZZ_REQUESTS = int(os.environ.get("FUZZ_REQUESTS", "5000"))
FUZZ_SEED = int(os.environ.get("FUZZ_SEED", "20261126"))
# The requests are shared by four tests, so that the workers of `make test` (pytest-xdist) send
# them side by side and none waits at the end for one long test; each part takes every fourth
# systematic request and its own seed.
FUZZ_PARTS = 4
EXPENSIVE_GETS = 1  # a PDF rendering takes seconds: one per PDF endpoint
SESSION_CHANGERS = {"ami:leave", "ami:access", "ami:start", "ami:reopen", "ami:submit"}


def _routable_subpages(page, slugs):
    """Concrete URLs of the routable sub-pages of `page` (iCal feeds, RSS)."""
    urls = []
    for pattern in page.get_subpage_urls():
        groups = list(pattern.pattern.regex.groupindex)
        kwargs_options = [{}] if not groups else [{name: slug for name in groups} for slug in slugs[:3]]
        for kwargs in kwargs_options:
            with contextlib.suppress(Exception):
                urls.append(page.url + page.reverse_subpage(pattern.name, kwargs=kwargs))
    return urls


@pytest.fixture
def fuzz_world(db, settings):
    """The site as `make run` builds it, an open campaign and a complete dossier with a private link."""
    from django.core.management import call_command
    from django.utils import timezone
    from wagtail.models import Page

    from ami.models import Campaign
    from ami.services.tokens import issue_token

    call_command("load_bnm_content", stdout=open(os.devnull, "w"))  # noqa: SIM115
    campaign = Campaign.objects.order_by("-opens_at").first()
    now = timezone.now()
    Campaign.objects.filter(pk=campaign.pk).update(opens_at=now - timedelta(days=10), closes_at=now + timedelta(days=30))
    campaign.refresh_from_db()
    # load_bnm_content keeps the newest campaign, possibly the one of fuzz_setup (Roubaix): another commune.
    dossier = complete_dossier(make_dossier(campaign, commune("Tourcoing"), libraries=2))
    token = issue_token(dossier)
    pages = []
    for page in Page.objects.live().exclude(depth=1).specific():
        if page.url:
            pages.append(page.url)
            if hasattr(page, "get_subpage_urls"):
                pages += _routable_subpages(page, [child.slug for child in page.get_children().live()])
    return {"campaign": campaign, "dossier": dossier, "token": token, "pages": pages}


@pytest.mark.parametrize("part", range(FUZZ_PARTS))
def test_fuzz_every_endpoint_never_answers_500(part, fuzz_world, monkeypatch):
    """≥ 5,000 hostile requests in all (FUZZ_PARTS parts) over every named URL (admin aside) and every
    live page: no 500, no exception."""
    from collections import Counter

    from ami.models import Library

    from . import fuzzing

    rng = fuzzing.rng_for(FUZZ_SEED)  # the endpoints are the same in every part
    quota = -(-FUZZ_REQUESTS // FUZZ_PARTS)
    dossier = fuzz_world["dossier"]
    step_slugs = [step.slug for step in FORM_STEPS]
    step_data = {slug: step_post_data(dossier, slug) for slug in step_slugs}
    all_step_slugs = [step.slug for step in STEPS]
    field_names = {
        "ami:start": ["commune", "is_network", "agent_email"],
        "ami:resume": ["email", "commune"],
        "ami:send_existing_link": ["commune"],
        "search": ["q", "page"],
    }
    extra_names = sorted({name for names in field_names.values() for name in names}
                         | {"library_ids", "library_action", "continue", "signed_document", "csrfmiddlewaretoken"})
    patterns = fuzzing.named_patterns()
    dossier_names = {name for name, (route, _) in patterns.items() if "dossier" in route}
    expensive = {name for name, (route, _) in patterns.items() if ".pdf" in route}
    samples = {"slug": all_step_slugs, "token": [fuzz_world["token"]], "public_id": [dossier.public_id]}
    pages = fuzz_world["pages"]
    paths_by_name = {  # regex patterns with positional groups: what reverse() cannot build
        "wagtail_serve": pages + ["/inexistante/", "/%C2%B2/", "/" + "a/" * 50],
        "serve_ics": [url.rstrip("/") for url in pages if url.endswith(".ics/")] + ["/calendrier/%C2%B2.ics"],
        "wagtaildocs_serve": ["/documents/1/a.pdf", "/documents/0/x", "/documents/99999999999999999999/x.pdf"],
    }
    endpoints = fuzzing.build_endpoints(
        rng, samples=samples, field_names=field_names, step_data=step_data, dossier_names=dossier_names,
        expensive_names=expensive, pages=pages, paths_by_name=paths_by_name,
    )
    covered = {endpoint.name for endpoint in endpoints}
    assert set(patterns) <= covered, f"URL patterns the fuzzer cannot build: {set(patterns) - covered}"
    assert len([e for e in endpoints if e.name.startswith("page:")]) >= 10  # the loaded content's pages

    pages_only = [e for e in endpoints if e.name.startswith("page:")]
    steps = [e for e in endpoints if e.name == "ami:step"]
    ami = [e for e in endpoints if e.name.startswith("ami:") and e.name != "ami:step"]
    others = [e for e in endpoints if not e.name.startswith(("page:", "ami:"))]
    # The test client copies every template context it renders (for response.context): not needed here.
    monkeypatch.setattr("django.test.client.store_rendered_templates", lambda *args, **kwargs: None)
    client = Client()
    open_dossier_in_session(client, dossier)
    failures, statuses, per_endpoint = [], Counter(), Counter()
    expensive_done = Counter()
    systematic = fuzzing.systematic_requests(endpoints)[part::FUZZ_PARTS]
    rng = fuzzing.rng_for(FUZZ_SEED + part)  # each part draws its own requests
    raw_paths = [path for _ in range(20) for path in fuzzing.raw_hostile_paths(rng)]
    by_path = {path: endpoint for endpoint in endpoints for path in endpoint.path_options}
    sent = round_robin = 0
    while sent < quota:
        # Round-robin first (every endpoint is hit), then at random.
        if round_robin < 2 * len(endpoints):
            endpoint = endpoints[round_robin % len(endpoints)]
            round_robin += 1
        else:  # the AMI reads most of the input; a step (~30 ms) also gets the systematic pass
            draw = rng.random()
            endpoint = rng.choice(steps if draw < 0.1 else ami if draw < 0.6 else others if draw < 0.8 else pages_only)
        if endpoint.expensive and expensive_done[endpoint.name] >= EXPENSIVE_GETS:
            endpoint = rng.choice([e for e in endpoints if not e.expensive])
        if systematic and sent % 2:
            request = systematic.pop(0)
            endpoint = by_path.get(request.path.split("?")[0], endpoint)
        elif sent % 50 == 49 and raw_paths:
            request = fuzzing.FuzzRequest("GET", raw_paths.pop(), None, None, {})
        else:
            request = fuzzing.make_request(rng, endpoint, extra_names=extra_names)
        try:
            # X-Forwarded-For ignored (no trusted proxy) in the first half, read in the second.
            with override_settings(TRUSTED_PROXY_COUNT=int(sent >= quota // 2)):
                response = fuzzing.send(client, request)
        except Exception as exc:  # an unhandled exception is a 500 for the visitor
            failures.append(f"{type(exc).__name__}: {exc!s:.200} <- {request.describe()}")
            response = None
        sent += 1
        per_endpoint[endpoint.name] += 1
        if endpoint.expensive and request.method == "GET":
            expensive_done[endpoint.name] += 1
        if response is not None:
            statuses[response.status_code] += 1
            if response.status_code >= 500:
                failures.append(f"HTTP {response.status_code} <- {request.describe()}")
        if endpoint.name == "ami:submit" and rng.random() < 0.8:  # mostly a draft, so that saves are parsed
            Dossier.objects.filter(pk=dossier.pk).update(status=Dossier.Status.DRAFT)
        if endpoint.name in SESSION_CHANGERS:  # « Quitter », a private link or a start change the session
            if not client.cookies.get(django_settings.SESSION_COOKIE_NAME, Morsel()).value:
                client.cookies.pop(django_settings.SESSION_COOKIE_NAME, None)  # deleted by « Quitter »
            open_dossier_in_session(client, dossier)
        if endpoint.name == "ami:step":  # « Ajouter une bibliothèque » may have run: keep two
            library_ids = list(Library.objects.filter(dossier=dossier).order_by("pk").values_list("pk", flat=True))
            if len(library_ids) > 4:
                Library.objects.filter(pk__in=library_ids[2:]).delete()
    print(f"fuzz seed={FUZZ_SEED}+{part} requests={sent} endpoints={len(endpoints)} statuses={dict(sorted(statuses.items()))}")
    assert not failures, f"{len(failures)} failure(s) (FUZZ_SEED={FUZZ_SEED}, part {part}):\n" + "\n".join(failures[:30])
    assert sent >= quota and not systematic
    assert all(per_endpoint[e.name] >= 1 for e in endpoints)
    assert statuses[200] > sent // 5 and statuses[302] > sent // 100  # it reaches the views, not only errors
