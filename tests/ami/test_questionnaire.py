"""The questionnaire declared once (ami.questionnaire): it matches the model, and completeness,
the recap and the PDF follow it. (Its wording against the paper dossier: ../shared/tools/ami_coverage.py.)"""
import dataclasses
import html

import pytest
from django.db import models

from ami import questionnaire
from ami.models import Dossier, Library, WorkingGroup
from ami.pdf import build_document
from ami.services.completeness import missing_answers
from ami.services.snapshot import dossier_snapshot

from .factories import step_url

# Columns that are bookkeeping or written by a custom question, not a declared question's.
NOT_ASKED = questionnaire.UNDECLARED_COLUMNS


def _kind_fits(kind: str, field: models.Field) -> bool:
    if field.many_to_many:
        return kind == "communes"
    if isinstance(field, models.ForeignKey):
        return kind == "commune"
    if isinstance(field, models.FileField):
        return kind == "file"
    if isinstance(field, models.BooleanField):
        return kind == ("yes_no" if field.null else "checkbox")
    if isinstance(field, models.DecimalField):
        return kind == ("money" if field.max_digits == 12 else "decimal")
    if isinstance(field, models.PositiveSmallIntegerField):
        return kind in ("count", "year")
    if isinstance(field, models.PositiveIntegerField):
        return kind == "count"
    if isinstance(field, models.DateField):
        return kind == "date"
    if isinstance(field, models.EmailField):
        return kind == "email"
    if isinstance(field, models.URLField):
        return kind == "url"
    if isinstance(field, models.TextField):
        return kind == "longtext"
    if field.choices:
        return kind in ("choice", "objective")
    return kind in ("text", "phone", "engagement")


@pytest.mark.parametrize("model", [Dossier, Library])
def test_every_answer_column_is_declared_once_with_a_fitting_kind(model):
    label = model._meta.label
    declared = [q for q in questionnaire.questions_of_model(label) if q.has_column]
    names = [q.name for q in declared]
    assert len(names) == len(set(names)), "a question declared twice"
    columns = {f.name for f in model._meta.get_fields() if f.concrete} - NOT_ASKED[label]
    assert set(names) == columns
    misfits = [(q.name, q.kind) for q in declared if not _kind_fits(q.kind, q.model_field)]
    assert misfits == []
    for q in declared:  # rules name answers of the same form
        for rule in (q.required_if, q.clear_unless):
            assert rule is None or rule.control in names, (q.name, rule)


def test_api_for_back_office_code_yields_field_label_and_kind_in_paper_order():
    first = next(questionnaire.dossier_questions())
    assert (first.name, first.label, first.kind) == ("commune", "Nom de la commune", "commune")
    names = [q.name for q in questionnaire.dossier_questions()]
    assert names.index("agent_phone") < names.index("project_statement") < names.index("engagement_sigb")
    assert names[-1] == "signed_document"
    library = [(q.name, q.label, q.kind) for q in questionnaire.library_questions()]
    assert library[0] == ("name", "Nom de l'établissement", "text")
    assert ("budget_acquisitions", "Acquisitions physiques (livres, CD, DVD, jeux...)", "money") in library
    assert len(library) == 110


def test_completeness_follows_the_declared_rules(referent, complete, monkeypatch):
    assert missing_answers(complete) == []
    complete.project_statement = ""
    complete.agent_phone = ""
    assert [(m.step, m.label) for m in missing_answers(complete)] == [
        ("commune", "Agent référent : Téléphone"),
        ("projet", "Comment intégrez-vous la Bibliothèque Numérique Métropolitaine (BNM) dans votre projet communal ?"),
    ]
    # Declared optional for a next campaign: no longer asked at submission.
    projet = questionnaire.step("projet")
    optional = dataclasses.replace(projet, sections=tuple(
        dataclasses.replace(s, questions=tuple(dataclasses.replace(q, required=False) for q in s.questions))
        for s in projet.sections
    ))
    monkeypatch.setitem(questionnaire._BY_SLUG, "projet", optional)
    assert [m.step for m in missing_answers(complete)] == ["commune"]


def test_recap_shows_each_section_of_the_paper_under_its_heading(referent, complete):
    page = html.unescape(referent.get(step_url(complete, "recapitulatif")).content.decode())
    elected = page.index("<h4>Élu référent du dossier</h4>")
    agent = page.index("<h4>Agent référent identifié pour la mise en œuvre et le suivi du projet</h4>")
    assert elected < page.index(complete.elected_last_name, elected) < agent
    assert agent < page.index(complete.agent_last_name, agent) < page.index("<h4>Validation du dépôt</h4>")
    assert "<h4>Groupes de travail</h4>" in page and "<h4>Engagements obligatoires</h4>" in page


def test_pdf_prints_the_declared_sections_in_paper_order(complete):
    parts = build_document(dossier_snapshot(complete))
    assert [p["title"] for p in parts][:4] == [title for title, _steps in questionnaire.PAPER_PARTS]
    presentation = [b["title"] for b in parts[0]["blocks"]]
    assert presentation == [s.title for s in questionnaire.step("commune").sections]
    engagement = [b["title"] for b in parts[3]["blocks"]]
    assert engagement == [
        s.title for slug in ("engagements", "objectifs", "validation") for s in questionnaire.step(slug).sections
    ]


@pytest.mark.parametrize("slug", ["commune", "projet", "engagements", "objectifs", "validation"])
def test_step_page_shows_the_declared_sections_in_order_with_their_intro(referent, complete, slug):
    """Each form step is laid out by the declaration: its sections' headings in order, each with its intro
    (the campaign's years filled in) and its questions under it."""
    page = html.unescape(referent.get(step_url(complete, slug)).content.decode()).replace("\u202f", " ")
    form = page[page.index('id="formulaire"'):]
    position = 0
    for section in questionnaire.step(slug).sections:
        position = form.index(f"<h2>{section.heading}</h2>", position)
        intro = section.intro_for(complete.campaign)
        if intro:
            assert form.index(f"<p>{intro}</p>", position) == form.index("<p>", position), section.title
        for q in section.questions:
            if q.kind in ("commune", "signup"):
                continue
            assert form.index(f'data-field="{q.name}"', position) > position, q.name
    assert "{" not in page.split("<main", 1)[1].replace("{%", "")  # no placeholder left unformatted


def test_engagement_intro_names_the_campaign_year(referent, complete):
    page = html.unescape(referent.get(step_url(complete, "engagements")).content.decode())
    year = complete.campaign.first_engagement_year
    assert f"indiquez si la commune souhaite s’engager dès {year} ou plus tard." in page


def test_a_declared_lead_is_shown_above_its_boxes(referent, complete):
    lead = questionnaire.question("ami.Library", "portal_use_pro_days").lead
    assert lead == "Si vous utilisez le portail, qu’y recherchez-vous le plus ?"
    page = html.unescape(referent.get(step_url(complete, "bibliotheques")).content.decode()).replace("\u202f", " ")
    library = complete.libraries.first()
    assert page.count(lead) == complete.libraries.count()
    assert page.index(lead) < page.index(f'data-field="bib{library.pk}-portal_use_pro_days"')


def test_pdf_prints_no_bookkeeping_as_an_answer(complete):
    parts = build_document(dossier_snapshot(complete))
    printed = repr(parts)
    assert "Autres réponses" not in [p["title"] for p in parts]
    assert complete.public_id not in printed and "révisions des étapes" not in printed


def test_a_library_step_with_any_answer_is_started(referent, dossier):
    from ami.services.completeness import load_dossier, step_states

    assert step_states(load_dossier(dossier.pk))["bibliotheques"] == "not_started"
    dossier.libraries.update(sigb_vendor="Décalog")  # an optional answer
    assert step_states(load_dossier(dossier.pk))["bibliotheques"] == "incomplete"
    dossier.working_group_signups.create(group=WorkingGroup.objects.first())
    assert step_states(load_dossier(dossier.pk))["objectifs"] == "incomplete"
