"""The step forms' fields are built once per form class (from the questionnaire) and copied for
each form: one form's state (read-only, the call's year bounds, errors) never leaks into another."""
from django.http import QueryDict

from ami.forms import LibraryForm, ProjectStepForm

from .factories import make_campaign, make_dossier


def _library_data(prefix: str, year: str) -> QueryDict:
    data = QueryDict(mutable=True)
    data[f"{prefix}-sigb_since"] = year
    return data


def test_a_read_only_form_does_not_disable_the_next_one(dossier):
    campaign = dossier.campaign
    shown = ProjectStepForm(instance=dossier, campaign=campaign, read_only=True)
    assert shown.fields["project_statement"].disabled
    editable = ProjectStepForm(instance=dossier, campaign=campaign)
    assert not editable.fields["project_statement"].disabled
    assert editable.fields["project_statement"] is not shown.fields["project_statement"]


def test_the_year_bounds_are_each_call_s_own(db):
    earlier, later = make_campaign(statistics_year=2020), make_campaign(statistics_year=2026)
    libraries = {campaign: make_dossier(campaign).libraries.get() for campaign in (earlier, later)}
    for campaign, accepted in ((earlier, False), (later, True), (earlier, False)):
        library = libraries[campaign]
        form = LibraryForm(_library_data(f"bib{library.pk}", "2024"), instance=library, prefix=f"bib{library.pk}",
                           campaign=campaign, communes=[])
        assert form.is_valid() is accepted, form.errors
        if not accepted:
            assert form.errors["sigb_since"] == ["Saisissez une année sur quatre chiffres, entre 1950 et 2021."]


def test_the_fields_keep_the_questionnaire_s_labels_and_never_require_an_answer(dossier):
    form = ProjectStepForm(instance=dossier, campaign=dossier.campaign)
    field = form.fields["project_statement"]
    assert not field.required and field.label and field.max_length == 20_000
