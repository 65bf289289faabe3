"""The dossier pages: overview, the seven steps, submission, reopening, downloads."""
from __future__ import annotations

import logging

from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from ami import questionnaire
from ami.forms import (
    CommuneStepForm,
    EngagementsStepForm,
    LibraryForm,
    ObjectivesStepForm,
    ProjectStepForm,
    ValidationStepForm,
)
from ami.forms.base import commune_choices
from ami.models import Dossier, WorkingGroup
from ami.services import dossiers as dossier_service
from ami.services.completeness import (
    REQUIRED_MESSAGE,
    STATE_LABELS,
    load_dossier,
    missing_answers,
    prefetch_relations,
    step_states,
)
from ami.services.deadlines import dossier_closes_at, dossier_is_open, has_own_deadline
from ami.services.dossiers import DossierError, LibraryError, ensure_writable
from ami.services.review import latest_request
from ami.services.steps import STEPS, get_step, next_step
from ami.services.submission import submit_dossier
from ami.services.tokens import revoke_links
from ami.services.uploads import signed_document_response
from core.parsing import parse_ascii_int

from .common import (
    NOT_SAVED_MESSAGE,
    dossier_required,
    dossier_url,
    error_items,
    errors_json,
    is_fetch,
    no_access_response,
    paris_time_label,
)

logger = logging.getLogger("ami")

SAVED_MESSAGE = "Vos réponses ont été enregistrées."
REOPENED_MESSAGE = (
    "Votre candidature est rouverte : vous pouvez la modifier. Elle reste déposée dans sa version précédente "
    "tant que vous ne l’avez pas déposée à nouveau : pensez à la déposer avant la date limite."
)


# --- Building the forms of a step ----------------------------------------------------


class StepForms:
    """The form(s) of one step, bound or not. Step 2 has one form per library."""

    def __init__(self, step, dossier: Dossier, data=None, files=None, read_only=False):
        self.step = step
        self.dossier = dossier
        self.read_only = read_only
        kwargs = {"campaign": dossier.campaign, "read_only": read_only}
        self.libraries = []
        slug = step.slug
        if slug == "commune":
            self.forms = [CommuneStepForm(data, instance=dossier, communes=commune_choices(), **kwargs)]
        elif slug == "bibliotheques":
            choices = commune_choices()
            submitted = set()
            if data is not None:
                submitted = {parse_ascii_int(v) for v in data.getlist("library_ids")} - {None}
            self.libraries = list(dossier.libraries.all())
            self.posted_library_ids = submitted
            self.data = data
            self.forms = [
                LibraryForm(
                    data if library.pk in submitted else None,
                    instance=library, prefix=f"bib{library.pk}", communes=choices, number=number, **kwargs,
                )
                for number, library in enumerate(self.libraries, start=1)
            ]
        elif slug == "projet":
            self.forms = [ProjectStepForm(data, instance=dossier, **kwargs)]
        elif slug == "engagements":
            self.forms = [EngagementsStepForm(data, instance=dossier, **kwargs)]
        elif slug == "objectifs":
            groups = list(WorkingGroup.objects.filter(is_active=True))
            self.forms = [ObjectivesStepForm(data, instance=dossier, groups=groups, **kwargs)]
        elif slug == "validation":
            self.forms = [ValidationStepForm(data, files, instance=dossier, **kwargs)]
        else:
            self.forms = []

    @property
    def bound(self):
        return [f for f in self.forms if f.is_bound]

    def is_valid(self) -> bool:
        return all(f.is_valid() for f in self.bound)

    def save(self, step_revisions: dict) -> None:
        """Write the typed answers and the step's new revisions: one UPDATE of the dossier when a
        form of the step writes the dossier's own columns, the revisions alone otherwise."""
        written = False
        for form in self.bound:
            if form.instance is self.dossier:
                self.dossier.step_revisions = step_revisions
                form.save(also=("step_revisions",))
                written = True
            else:
                form.save()
        if not written:
            dossier_service.write_step_revisions(self.dossier.pk, step_revisions)

    def save_if_unchanged(self, base_revision: int) -> int | None:
        """The save without the row lock, for a step whose one form writes the dossier's row alone
        (projet, engagements): one UPDATE that applies only if the row still holds what this
        request checked (ami.services.dossiers.update_if_unchanged). The step's new revision, or
        None when nothing was written (the row changed meanwhile, or the step writes other rows):
        the locked save then decides."""
        bound = self.bound
        if len(bound) != 1 or not bound[0].single_row or bound[0].instance is not self.dossier:
            return None
        if not isinstance(self.dossier.step_revisions, dict):
            return None
        revisions = {**self.dossier.step_revisions, self.step.slug: base_revision + 1}
        if not dossier_service.update_if_unchanged(self.dossier, bound[0].column_values(), revisions):
            return None
        self.dossier.step_revisions = revisions
        return base_revision + 1

    @property
    def form(self):
        return self.forms[0] if self.forms else None

    def differences(self) -> list[dict]:
        """Each typed answer that differs from the one saved now (read afresh: validating the
        typed forms wrote their values into their instances): label, value saved, value typed."""
        current = StepForms(self.step, load_dossier(self.dossier.pk))
        saved_forms = {form.prefix: form for form in current.forms}
        titles = {f"bib{library.pk}": library_title(index, library)
                  for index, library in enumerate(current.libraries, start=1)}
        out = []
        for form in self.bound:
            saved_form = saved_forms.get(form.prefix)
            if saved_form is None:  # a library removed meanwhile
                continue
            for name, field in form.fields.items():
                typed, saved = form[name], saved_form[name]
                if isinstance(field, forms.FileField):
                    if typed.data:
                        out.append(_difference(typed, titles, form.prefix, saved="—",
                                               typed_value=f"fichier choisi : {typed.data.name} (à choisir à nouveau)"))
                    continue
                if field.has_changed(saved.initial, typed.data):
                    out.append(_difference(typed, titles, form.prefix, saved=display_value(saved),
                                           typed_value=display_value(typed)))
        # Libraries removed meanwhile: their typed answers cannot be saved any more; say so.
        removed = getattr(self, "posted_library_ids", set()) - {library.pk for library in current.libraries}
        for pk in sorted(removed):
            name = self.data.get(f"bib{pk}-name") if self.data is not None else ""
            out.append({"id": "bibliotheques", "label": "Bibliothèque retirée entre-temps", "section": "",
                        "saved": "retirée", "typed": f"réponses saisies pour « {name} »" if name else "réponses saisies"})
        return out

    def library_sections(self):
        return list(zip(self.libraries, self.forms, strict=True))


def library_title(index: int, library) -> str:
    return f"Bibliothèque {index}" + (f" : {library.name}" if library.name else "")


def _difference(typed, titles, prefix, *, saved, typed_value) -> dict:
    return {"id": typed.auto_id, "label": str(typed.label), "section": titles.get(prefix or "", ""),
            "saved": saved, "typed": typed_value}


# --- Context ------------------------------------------------------------------------------


def read_only_reason(dossier: Dossier) -> str:
    """Why the referent may not write now: "review" (en instruction or decided: for good),
    "closed" (deadline passed), "submitted" (déposé: « Modifier ma candidature » first), or ""."""
    if dossier.is_under_review:
        return "review"
    if not dossier_is_open(dossier):
        return "closed"
    if dossier.is_submitted:
        return "submitted"
    return ""


def progress(dossier: Dossier, current_slug: str | None, missing=None):
    missing = missing_answers(dossier) if missing is None else missing
    states = step_states(dossier, missing)
    items = []
    for step in STEPS:
        if step.slug == "recapitulatif":
            state = "complete" if dossier.is_with_mel else ("incomplete" if missing else "not_started")
            label = "déposée" if dossier.is_with_mel else ("à compléter" if missing else "prête à déposer")
        else:
            state = states[step.slug]
            label = STATE_LABELS[state]
        items.append({
            "step": step, "state": state, "state_label": label, "current": step.slug == current_slug,
            "url": dossier_url("ami:step", dossier, slug=step.slug),
        })
    return items


def base_context(request, dossier: Dossier, step=None, missing=None):
    missing = missing_answers(dossier) if missing is None else missing
    return {
        "dossier": dossier,
        "open_dossiers_count": len(dossier_service.session_dossier_ids(request)),
        "campaign": dossier.campaign,
        "deadline": dossier_closes_at(dossier),  # the dossier's own: campaign, extension or completion date
        "has_own_deadline": has_own_deadline(dossier),
        "step": step,
        "steps": progress(dossier, step.slug if step else None, missing),
        "missing": missing,
        "read_only_reason": read_only_reason(dossier),
        "dossier_state": dossier_service.dossier_state_label(dossier),
        "latest_version": dossier.versions.order_by("-number").first() if dossier.version else None,
        "team_request": latest_request(dossier),
    }


def render_step(request, dossier, step, step_forms, *, status=200, errors=None, not_saved=False, refusal="",
                kept="", conflicts=None, revision=None, mark_missing=False):
    """The page of one step. `kept`: a refused save shown with what was typed ("closed",
    "submitted" or "error"); `conflicts`: the differences with what another page saved meanwhile;
    `revision`: the step revision the form will send back (default: the one saved now);
    `mark_missing`: each answer of this step still missing to submit is marked at its field and
    listed in the error summary (the recap's links ask for it)."""
    prefetch_relations(dossier)  # a save loaded only what its forms read
    context = base_context(request, dossier, step)
    summary_title = ""
    block_missing = {}
    if mark_missing and not errors and step.slug != "recapitulatif":
        errors, block_missing = mark_missing_answers(step_forms, [m for m in context["missing"] if m.step == step.slug])
        if errors:
            count = len(errors)
            summary_title = (f"Il manque {count} réponse{'s' if count > 1 else ''} à cette étape pour pouvoir "
                             "déposer le dossier.")
    context.update({
        "summary_title": summary_title,
        "block_missing": block_missing,
        "forms": step_forms,
        "form": step_forms.form,
        "read_only": step_forms.read_only,
        "kept": kept,
        "conflicts": conflicts or [],
        "revision_field": REVISION_FIELD,
        "revision": dossier_service.step_revision(dossier, step.slug) if revision is None else revision,
        "conflict_page": conflicts is not None,
        "autosave": not step_forms.read_only and not kept and conflicts is None,
        "errors": errors or [],
        "not_saved": not_saved,
        "refusal": refusal,
        "next_step": next_step(step),
        # Volet 1 repeats its sections per library; the other steps are laid out by ami.questionnaire.
        "step_template": "ami/steps/bibliotheques.html" if step.slug == "bibliotheques" else "ami/steps/sections.html",
    })
    if step.slug == "recapitulatif":
        context["summary"] = build_summary(dossier)
        context["missing_links"] = [(item, missing_answer_url(dossier, item)) for item in context["missing"]]
    return render(request, "ami/step.html", context, status=status)


# --- The answers still missing, at their fields (?manquantes=1, the recap's links) ----------

MISSING_PARAM = "manquantes"
FIELD_MISSING_MESSAGE = "Cette réponse manque pour déposer le dossier."


def missing_answer_url(dossier: Dossier, item) -> str:
    """The recap's link to a missing answer: its step, asked to mark what is missing, at its field."""
    return f"{dossier_url('ami:step', dossier, slug=item.step)}?{MISSING_PARAM}=1#{item.field_id}"


def mark_missing_answers(step_forms: StepForms, missing) -> tuple[list[dict], dict[str, list[str]]]:
    """Put each missing answer's message on its field (unbound forms: the errors are only shown)
    and return the error summary's entries, plus the messages of answers that are a block of the
    page rather than one field (the objective grid, the list of libraries), by the block's id."""
    fields = {}
    for form in step_forms.forms:
        for name in form.fields:
            fields[form[name].auto_id] = (form, name)
    items, blocks = [], {}
    for item in missing:
        message = FIELD_MISSING_MESSAGE if item.message == REQUIRED_MESSAGE else item.message
        items.append({"id": item.field_id, "label": item.label, "message": message})
        if item.field_id in fields:
            form, name = fields[item.field_id]
            form.errors.setdefault(name, form.error_class()).append(message)
        else:
            blocks.setdefault(item.field_id, []).append(message)
    return items, blocks


# --- Views --------------------------------------------------------------------------------


@dossier_required
def overview(request, dossier):
    return render(request, "ami/overview.html", base_context(request, dossier))


REVISION_FIELD = "step_revision"


# What each step's forms read of the dossier's relations when it is saved (the rest is loaded
# only when the page is shown again: render_step).
SAVE_RELATIONS = {"commune": ("commune_links",), "bibliotheques": ("libraries",), "objectifs": ("working_group_signups",)}


# What a save reads of the dossier's own row: its step's answers (the dossier forms' columns) and
# what it checks and answers with (state, deadline, revisions, public id); the call is read whole.
# The ~150 other answers are read again only when a page is shown (an invalid save: load_dossier).
SAVE_CHECK_COLUMNS = ("public_id", "campaign", "commune", "status", "completion_due_at", "step_revisions",
                      "updated_at")
STEP_DOSSIER_FORMS = {"commune": CommuneStepForm, "projet": ProjectStepForm, "engagements": EngagementsStepForm,
                      "objectifs": ObjectivesStepForm, "validation": ValidationStepForm}
# The signed document's columns, replaced by a new upload (ami.services.uploads.store_signed_document).
STEP_EXTRA_COLUMNS = {"validation": ("signed_document", "signed_document_uploaded_at", "signed_document_size")}


def save_columns(slug: str) -> tuple[str, ...] | None:
    """The dossier's columns a save of step `slug` reads (None for an unknown step or the recap:
    the whole row, as for a page)."""
    if slug == "bibliotheques":  # its answers are the libraries' rows
        return SAVE_CHECK_COLUMNS
    form_class = STEP_DOSSIER_FORMS.get(slug)
    if form_class is None:
        return None
    names = [*form_class._meta.fields, *form_class.extra_update_fields, *STEP_EXTRA_COLUMNS.get(slug, ())]
    return tuple(dict.fromkeys((*SAVE_CHECK_COLUMNS, *names)))


@require_http_methods(["GET", "POST"])
@dossier_required(relations_on_post=False, columns_on_post=lambda slug: save_columns(slug))
def step_view(request, dossier, slug):
    step = get_step(slug)
    if step is None:
        raise Http404("Étape inconnue")
    if request.method == "POST" and step.slug in SAVE_RELATIONS:
        prefetch_relations(dossier, *SAVE_RELATIONS[step.slug])
    reason = read_only_reason(dossier)
    if request.method == "GET":
        refusal = pop_refusal(request, dossier) if step.slug == "recapitulatif" else ""
        return render_step(request, dossier, step, StepForms(step, dossier, read_only=bool(reason)), refusal=refusal,
                           mark_missing=request.GET.get(MISSING_PARAM) == "1")
    if step.slug == "recapitulatif":
        return redirect(dossier_url("ami:step", dossier, slug=step.slug))
    posted_revision = parse_ascii_int(request.POST.get(REVISION_FIELD))
    # « Rouvrir ma candidature et enregistrer ces réponses » (offered when a save was refused
    # because the dossier had been submitted meanwhile).
    reopen = request.POST.get("reopen_and_save") == "1" and dossier.is_submitted
    step_forms = StepForms(step, dossier, request.POST, request.FILES)
    try:
        ensure_writable(dossier, allow_submitted=reopen)
    except DossierError as exc:
        return refuse_write(request, dossier, step, exc.message, step_forms, posted_revision)

    if not step_forms.is_valid():
        if is_fetch(request):
            return JsonResponse({"saved": False, "message": NOT_SAVED_MESSAGE, "errors": errors_json(step_forms.bound)},
                                status=422)
        # The page again, with what was typed: the whole dossier (the save read only its step's columns).
        return render_step(request, load_dossier(dossier.pk), step, step_forms, errors=error_items(step_forms.bound),
                           not_saved=True, revision=posted_revision)

    base_revision = dossier_service.step_revision(dossier, step.slug)
    if posted_revision != base_revision and step_forms.differences():
        return conflict_response(request, dossier, step)
    # Same revision, or an older page whose answers are exactly those saved: nothing to lose.

    action = request.POST.get("library_action", "") if step.slug == "bibliotheques" else ""
    focus = ""
    try:
        new_revision = None
        if not reopen:
            ensure_writable(dossier)  # now: the deadline may have passed since the request began
            new_revision = step_forms.save_if_unchanged(base_revision)
        if new_revision is None:
            with transaction.atomic():
                locked = dossier_service.lock_for_save(dossier.pk)
                if reopen:
                    dossier_service.reopen_locked(locked)
                ensure_writable(locked)
                if dossier_service.step_revision(locked, step.slug) != base_revision:
                    raise dossier_service.StaleRevision()  # saved by someone else since this request began
                revisions = dossier_service.next_step_revisions(locked, step.slug)
                step_forms.save(revisions)
                focus = apply_library_action(dossier, action)
                new_revision = revisions[step.slug]
    except dossier_service.StaleRevision:
        return conflict_response(request, dossier, step)
    except LibraryError as exc:
        return refuse_write(request, dossier, step, exc.message, step_forms, posted_revision, status=400)
    except DossierError as exc:
        return refuse_write(request, dossier, step, exc.message, step_forms, posted_revision)
    except IntegrityError:
        # A network commune was taken by another dossier between validation and saving.
        fresh = load_dossier(dossier.pk)
        step_forms = StepForms(step, fresh, request.POST, request.FILES)
        step_forms.is_valid()
        return render_step(request, fresh, step, step_forms, errors=error_items(step_forms.bound), not_saved=True,
                           revision=posted_revision)

    if reopen:
        messages.success(request, REOPENED_MESSAGE)
    if is_fetch(request):
        payload = {"saved": True, "at": paris_time_label(), "message": f"Enregistré à {paris_time_label()}",
                   "revision": new_revision}
        if action:
            fresh = load_dossier(dossier.pk)
            payload["html"] = render_to_string(
                "ami/steps/library_list.html",
                {"forms": StepForms(step, fresh), "read_only": False, "focus": focus},
                request=request,
            )
            payload["focus"] = focus
        return JsonResponse(payload)
    messages.success(request, SAVED_MESSAGE)
    if "continue" in request.POST and next_step(step):
        return redirect(dossier_url("ami:step", dossier, slug=next_step(step).slug))
    url = dossier_url("ami:step", dossier, slug=step.slug)
    return redirect(f"{url}#{focus}" if focus else url)


def apply_library_action(dossier: Dossier, action: str) -> str:
    """Add / remove / move a library (buttons name="library_action"). Returns the id to focus."""
    if not action:
        return ""
    if action == "add":
        library = dossier_service.add_library(dossier)
        return f"bib{library.pk}"
    verb, _, raw_id = action.partition("-")
    library_id = parse_ascii_int(raw_id)
    if library_id is None:
        return ""
    if verb == "remove":
        dossier_service.remove_library(dossier, library_id)
        return "bibliotheques"
    if verb in ("up", "down"):
        dossier_service.move_library(dossier, library_id, -1 if verb == "up" else 1)
        return f"bib{library_id}"
    return ""


def refuse_write(request, dossier, step, message, step_forms, revision, status=403):
    """A save refused (deadline passed, dossier submitted meanwhile, library rule): nothing is
    saved, and the step comes back with what was typed and why."""
    if is_fetch(request):
        return JsonResponse({"saved": False, "refused": True, "message": message}, status=status)
    fresh = load_dossier(dossier.pk)
    typed = StepForms(step_forms.step, load_dossier(dossier.pk), request.POST, request.FILES)
    reason = read_only_reason(fresh)
    kept = "closed" if reason in ("closed", "review") else ("submitted" if fresh.is_submitted else "error")
    return render_step(request, fresh, step, typed, status=status, refusal=message, kept=kept, revision=revision)


def conflict_response(request, dossier, step):
    """An older page of this step was saved: show, field by field, the value saved now and the
    value typed; the form holds what was typed and the current revision (saving it again
    overwrites, deliberately)."""
    if is_fetch(request):
        return JsonResponse({"saved": False, "conflict": True, "message": dossier_service.StaleRevision.message}, status=409)
    fresh = load_dossier(dossier.pk)
    typed = StepForms(step, load_dossier(dossier.pk), request.POST, request.FILES)
    typed.is_valid()
    return render_step(request, fresh, step, typed, status=409, conflicts=typed.differences(),
                       revision=dossier_service.step_revision(fresh, step.slug))


# A refused « Déposer » / « Modifier ma candidature » is said on the recap it redirects to (POST,
# redirect, GET): reloading that page never sends the refused POST again.
REFUSAL_SESSION_KEY = "ami_refusal"


def refuse_to_recap(request, dossier: Dossier, message: str):
    request.session[REFUSAL_SESSION_KEY] = {"dossier": dossier.public_id, "message": message}
    return redirect(dossier_url("ami:step", dossier, slug="recapitulatif"))


def pop_refusal(request, dossier: Dossier) -> str:
    """The refusal kept for this dossier's recap, said once."""
    stored = request.session.get(REFUSAL_SESSION_KEY)
    if not isinstance(stored, dict) or stored.get("dossier") != dossier.public_id:
        return ""
    del request.session[REFUSAL_SESSION_KEY]
    return str(stored.get("message") or "")


@require_POST
@dossier_required
def submit(request, dossier):
    try:
        result = submit_dossier(dossier.pk)
    except DossierError as exc:  # incomplete (IncompleteDossier), deadline passed, under review
        return refuse_to_recap(request, dossier, exc.message)
    if result.created:
        logger.info("Dossier %s submitted from the site", dossier.pk)
    return redirect(dossier_url("ami:confirmation", dossier))


@dossier_required
def confirmation(request, dossier):
    if not dossier.is_with_mel:
        return redirect(dossier_url("ami:step", dossier, slug="recapitulatif"))
    context = base_context(request, dossier)
    return render(request, "ami/confirmation.html", context)


@require_POST
@dossier_required
def reopen(request, dossier):
    try:
        dossier_service.reopen_dossier(dossier.pk)
    except DossierError as exc:
        return refuse_to_recap(request, dossier, exc.message)
    messages.success(request, REOPENED_MESSAGE)
    return redirect(dossier_url("ami:step", dossier, slug="commune"))


def dossier_list(request):
    """/candidater/dossier/: the dossiers open in this browser. One: straight to it; several: choose."""
    dossiers = dossier_service.session_dossiers(request)
    if not dossiers:
        return no_access_response(request)
    if len(dossiers) == 1:
        return redirect(dossier_url("ami:dossier", dossiers[0]))
    items = [{"dossier": d, "state": dossier_service.dossier_state_label(d), "url": dossier_url("ami:dossier", d)}
             for d in dossiers]
    return render(request, "ami/dossier_list.html", {"items": items})


@require_POST
@dossier_required
def leave(request, dossier):
    """« Quitter le dossier »: this browser no longer opens this dossier (the others stay open); with
    the box ticked, every private link of the dossier is revoked too."""
    remaining = dossier_service.revoke_session_access(request, dossier)
    revoked = request.POST.get("revoke_links") == "1"
    if revoked:
        revoke_links(dossier)
    if not remaining:
        request.session.flush()
    else:
        request.session.cycle_key()
    if revoked:
        messages.success(request, f"Le dossier de la commune de {dossier.commune.name} est fermé sur cet appareil et "
                                  "tous ses liens privés sont désactivés. Pour le rouvrir, demandez un nouveau lien : "
                                  "il sera envoyé par e-mail au référent du dossier.")
    else:
        messages.success(request, f"Le dossier de la commune de {dossier.commune.name} est fermé sur cet appareil. "
                                  "Pour le rouvrir, utilisez un lien privé reçu par e-mail.")
    return redirect("ami:dossiers" if remaining else "ami:home")


# --- Downloads -------------------------------------------------------------------------------


def _pdf_response(content: bytes, filename: str, inline=False) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@dossier_required
def receipt_pdf(request, dossier):
    """The PDF of the last submitted version (with its receipt number)."""
    version = dossier.versions.order_by("-number").first()
    if version is None:
        raise Http404("Aucune candidature déposée")
    from ami import pdf

    if hasattr(pdf, "version_pdf_response"):
        return pdf.version_pdf_response(version)
    if hasattr(pdf, "get_or_create_version_pdf"):
        content = pdf.get_or_create_version_pdf(version)
    else:  # pragma: no cover
        content = pdf.render_dossier_pdf(dossier, version)
    name = f"candidature-bnm-{dossier.receipt_number}-v{version.number}.pdf"
    return _pdf_response(content, name)


@dossier_required
def draft_pdf(request, dossier):
    """The current answers as a PDF (a working copy, not a receipt)."""
    from ami.pdf import draft_dossier_pdf

    return _pdf_response(draft_dossier_pdf(dossier), f"dossier-bnm-{dossier.commune.insee_code}-brouillon.pdf")


@dossier_required
def signed_document(request, dossier):
    return signed_document_response(dossier)


# --- Summary (recap) ---------------------------------------------------------------------------


EMPTY = "Non renseigné"


def display_value(bound) -> str:
    field = bound.field
    value = bound.value()
    if hasattr(field, "choices") and field.choices:
        choices = {str(k): str(v) for k, v in field.choices}
        if isinstance(value, list | tuple):
            labels = [choices.get(str(v), str(v)) for v in value]
            return ", ".join(labels) if labels else EMPTY
        if value in (None, ""):
            return EMPTY
        return choices.get(field.prepare_value(value) if hasattr(field, "prepare_value") else str(value),
                           choices.get(str(value), str(value)))
    if getattr(field.widget, "input_type", "") == "checkbox":
        return "oui" if value else "non"
    if value in (None, ""):
        return EMPTY
    return str(field.prepare_value(value) if hasattr(field, "prepare_value") else value)


def build_summary(dossier: Dossier):
    """Every answer, step by step, as (label, value, link) rows, from the same forms as the steps,
    in the questionnaire's order (ami.questionnaire), one block per section of the paper dossier."""
    sections = []
    for step in STEPS:
        if step.slug == "recapitulatif":
            continue
        step_forms = StepForms(step, dossier, read_only=True)
        url = dossier_url("ami:step", dossier, slug=step.slug)
        blocks = []
        if step.slug == "bibliotheques":
            for index, (library, form) in enumerate(step_forms.library_sections(), start=1):
                rows = [_row(bound, url) for _title, bounds in form.sections() for bound in bounds]
                blocks.append({"title": library_title(index, library), "rows": rows})
        else:
            form = step_forms.form
            declared = questionnaire.step(step.slug).sections
            shown: set[str] = set()
            for section in declared:
                rows = []
                for q in section.questions:
                    rows += _question_rows(q, form, dossier, url, shown)
                # A step of one section needs no second heading.
                blocks.append({"title": section.title if len(declared) > 1 else "", "rows": rows})
            # Anything a form asks that the declaration does not name is still shown.
            blocks[-1]["rows"] += [_row(bound, url) for bound in form if bound.name not in shown]
        sections.append({"step": step, "blocks": blocks})
    return sections


def _question_rows(q, form, dossier: Dossier, url: str, shown: set[str]) -> list[dict]:
    if q.kind == "commune":
        return [{"label": q.label, "value": dossier.commune.name, "url": url, "id": ""}]
    if q.kind == "file":
        shown.add(q.name)
        doc = dossier.signed_document
        uploaded = dossier.signed_document_uploaded_at
        value = (f"document déposé le {timezone.localtime(uploaded):%d/%m/%Y}" if doc and uploaded
                 else ("document déposé" if doc else EMPTY))
        return [{"label": q.label, "value": value, "url": url, "id": f"id_{q.name}"}]
    if q.kind == "signup":
        bounds = [bound for _group, box, agents in form.group_fields() for bound in (box, agents)]
    else:
        bounds = [form[q.name]] if q.name in form.fields else []
    shown.update(bound.name for bound in bounds)
    return [_row(bound, url) for bound in bounds]


def _row(bound, url):
    return {"label": bound.label, "value": display_value(bound), "url": url, "id": bound.auto_id}
