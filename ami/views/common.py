"""Helpers shared by the AMI views: dossier access through the session, error summaries, JSON."""
from __future__ import annotations

from functools import wraps

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from ami.services.completeness import library_scoped, load_dossier
from ami.services.dossiers import session_dossiers, session_may_open
from core.typography import french_text

# Shown by the AMI's script from a JSON answer (no template filter there): typographed here.
NOT_SAVED_MESSAGE = french_text("Vos réponses n’ont pas été enregistrées : corrigez les erreurs signalées.")


def is_fetch(request) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


NO_ACCESS_MESSAGE = french_text(
    "Accès refusé : ce dossier n’est pas ouvert dans ce navigateur. "
    "Ouvrez le lien privé reçu par e-mail, ou demandez-en un nouveau."
)


def dossier_url(name: str, dossier, **kwargs) -> str:
    """The URL of one of a dossier's pages ("ami:step", slug=…): they all name the dossier by its public id."""
    return reverse(name, kwargs={"public_id": dossier.public_id, **kwargs})


def no_access_response(request):
    """403: this browser's session does not hold the dossier (or it does not exist: same answer)."""
    if is_fetch(request):
        return JsonResponse({"saved": False, "refused": True, "error": NO_ACCESS_MESSAGE, "message": NO_ACCESS_MESSAGE},
                            status=403)
    return render(request, "ami/no_access.html", {"open_dossiers": session_dossiers(request)}, status=403)


def dossier_required(view=None, *, relations_on_post: bool = True, columns_on_post=None):
    """Load the dossier named by the URL (`public_id`) if this browser's session holds it; 403 otherwise.

    Every request, GET or POST, for a dossier the session does not hold is refused the same way
    whether that dossier exists or not. `relations_on_post=False`: a POST gets the dossier without
    its libraries, communes and signups (the view loads what it reads: prefetch_relations).
    `columns_on_post(**kwargs)`: the columns a POST reads of the dossier, from the URL's other
    arguments (None: all of them).
    """
    if view is None:
        return lambda view: dossier_required(view, relations_on_post=relations_on_post, columns_on_post=columns_on_post)

    @wraps(view)
    def wrapper(request, public_id, *args, **kwargs):
        post = request.method == "POST"
        dossier = load_dossier(public_id=public_id, relations=relations_on_post or not post,
                               columns=columns_on_post(**kwargs) if post and columns_on_post else None)
        if dossier is None or not session_may_open(request, dossier):
            return no_access_response(request)
        request.dossier = dossier
        return view(request, dossier, *args, **kwargs)

    return wrapper


def error_items(forms) -> list[dict]:
    """Entries of the error summary: one per field error, linking to the field. The errors of
    one library's form name that library (« Médiathèque X – Nombre de bénévoles »)."""
    items = []
    for form in forms:
        scope = getattr(form, "error_scope", "")
        for error in form.non_field_errors():
            # A library's own section (id « bib<pk> », its prefix), else the whole form.
            items.append({"id": form.prefix if scope else "formulaire", "label": scope, "message": error})
        for name, errors in form.errors.items():
            if name == "__all__" or name not in form.fields:
                continue
            bound = form[name]
            label = library_scoped(scope, bound.label) if scope else bound.label
            for error in errors:
                items.append({"id": bound.auto_id, "label": label, "message": error})
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
