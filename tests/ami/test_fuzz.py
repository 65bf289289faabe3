"""Hostile input on every step: never a 500, and saved data is never lost on an error."""
import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ami.models import Dossier, Library
from ami.services.steps import FORM_STEPS

from .factories import (
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
