"""One form per step of the dossier. Labels are the model's verbose names (the paper wording)."""
from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction

from ami import questionnaire
from ami.constants import OBJECTIVE_LEVEL_CHOICES
from ami.models import Commune, Dossier, DossierCommune, Library, WorkingGroup, WorkingGroupSignup
from ami.services.completeness import library_heading
from ami.services.uploads import MESSAGES as UPLOAD_MESSAGES
from ami.services.uploads import read_signed_pdf, store_signed_document

from .base import StepForm, commune_choices

NO_HEAD = "none"
NO_HEAD_LABEL = "aucune tête de réseau désignée officiellement"


class CommuneStepForm(StepForm):
    """Step 1: commune, network, elected and agent referents, validation mode."""

    extra_update_fields = ("has_head_commune", "head_commune")

    network_communes = forms.MultipleChoiceField(
        label="Communes du réseau",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Cochez toutes les communes couvertes par ce dossier de réseau, y compris la vôtre.",
    )
    head_choice = forms.ChoiceField(
        label="Commune tête de réseau",
        required=False,
        help_text="Pour un réseau : la commune tête de réseau, ou « aucune tête de réseau désignée officiellement » "
        "(chaque commune signe alors le dossier).",
    )

    class Meta:
        model = Dossier
        fields = questionnaire.step("commune").form_fields()

    def __init__(self, *args, communes=None, **kwargs):
        self._communes = communes
        super().__init__(*args, **kwargs)

    def setup_fields(self):
        choices = self._communes if self._communes is not None else commune_choices()
        self.fields["network_communes"].choices = choices
        self.fields["head_choice"].choices = [("", "— Choisir —"), (NO_HEAD, NO_HEAD_LABEL)] + choices
        dossier = self.instance
        if dossier.pk and not self.is_bound:
            self.initial["network_communes"] = [str(link.commune_id) for link in dossier.commune_links.all()]
            if dossier.has_head_commune is False:
                self.initial["head_choice"] = NO_HEAD
            elif dossier.head_commune_id:
                self.initial["head_choice"] = str(dossier.head_commune_id)

    def clean(self):
        data = super().clean()
        dossier = self.instance
        if data.get("is_network") is not True:
            data["network_communes"] = []
            data["head_choice"] = ""
        else:
            ids = {int(pk) for pk in data.get("network_communes") or []}
            ids.add(dossier.commune_id)
            taken = (
                DossierCommune.objects.filter(campaign_id=dossier.campaign_id, commune_id__in=ids)
                .exclude(dossier=dossier)
                .select_related("commune")
            )
            names = sorted(link.commune.name for link in taken)
            if names:
                self.add_error(
                    "network_communes",
                    "Ces communes figurent déjà dans un autre dossier de cette campagne : " + ", ".join(names)
                    + ". Une commune ne peut appartenir qu’à un seul dossier.",
                )
            data["network_communes"] = sorted(ids)
            head = data.get("head_choice")
            if head and head != NO_HEAD and int(head) not in ids:
                self.add_error("head_choice", "La commune tête de réseau doit faire partie des communes du réseau.")
        return data

    def _post_clean(self):
        super()._post_clean()
        if not self.errors:
            head = self.cleaned_data.get("head_choice")
            self.instance.has_head_commune = None if not head else head != NO_HEAD
            self.instance.head_commune_id = int(head) if head and head != NO_HEAD else None

    @transaction.atomic
    def save(self, commit=True, also=()):
        dossier = super().save(also=also)
        wanted = set(self.cleaned_data.get("network_communes") or []) | {dossier.commune_id}
        current = {link.commune_id for link in DossierCommune.objects.filter(dossier=dossier)}
        DossierCommune.objects.filter(dossier=dossier, commune_id__in=current - wanted).delete()
        for commune_id in sorted(wanted - current):
            DossierCommune.objects.create(dossier=dossier, commune_id=commune_id, campaign_id=dossier.campaign_id)
        return dossier


LIBRARY_FIELDS = [q.name for q in questionnaire.library_questions()]


class LibraryForm(StepForm):
    """Step 2: one library section (volet 1). Prefix: bib<pk>."""

    associated_communes = forms.MultipleChoiceField(
        label="Communes associées", required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Library
        fields = questionnaire.step("bibliotheques").form_fields()

    def __init__(self, *args, communes=None, number=1, **kwargs):
        self._communes = communes
        self.number = number  # the library's position in the dossier (« Bibliothèque 2 » while unnamed)
        super().__init__(*args, **kwargs)

    @property
    def error_scope(self) -> str:
        """Names the library in this form's error messages (summary and field): the name typed
        if it validated, else the one saved."""
        return library_heading(self.number, self.instance.name)

    def setup_fields(self):
        self.fields["associated_communes"].choices = (
            self._communes if self._communes is not None else commune_choices()
        )
        self.fields["associated_communes"].help_text = "Pour un réseau intercommunal : les communes du réseau."
        if self.instance.pk and not self.is_bound:
            self.initial["associated_communes"] = [str(c.pk) for c in self.instance.associated_communes.all()]
        self.order_fields(LIBRARY_FIELDS)

    def save(self, commit=True, also=()):
        library = super().save(also=also)
        ids = [int(pk) for pk in self.cleaned_data.get("associated_communes") or []]
        library.associated_communes.set(Commune.objects.filter(pk__in=ids))
        return library

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in questionnaire.library_sections()]


class ProjectStepForm(StepForm):
    single_row = True

    class Meta:
        model = Dossier
        fields = questionnaire.step("projet").form_fields()

    def setup_fields(self):
        self.fields["project_statement"].help_text = (
            "Une quinzaine de lignes : vos motivations ; vos atouts et les freins éventuels (équipement, formation "
            "des équipes, services, innovation, partenariats, PCSES…)."
        )
        self.fields["project_statement"].widget.attrs["rows"] = 15


# « OUI / NON / Envisagé en N+1 / Envisagé en N+2 »: the choices depend on the campaign.
ENGAGEMENT_QUESTIONS = [q for q in questionnaire.step("engagements").questions if q.kind == "engagement"]


class EngagementsStepForm(StepForm):
    single_row = True

    class Meta:
        model = Dossier
        fields = questionnaire.step("engagements").form_fields()

    def setup_fields(self):
        campaign = self.campaign or self.instance.campaign
        for q in ENGAGEMENT_QUESTIONS:
            field = self.fields[q.name]
            self.fields[q.name] = forms.ChoiceField(
                label=field.label, required=False, widget=forms.RadioSelect,
                choices=campaign.engagement_choices(with_next_year=q.next_year),
            )


OBJECTIVE_CHOICES = [("", "non retenu")] + OBJECTIVE_LEVEL_CHOICES
OBJECTIVE_QUESTIONS = questionnaire.objective_questions()


class ObjectivesStepForm(StepForm):
    """Step 5: objective grid, training acknowledgement, working groups."""

    class Meta:
        model = Dossier
        fields = questionnaire.step("objectifs").form_fields()

    def __init__(self, *args, groups=None, **kwargs):
        self._groups = groups
        super().__init__(*args, **kwargs)

    def setup_fields(self):
        for q in OBJECTIVE_QUESTIONS:
            self.fields[q.name] = forms.ChoiceField(
                label=q.label, required=False, widget=forms.RadioSelect, choices=OBJECTIVE_CHOICES
            )
            if not self.is_bound and not self.initial.get(q.name):
                self.initial[q.name] = ""
        self.groups = self._groups if self._groups is not None else list(WorkingGroup.objects.filter(is_active=True))
        signups = {s.group_id: s for s in self.instance.working_group_signups.all()} if self.instance.pk else {}
        for group in self.groups:
            self.fields[f"group_{group.pk}"] = forms.BooleanField(label=group.name, required=False)
            self.fields[f"group_{group.pk}_agents"] = forms.CharField(
                label="Agent(s) proposé(s)", required=False, max_length=500,
                help_text="Nom et prénom, séparés par des virgules.",
            )
            if not self.is_bound and group.pk in signups:
                self.initial[f"group_{group.pk}"] = True
                self.initial[f"group_{group.pk}_agents"] = signups[group.pk].agent_names

    def objectives_count(self) -> int:
        return sum(1 for q in OBJECTIVE_QUESTIONS if self[q.name].value())

    def objective_fields(self):
        return [self[q.name] for q in OBJECTIVE_QUESTIONS]

    def group_fields(self):
        return [(group, self[f"group_{group.pk}"], self[f"group_{group.pk}_agents"]) for group in self.groups]

    def clean(self):
        data = super().clean()
        levels = [data.get(q.name) for q in OBJECTIVE_QUESTIONS]
        for level, _label in OBJECTIVE_LEVEL_CHOICES:
            if levels.count(level) > 1:
                for q in OBJECTIVE_QUESTIONS:
                    if data.get(q.name) == level:
                        self.add_error(
                            q.name,
                            f"Le niveau « {level} » ne peut être attribué qu’à un seul objectif : "
                            "choisissez un « +++ », un « ++ » et un « + » sur trois objectifs différents.",
                        )
        for group in self.groups:
            if not data.get(f"group_{group.pk}"):
                data[f"group_{group.pk}_agents"] = ""
        return data

    @transaction.atomic
    def save(self, commit=True, also=()):
        dossier = super().save(also=also)
        existing = {s.group_id: s for s in WorkingGroupSignup.objects.filter(dossier=dossier)}
        for group in self.groups:
            wanted = self.cleaned_data.get(f"group_{group.pk}")
            agents = (self.cleaned_data.get(f"group_{group.pk}_agents") or "").strip()
            signup = existing.get(group.pk)
            if wanted and signup is None:
                WorkingGroupSignup.objects.create(dossier=dossier, group=group, agent_names=agents)
            elif wanted and signup.agent_names != agents:
                signup.agent_names = agents
                signup.save(update_fields=["agent_names"])
            elif not wanted and signup is not None:
                signup.delete()
        return dossier


class ValidationStepForm(StepForm):
    """Step 6: « Fait à », « Le », upload of the signed document."""

    signed_document = forms.FileField(
        label="Signature du représentant légal + cachet",
        required=False,
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
        error_messages={"empty": UPLOAD_MESSAGES["empty"], "invalid": UPLOAD_MESSAGES["not_pdf"],
                        "missing": UPLOAD_MESSAGES["empty"]},
        help_text="Le dossier signé, au format PDF, 10 Mo au maximum. Pour un réseau : la signature de la commune "
        "tête de réseau, ou de chaque commune.",
    )

    class Meta:
        model = Dossier
        fields = questionnaire.step("validation").form_fields()

    def clean_signed_document(self):
        uploaded = self.cleaned_data.get("signed_document")
        self.signed_pdf = None
        if uploaded:
            try:
                self.signed_pdf = read_signed_pdf(uploaded)
            except ValidationError:
                raise
            except Exception as exc:  # never a 500 on a strange upload
                raise ValidationError("Ce fichier n’a pas pu être lu. Déposez le document signé au format PDF.") from exc
        return None

    @transaction.atomic
    def save(self, commit=True, also=()):
        dossier = super().save(also=also)
        if getattr(self, "signed_pdf", None):
            store_signed_document(dossier, self.signed_pdf)
        return dossier
