"""Query budget of each step page, whatever the number of libraries."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ami.models import Dossier, Library
from ami.services.steps import STEPS

from .factories import complete_dossier, complete_library, dossier_path, step_post_data, step_url

# Measured: 8 to 10 queries per step page once the site chrome (site, menus, settings) is cached;
# the budget leaves a little room but fails on any per-library (N+1) query.
BUDGET = 12
# A save during the call: session, the dossier (its step's columns), the row lock, the answers with
# the revision (one UPDATE), and the relations the step's forms read; « Projet communal » and
# « Engagements » take no lock: one conditional UPDATE (tests/ami/test_save_lock.py). 17 queries when the dossier was indexed
# by Wagtail's reference index, the extensions read twice and every relation loaded for any
# save; 7 while the revision had an UPDATE of its own.
SAVE_BUDGET = 7


@pytest.mark.parametrize("slug", [step.slug for step in STEPS])
@pytest.mark.parametrize("library_count", [1, 4])
def test_step_page_query_budget(referent, dossier, slug, library_count, django_assert_max_num_queries):
    complete_dossier(dossier)
    for index in range(1, library_count):
        complete_library(Library.objects.create(dossier=dossier, sort_order=index), name=f"Annexe {index}")
    referent.get(step_url(dossier, slug))  # warm the site chrome cache (menus, settings)
    with django_assert_max_num_queries(BUDGET):
        response = referent.get(step_url(dossier, slug))
    assert response.status_code == 200


@pytest.mark.parametrize("slug", [step.slug for step in STEPS if step.slug != "recapitulatif"])
@pytest.mark.parametrize("library_count", [1, 4])
def test_step_page_marking_the_missing_answers_query_budget(referent, dossier, slug, library_count,
                                                             django_assert_max_num_queries):
    """The recap's link to a missing answer (?manquantes=1): the same budget, whatever is missing."""
    for index in range(1, library_count):
        Library.objects.create(dossier=dossier, sort_order=index)
    url = step_url(dossier, slug) + "?manquantes=1"
    referent.get(url)
    with django_assert_max_num_queries(BUDGET):
        response = referent.get(url)
    assert response.status_code == 200 and "pour pouvoir déposer le dossier" in response.content.decode()


def test_library_query_count_does_not_grow_with_libraries(referent, dossier):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as ctx:
            referent.get(step_url(dossier, "bibliotheques"))
        return len(ctx.captured_queries)

    count()  # warm-up: the site chrome creates its settings row on first use
    one = count()
    for index in range(1, 6):
        Library.objects.create(dossier=dossier, sort_order=index)
    assert count() == one


def test_overview_and_save_budget(referent, complete, django_assert_max_num_queries):
    referent.get(dossier_path("ami:dossier", complete))
    with django_assert_max_num_queries(BUDGET):
        assert referent.get(dossier_path("ami:dossier", complete)).status_code == 200
    data = step_post_data(complete, "projet")
    with django_assert_max_num_queries(SAVE_BUDGET):
        assert referent.post(step_url(complete, "projet"), data).status_code == 302


@pytest.mark.parametrize("slug", [step.slug for step in STEPS if step.slug not in ("recapitulatif", "validation")])
def test_every_step_saves_within_the_budget_whatever_the_libraries(referent, dossier, slug,
                                                                   django_assert_max_num_queries):
    """A save reads only what its forms need: the other steps read no library, and the
    libraries' step writes each library (its row, its communes) but reads them all at once."""
    complete_dossier(dossier)
    for index in range(1, 4):
        complete_library(Library.objects.create(dossier=dossier, sort_order=index), name=f"Annexe {index}")
    data = step_post_data(dossier, slug)
    referent.get(step_url(dossier, slug))
    # The step's own rows: its choices (communes, groups), the links or signups read and written.
    budget = SAVE_BUDGET + (3 * 4 if slug == "bibliotheques" else 4)
    with django_assert_max_num_queries(budget):
        assert referent.post(step_url(dossier, slug), data).status_code == 302


def test_a_refused_save_shows_the_whole_page_within_the_page_budget(referent, complete,
                                                                     django_assert_max_num_queries):
    """An invalid answer: the page comes back with its progress, which reads every relation the
    save did not load, once each, whatever the number of libraries."""
    for index in range(1, 4):
        complete_library(Library.objects.create(dossier=complete, sort_order=index), name=f"Annexe {index}")
    library = complete.libraries.order_by("sort_order").first()
    data = dict(step_post_data(complete, "bibliotheques"), **{f"bib{library.pk}-books": "-3"})
    referent.get(step_url(complete, "bibliotheques"))
    with django_assert_max_num_queries(BUDGET):
        response = referent.post(step_url(complete, "bibliotheques"), data)
    text = response.content.decode()
    assert response.status_code == 200 and "Saisissez un nombre entier positif ou nul." in text
    assert "Annexe 3" in text  # the page lists every library again


@pytest.mark.parametrize("slug", ["projet", "bibliotheques"])
def test_a_save_writes_the_answers_and_the_step_revision_in_one_update_of_the_dossier(referent, dossier, slug):
    """The typed answer and the step's new revision (what protects a concurrent edit) are both
    saved, by one UPDATE of the dossier's row (the revision alone for the libraries' step, whose
    answers are the libraries' rows)."""
    library = dossier.libraries.get()
    data = step_post_data(dossier, slug)
    if slug == "projet":
        data["project_statement"] = "Un portail commun pour les bibliothèques de la commune."
    else:
        data[f"bib{library.pk}-name"] = "Médiathèque Jean-Lévy"
    revision = int(data["step_revision"])
    with CaptureQueriesContext(connection) as ctx:
        assert referent.post(step_url(dossier, slug), data).status_code == 302
    updates = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith('UPDATE "ami_dossier"')]
    assert len(updates) == 1 and '"step_revisions"' in updates[0]
    saved = Dossier.objects.get(pk=dossier.pk)
    assert saved.step_revisions[slug] == revision + 1
    if slug == "projet":
        assert saved.project_statement == "Un portail commun pour les bibliothèques de la commune."
    else:
        assert saved.libraries.get().name == "Médiathèque Jean-Lévy"
    page = referent.get(step_url(dossier, slug)).content.decode()
    assert f'name="step_revision" value="{revision + 1}"' in page
    assert "Vos réponses ont été enregistrées." in page
    # The page the save started from is now stale: its save is a conflict, and saves nothing.
    stale = dict(data, step_revision=str(revision))
    stale.update({"project_statement": "Autre texte"} if slug == "projet" else {f"bib{library.pk}-name": "Autre nom"})
    referent.post(step_url(dossier, slug), stale)
    saved = Dossier.objects.get(pk=dossier.pk)
    assert saved.step_revisions[slug] == revision + 1
    assert "Autre" not in saved.project_statement and saved.libraries.get().name != "Autre nom"


def _dossier_reads(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith("SELECT") and 'FROM "ami_dossier"' in q["sql"]]


# Steps whose one form writes the dossier's row alone: saved by one conditional UPDATE, no lock.
SINGLE_ROW_STEPS = ("projet", "engagements")


@pytest.mark.parametrize("slug", [step.slug for step in STEPS if step.slug != "recapitulatif"])
def test_a_save_reads_the_dossier_without_the_other_steps_answers(referent, complete, slug):
    """A save reads the dossier's row once to check the session and validate (its step's answers
    and what it checks, not the ~150 answers of the other steps), and once more under the row lock
    for a step that writes other rows: never column by column (a column left out but read after
    would cost a query each)."""
    data = step_post_data(complete, slug)
    referent.get(step_url(complete, slug))
    with CaptureQueriesContext(connection) as ctx:
        assert referent.post(step_url(complete, slug), data).status_code == 302
    reads = _dossier_reads(ctx.captured_queries)
    assert len(reads) == (1 if slug in SINGLE_ROW_STEPS else 2), reads
    other_step_answer = '"ami_dossier"."project_statement"' if slug == "commune" else '"ami_dossier"."agent_email"'
    assert other_step_answer not in reads[0]
    assert '"ami_dossier"."step_revisions"' in reads[0] and '"ami_dossier"."status"' in reads[0]


def test_an_invalid_save_of_a_step_shows_the_whole_dossier_within_the_page_budget(referent, complete,
                                                                                  django_assert_max_num_queries):
    """An answer refused: the page comes back with what was typed and the progress of every step,
    read from the whole dossier again (the save had read its step's columns only), in the budget
    of a page."""
    data = dict(step_post_data(complete, "objectifs"), objective_public_service="n’importe quoi")
    referent.get(step_url(complete, "objectifs"))
    with django_assert_max_num_queries(BUDGET):
        response = referent.post(step_url(complete, "objectifs"), data)
    text = response.content.decode()
    assert response.status_code == 200 and "n’ont pas été enregistrées" in text
    # Every step of the complete dossier is still said complete, from their answers.
    assert text.count('<span class="progress__state">(complet)</span>') == len(STEPS) - 1
    assert '<span class="progress__state">(incomplet)</span>' not in text
    assert Dossier.objects.get(pk=complete.pk).objective_public_service != "n’importe quoi"


def test_a_save_answered_by_a_redirect_or_json_looks_up_no_site_a_page_does_once(referent, dossier, monkeypatch):
    """The Wagtail site of the request (a cache round trip) is looked up when something reads it:
    the step's page does, once; its save answered by a redirect or by JSON (autosave) does not."""
    from home import routing

    lookups = []
    real = routing.cached_site
    monkeypatch.setattr(routing, "cached_site", lambda request: lookups.append(request.path) or real(request))
    url = step_url(dossier, "projet")
    assert referent.get(url).status_code == 200
    assert lookups == [url]
    data = step_post_data(dossier, "projet")
    assert referent.post(url, data).status_code == 302
    response = referent.post(url, dict(data, step_revision=str(int(data["step_revision"]) + 1)),
                             headers={"X-Requested-With": "fetch"})
    assert response.status_code == 200 and response.json()["saved"] is True
    assert lookups == [url]
