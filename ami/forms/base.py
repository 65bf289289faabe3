"""Shared plumbing of the step forms: French field types built from the model's verbose names."""
from __future__ import annotations

from django import forms
from django.db import models
from django.utils.text import capfirst

from ami.questionnaire import kind_of, questions_of_model

from .fields import (
    CountField,
    FrenchDateField,
    FrenchDecimalField,
    FrenchEmailField,
    FrenchURLField,
    MoneyField,
    PhoneField,
    YearField,
    YesNoField,
)


def _max_from_validators(db_field, default):
    for validator in db_field.validators:
        if validator.__class__.__name__ == "MaxValueValidator":
            return validator.limit_value
    return default


def make_formfield(db_field: models.Field, campaign=None) -> forms.Field:
    """The form field for one model field, with French parsing and messages. Never required (drafts)."""
    common = {"label": capfirst(db_field.verbose_name), "help_text": db_field.help_text, "required": False}
    kind = kind_of(db_field)
    if kind == "year":
        max_year = (campaign.statistics_year + 1) if campaign else 2100
        return YearField(min_year=1950, max_year=max_year, **common)
    if isinstance(db_field, models.PositiveIntegerField | models.PositiveSmallIntegerField | models.IntegerField):
        # Never above what the column holds (a smallint takes 32767 at most): refused, not a 500.
        return CountField(max_value=min(2_000_000_000, _max_from_validators(db_field, 2_000_000_000)), **common)
    if isinstance(db_field, models.DecimalField):
        if db_field.max_digits >= 12:
            return MoneyField(**common)
        limit = 10 ** (db_field.max_digits - db_field.decimal_places) - 1
        return FrenchDecimalField(max_value=_max_from_validators(db_field, limit), **common)
    if isinstance(db_field, models.BooleanField):
        if db_field.null:
            return YesNoField(**common)
        return forms.BooleanField(**common)
    if isinstance(db_field, models.DateField):
        return FrenchDateField(**common)
    if isinstance(db_field, models.EmailField):
        return FrenchEmailField(max_length=db_field.max_length, **common)
    if isinstance(db_field, models.URLField):
        return FrenchURLField(max_length=db_field.max_length, **common)
    if kind == "phone":
        return PhoneField(**common)
    if db_field.choices:
        return forms.ChoiceField(choices=list(db_field.choices), widget=forms.RadioSelect, **common)
    if isinstance(db_field, models.TextField):
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), max_length=20_000, **common)
    if isinstance(db_field, models.CharField):
        return forms.CharField(max_length=db_field.max_length, **common)
    return db_field.formfield(**common)  # pragma: no cover


def _empty_answer(db_field: models.Field):
    if db_field.many_to_many:
        return []
    return "" if isinstance(db_field, models.CharField | models.TextField) else None


class StepForm(forms.ModelForm):
    """A ModelForm whose fields come from make_formfield; disabled as a whole when read-only."""

    def __init__(self, *args, campaign=None, read_only=False, **kwargs):
        self._use_questionnaire_fields()
        super().__init__(*args, **kwargs)  # each form gets its own (deep) copy of the class's fields
        self.campaign = campaign
        self.read_only = read_only
        if campaign is not None:
            for name, db_field in type(self)._campaign_fields.items():
                self.fields[name] = make_formfield(db_field, campaign)
        self.setup_fields()
        for q in questions_of_model(self._meta.model._meta.label):
            if q.lead and q.name in self.fields:
                self.fields[q.name].lead = q.lead  # shown above the field (templates/ami/includes/field.html)
        if read_only:
            for field in self.fields.values():
                field.disabled = True

    @classmethod
    def _use_questionnaire_fields(cls):
        """Once per form class: its model fields become make_formfield's (built from the
        questionnaire's declaration, which does not change while the process runs) instead of
        being built again for every form, as Django's own defaults then replaced were. The fields
        whose bounds depend on the call (years) are listed to be built per form."""
        if "_campaign_fields" in cls.__dict__:
            return
        opts = cls._meta.model._meta
        fields = dict(cls.base_fields)
        campaign_fields = {}
        for name in cls._meta.fields or []:
            if name not in fields:
                continue
            try:
                db_field = opts.get_field(name)
            except Exception:
                continue
            if not getattr(db_field, "concrete", False) or db_field.many_to_many:
                continue
            fields[name] = make_formfield(db_field)
            if kind_of(db_field) == "year":
                campaign_fields[name] = db_field
        cls.base_fields = fields
        cls._campaign_fields = campaign_fields

    def setup_fields(self):
        """Hook for subclasses (extra fields, choices depending on the campaign)."""

    def _cleared_questions(self):
        """This form's questions that are emptied when their controlling answer says they do not apply."""
        return [
            q for q in questions_of_model(self._meta.model._meta.label)
            if q.clear_unless and q.has_column and q.name in self.fields
        ]

    def clean(self):
        data = super().clean()
        for q in self._cleared_questions():
            control = q.clear_unless.control
            if control in data and not q.clear_unless.holds(data.get(control)) and q.name in data:
                data[q.name] = _empty_answer(q.model_field)
        return data

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        for q in self._cleared_questions():
            control = q.clear_unless.control
            field = q.model_field
            if control in self.cleaned_data and not q.clear_unless.holds(self.cleaned_data.get(control)) \
                    and not field.many_to_many:
                setattr(self.instance, q.name, _empty_answer(field))

    # Model fields a subclass sets on the instance outside its form fields (e.g. in _post_clean).
    extra_update_fields: tuple[str, ...] = ()
    # True when save() writes the instance's own row and nothing else (no other row, no file, no
    # many-to-many): a step save may then write it with one conditional UPDATE (column_values).
    single_row = False

    def _update_fields(self, also=()):
        return [
            field for field in self.instance._meta.concrete_fields
            if not field.primary_key and (
                field.name in self.fields or field.name in self.extra_update_fields or field.name in also
                or getattr(field, "auto_now", False)
            )
        ]

    def save(self, commit=True, also=()):
        """Write only this step's columns: the instance was read before the row lock, so a full
        save could put back stale values of another step saved meanwhile (another tab). `also`:
        more columns the caller set on the instance, written in the same UPDATE."""
        if not commit or self.instance.pk is None:
            return super().save(commit)
        if self.errors:
            raise ValueError("The form could not be saved because the data didn't validate.")
        self.instance.save(update_fields=[field.name for field in self._update_fields(also)])
        self._save_m2m()
        return self.instance

    def column_values(self) -> dict:
        """The columns save() would write and their values (the modification time set now), for
        a single_row form validated: what a conditional UPDATE of its row writes."""
        if not self.single_row or self.instance.pk is None or self.errors:
            raise ValueError("Only a valid single-row form of a saved instance has column values.")
        return {field.attname: field.pre_save(self.instance, False) for field in self._update_fields()}


def commune_choices():
    from ami.models import Commune

    return [(str(pk), name) for pk, name in Commune.objects.order_by("name").values_list("pk", "name")]
