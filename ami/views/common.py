"""Helpers shared by the AMI views: dossier access through the session, error summaries, JSON."""
from __future__ import annotations

from functools import wraps

from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from ami.services.completeness import load_dossier
from ami.services.dossiers import session_dossier_id

NOT_SAVED_MESSAGE = "Vos réponses n’ont pas été enregistrées : corrigez les erreurs signalées."


def is_fetch(request) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def dossier_required(view):
    """Load the dossier opened through a private link in this session; 403 page otherwise."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        pk = session_dossier_id(request)
        dossier = load_dossier(pk) if pk else None
        if dossier is None:
            if is_fetch(request):
                return JsonResponse({"saved": False, "error": "Accès refusé : ouvrez le lien reçu par e-mail."},
                                    status=403)
            return render(request, "ami/no_access.html", status=403)
        request.dossier = dossier
        return view(request, dossier, *args, **kwargs)

    return wrapper


def error_items(forms) -> list[dict]:
    """Entries of the error summary: one per field error, linking to the field."""
    items = []
    for form in forms:
        for error in form.non_field_errors():
            items.append({"id": "formulaire", "label": "", "message": error})
        for name, errors in form.errors.items():
            if name == "__all__" or name not in form.fields:
                continue
            bound = form[name]
            for error in errors:
                items.append({"id": bound.auto_id, "label": bound.label, "message": error})
    return items


def errors_json(forms) -> dict:
    out = {}
    for form in forms:
        for name, errors in form.errors.items():
            key = "formulaire" if name == "__all__" or name not in form.fields else form[name].auto_id
            out.setdefault(key, []).extend(str(e) for e in errors)
    return out


def paris_time_label(value=None) -> str:
    value = timezone.localtime(value or timezone.now())
    return f"{value.hour} h {value.minute:02d}"
