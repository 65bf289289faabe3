"""Start a dossier, ask for a new resume link."""
from __future__ import annotations

from django import forms

from ami.models import Commune

from .base import commune_choices
from .fields import FrenchEmailField, YesNoField


class CommuneChoiceField(forms.TypedChoiceField):
    def __init__(self, **kwargs):
        super().__init__(coerce=int, empty_value=None, **kwargs)


class StartForm(forms.Form):
    commune = CommuneChoiceField(
        label="Nom de la commune", help_text="La commune candidate (pour un réseau : votre commune)."
    )
    is_network = YesNoField(label="Dossier déposé pour un réseau de bibliothèques")
    agent_email = FrenchEmailField(
        label="Votre adresse e-mail (agent référent)",
        max_length=254,
        help_text="Le lien privé pour reprendre le dossier y sera envoyé.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [("", "— Choisir une commune —")] + commune_choices()
        self.fields["is_network"].required = True
        self.fields["is_network"].error_messages["required"] = (
            "Indiquez si le dossier est déposé pour un réseau de bibliothèques."
        )
        self.fields["commune"].error_messages["required"] = "Choisissez la commune candidate."
        self.fields["agent_email"].error_messages["required"] = "Saisissez votre adresse e-mail."

    def clean_commune(self):
        pk = self.cleaned_data["commune"]
        commune = Commune.objects.filter(pk=pk).first()
        if commune is None:
            raise forms.ValidationError("Choisissez une commune de la liste.")
        return commune


class ResumeForm(forms.Form):
    email = FrenchEmailField(
        label="Adresse e-mail de l’agent ou de l’élu référent",
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    commune = CommuneChoiceField(label="Ou : nom de la commune", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [("", "— Choisir une commune —")] + commune_choices()

    def clean_commune(self):
        pk = self.cleaned_data.get("commune")
        if pk is None:
            return None
        commune = Commune.objects.filter(pk=pk).first()
        if commune is None:
            raise forms.ValidationError("Choisissez une commune de la liste.")
        return commune

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("email") and not data.get("commune"):
            raise forms.ValidationError("Saisissez une adresse e-mail ou choisissez une commune.")
        return data
