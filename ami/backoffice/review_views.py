"""The team's actions on a dossier's inspect page (POST only, « Équipe BNM »): change its state
(ami.services.review), ask for completion with a message and a date, add a private note.

Invalid input comes back on the inspect page (HTTP 400) with the error next to the field and in
the error summary."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone

from ami.backoffice.groups import can_act_on_dossiers
from ami.models import Dossier
from ami.pdf import paris_datetime_label
from ami.services import review
from ami.services.notifications import referent_recipients

S = Dossier.Status

DATE_EXAMPLE = "par exemple 15/12/2026 à 18:00"


class DecisionForm(forms.Form):
    """« Mettre en instruction », « Retenir », « Ne pas retenir », « Revenir en instruction »:
    one button per allowed state, and an optional message joined to the decision e-mail."""

    target = forms.ChoiceField(choices=S.choices, error_messages={
        "required": "Choisissez une décision.",
        "invalid_choice": "Cette décision n’existe pas.",
    })
    message = forms.CharField(
        label="Message à la commune (facultatif)", required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Joint à l’e-mail envoyé aux référents quand le dossier est retenu ou non retenu.",
        error_messages={"max_length": "Le message ne doit pas dépasser 5\u202f000 caractères."},
    )

    prefix = "decision"


class CompletionForm(forms.Form):
    """« Demander des compléments »: a message to the referents and the date to complete by."""

    message = forms.CharField(
        label="Message à la commune", max_length=5000, widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Dites ce qu’il faut compléter ou corriger. Il figure dans l’e-mail et sur les pages du dossier.",
        error_messages={
            "required": "Écrivez le message à la commune\u00a0: il lui dit quoi compléter.",
            "max_length": "Le message ne doit pas dépasser 5\u202f000 caractères.",
        },
    )
    due_at = forms.DateTimeField(
        label="À compléter avant le (heure de Paris)",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%d/%m/%Y"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Date et heure de Paris\u00a0; le dossier redevient modifiable par la commune jusque-là, et par elle seule.",
        error_messages={
            "required": f"Indiquez la date et l’heure limites, {DATE_EXAMPLE}.",
            "invalid": f"Saisissez une date et une heure valides, {DATE_EXAMPLE}.",
        },
    )

    prefix = "completer"

    def clean_due_at(self):
        value = self.cleaned_data["due_at"]
        if value <= timezone.now():
            raise forms.ValidationError(
                f"Choisissez une date à venir\u00a0: le {paris_datetime_label(value)} est déjà passé."
            )
        return value


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Nouvelle note interne", max_length=10000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Visible de l’équipe seulement\u00a0: jamais montrée à la commune ni dans le PDF.",
        error_messages={
            "required": "Écrivez le texte de la note.",
            "max_length": "La note ne doit pas dépasser 10\u202f000 caractères.",
        },
    )

    prefix = "note"


def inspect_url(pk: int, anchor: str = "") -> str:
    url = reverse("ami_dossier_modeladmin_inspect", args=[pk])
    return f"{url}#{anchor}" if anchor else url


def _check(request) -> None:
    if not can_act_on_dossiers(request.user):
        raise PermissionDenied


def _inspect_with_errors(request, pk: int, **forms_):
    """The inspect page again, with the bound forms and their errors (HTTP 400)."""
    from ami.wagtail_hooks import DossierAdmin

    request.review_forms = forms_
    model_admin = DossierAdmin()
    response = model_admin.inspect_view(request, str(pk))
    response.status_code = 400
    return response


def _success_message(dossier: Dossier, event) -> str:
    text = f"Le dossier de {dossier.commune.name} est désormais «\u00a0{dossier.get_status_display()}\u00a0»."
    if event.to_state in review.DECISIONS:
        recipients = referent_recipients(dossier)
        if recipients:
            text += f" Un e-mail est envoyé à {', '.join(recipients)}."
        else:
            text += " Aucun e-mail envoyé\u00a0: le dossier n’a pas d’adresse de référent."
    return text


def decision_view(request, pk: int):
    _check(request)
    dossier = get_object_or_404(Dossier, pk=pk)
    if request.method != "POST":
        return redirect(inspect_url(pk, "decision"))
    completing = request.POST.get("completer-submit") == "1"
    form = CompletionForm(request.POST) if completing else DecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        target = S.TO_COMPLETE if completing else data["target"]
        try:
            event = review.transition(dossier.pk, target, actor=request.user, message=data["message"],
                                      due_at=data.get("due_at"))
        except review.TransitionRefused as exc:
            form.add_error(None, exc.message)
        else:
            dossier.refresh_from_db()
            messages.success(request, _success_message(dossier, event))
            return redirect(inspect_url(pk, "decision"))
    key = "completion_form" if completing else "decision_form"
    return _inspect_with_errors(request, pk, **{key: form})


def note_view(request, pk: int):
    _check(request)
    dossier = get_object_or_404(Dossier, pk=pk)
    if request.method != "POST":
        return redirect(inspect_url(pk, "notes"))
    form = NoteForm(request.POST)
    if form.is_valid():
        review.add_note(dossier, request.user, form.cleaned_data["text"])
        messages.success(request, "Note interne enregistrée.")
        return redirect(inspect_url(pk, "notes"))
    return _inspect_with_errors(request, pk, note_form=form)


urlpatterns = [
    path("ami/dossiers/<int:pk>/decision/", decision_view, name="ami_review_decision"),
    path("ami/dossiers/<int:pk>/notes/", note_view, name="ami_review_note"),
]
