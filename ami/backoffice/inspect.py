"""The dossier inspect page of the back-office: every answer grouped as in the paper dossier,
read from the questionnaire declaration (ami.questionnaire), the history (versions, state
changes, e-mails to the commune), the staff's private notes, and the decision forms.

Values are formatted by ami.pdf.format_value (the PDF's « Oui / Non / — », choice labels,
French numbers and Paris dates); labels are the questions' paper wording."""
from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpResponseNotAllowed
from django.urls import reverse
from django.utils.text import capfirst
from wagtail_modeladmin.views import InspectView

from ami import questionnaire
from ami.models import Dossier, DossierEvent, DossierNote, DossierVersion, Library, OutboxEmail
from ami.pdf import EMPTY, format_value, paris_datetime_label
from ami.services import review


def load_for_inspect(pk: int) -> Dossier:
    """The dossier with everything the page shows, in a constant number of queries."""
    return (
        Dossier.objects.select_related("campaign", "commune", "head_commune")
        .prefetch_related(
            "communes",
            Prefetch("libraries", queryset=Library.objects.order_by("sort_order", "id").prefetch_related(
                "associated_communes")),
            "working_group_signups__group",
            Prefetch("versions", queryset=DossierVersion.objects.order_by("-number").defer("data")),
            Prefetch("events", queryset=DossierEvent.objects.select_related("actor").order_by("-at", "-pk")),
            Prefetch("staff_notes", queryset=DossierNote.objects.select_related("author").order_by("-created_at", "-pk")),
            Prefetch("emails", queryset=OutboxEmail.objects.exclude(key__endswith=":team").order_by("-created_at", "-pk")),
        )
        .get(pk=pk)
    )


def _names(communes) -> str:
    return ", ".join(sorted((c.name for c in communes), key=str.casefold)) or EMPTY


def _row(label: str, value, *, long: bool = False, link: str = "") -> dict:
    return {"label": label, "value": value if value not in (None, "") else EMPTY, "long": long, "link": link}


def _special_row(name: str, q: questionnaire.Question, dossier: Dossier) -> dict:
    """The "@…" rows a question declares in `printed_as` (the same names as the PDF's)."""
    if name == "@commune":
        return _row(q.label, dossier.commune.name)
    if name == "@communes":
        return _row(q.label, _names(dossier.communes.all()))
    if name == "@head_commune":
        return _row(q.label, dossier.head_commune.name if dossier.head_commune else EMPTY)
    if name == "@signed_document":
        if not dossier.signed_document:
            return _row(q.label, EMPTY)
        uploaded = dossier.signed_document_uploaded_at
        text = "Télécharger le document signé" + (f" (déposé le {paris_datetime_label(uploaded)})" if uploaded else "")
        return _row(q.label, text, link=reverse("ami_admin_signed_document", args=[dossier.pk]))
    raise ValueError(f"no display for {name}")


def _question_rows(q: questionnaire.Question, obj, dossier: Dossier, labels: dict) -> list[dict]:
    """The displayed rows of one question: its own column, or what it declares in `printed_as`."""
    if q.kind == "signup":
        signups = sorted(dossier.working_group_signups.all(), key=lambda s: (s.group.sort_order, s.group.name))
        if not signups:
            return [_row("Inscriptions", "Aucune inscription")]
        return [_row(s.group.name, s.agent_names or "Inscrit (agent non précisé)") for s in signups]
    rows = []
    for name in q.printed_names:
        if name.startswith("@"):
            rows.append(_special_row(name, q, obj if isinstance(obj, Dossier) else dossier))
            continue
        field = obj._meta.get_field(name)
        if field.many_to_many:  # a library's associated communes
            rows.append(_row(q.label, _names(getattr(obj, name).all())))
            continue
        label = q.label if name == q.name else capfirst(str(field.verbose_name))
        rows.append(_row(label, format_value(field, getattr(obj, field.attname), labels), long=q.kind == "longtext"))
    return rows


def _sections(step_slug: str, obj, dossier: Dossier, labels: dict) -> list[dict]:
    return [
        {"title": section.title, "rows": [row for q in section.questions for row in _question_rows(q, obj, dossier, labels)]}
        for section in questionnaire.step(step_slug).sections
    ]


def answer_parts(dossier: Dossier) -> list[dict]:
    """[{title, id, blocks: [{title, sections: [{title, rows}]}]}] in the paper's order
    (questionnaire.PAPER_PARTS); Volet 1 has one block per library."""
    labels = {"engagement_choices": dict(dossier.campaign.engagement_choices())}
    parts = []
    for index, (title, slugs) in enumerate(questionnaire.PAPER_PARTS, start=1):
        blocks = []
        for slug in slugs:
            if slug == "bibliotheques":
                libraries = list(dossier.libraries.all())
                for number, library in enumerate(libraries, start=1):
                    name = library.name or "nom non renseigné"
                    blocks.append({"title": f"Bibliothèque {number}\u202f: {name}",
                                   "sections": _sections(slug, library, dossier, labels)})
                if not libraries:
                    blocks.append({"title": "Aucune bibliothèque renseignée", "sections": []})
            else:
                blocks.append({"title": "", "sections": _sections(slug, dossier, dossier, labels)})
        parts.append({"title": title, "id": f"partie-{index}", "blocks": blocks})
    return parts


def _actor(user) -> str:
    if user is None:
        return "La commune (référent)"
    return user.get_full_name() or user.get_username()


def history(dossier: Dossier) -> dict:
    versions = [
        {"number": v.number, "at": paris_datetime_label(v.submitted_at),
         "url": reverse("ami_admin_version_pdf", args=[dossier.pk, v.number])}
        for v in dossier.versions.all()
    ]
    events = [
        {"at": paris_datetime_label(e.at), "actor": _actor(e.actor), "from": e.get_from_state_display(),
         "to": e.get_to_state_display(), "message": e.message,
         "due": paris_datetime_label(e.due_at) if e.due_at else ""}
        for e in dossier.events.all()
    ]
    from ami.wagtail_hooks import outbox_status_label

    emails = [
        {"subject": m.subject, "to": ", ".join(m.to), "at": paris_datetime_label(m.created_at),
         "status": outbox_status_label(m)}
        for m in dossier.emails.all()
    ]
    return {"versions": versions, "events": events, "emails": emails}


def summary(dossier: Dossier) -> list[dict]:
    """The dossier at a glance (state, receipt, dates, referents by role)."""
    rows = [
        _row("Campagne", dossier.campaign.title),
        _row("État", dossier.get_status_display()),
        _row("Numéro de récépissé", dossier.receipt_number),
        _row("Version déposée", dossier.version or EMPTY),
        _row("Déposé le", paris_datetime_label(dossier.submitted_at) if dossier.submitted_at else EMPTY),
    ]
    if dossier.completion_due_at:
        rows.append(_row("À compléter avant le", f"{paris_datetime_label(dossier.completion_due_at)} (heure de Paris)"))
    rows += [
        _row("Communes du dossier", _names(dossier.communes.all())),
        _row("Élu référent", _person(dossier.elected_first_name, dossier.elected_last_name, dossier.elected_email)),
        _row("Agent référent", _person(dossier.agent_first_name, dossier.agent_last_name, dossier.agent_email)),
        _row("Créé le", paris_datetime_label(dossier.created_at)),
        _row("Dernière modification", paris_datetime_label(dossier.updated_at)),
    ]
    return rows


def _person(first: str, last: str, email: str) -> str:
    name = " ".join(p for p in (first, last) if p)
    return f"{name} ({email})" if name and email else (name or email or EMPTY)


def documents(dossier: Dossier) -> list[dict]:
    links = [{"url": reverse("ami_admin_dossier_pdf", args=[dossier.pk]),
              "label": "PDF de la version déposée" if dossier.is_with_mel else "PDF des réponses actuelles"}]
    if dossier.signed_document:
        links.append({"url": reverse("ami_admin_signed_document", args=[dossier.pk]), "label": "Document signé"})
    return links


def decision_actions(dossier: Dossier) -> dict:
    """The transitions the team may make now: simple buttons, and « à compléter » (its own form)."""
    allowed = review.allowed_transitions(dossier.status)
    return {
        "buttons": [t for t in allowed if not t.needs_date],
        "to_complete": next((t for t in allowed if t.needs_date), None),
        "targets": {str(t.target) for t in allowed},
    }



# --- The view (wagtail-modeladmin's inspect view of DossierAdmin) -------------------------------


class DossierInspectView(InspectView):
    """Everything about one dossier for the team; the decision and note forms post to
    ami.backoffice.review_views, which render this page again with their errors."""

    def get_page_title(self):
        return f"Dossier de {self.instance.commune.name}"

    def get_page_subtitle(self):
        return self.instance.campaign.title

    def get_meta_title(self):
        return f"Dossier de {self.instance.commune.name}"

    def post(self, request, *args, **kwargs):
        # Only reached through review_views (bound forms with errors); a plain POST is refused.
        if getattr(request, "review_forms", None) is None:
            return HttpResponseNotAllowed(["GET"])
        return self.get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        from ami.backoffice.groups import can_act_on_dossiers
        from ami.backoffice.review_views import CompletionForm, DecisionForm, NoteForm

        dossier = load_for_inspect(self.instance.pk)
        self.instance = dossier
        bound = getattr(self.request, "review_forms", None) or {}
        forms_ = {
            "decision_form": bound.get("decision_form") or DecisionForm(),
            "completion_form": bound.get("completion_form") or CompletionForm(),
            "note_form": bound.get("note_form") or NoteForm(),
        }
        errors = []
        for form in bound.values():
            for error in form.non_field_errors():
                errors.append({"id": f"{form.prefix}-actions", "label": "", "message": error})
            for name, field_errors in form.errors.items():
                if name in form.fields:
                    errors += [{"id": form[name].auto_id, "label": form[name].label, "message": e} for e in field_errors]
        context = {
            "instance": dossier,
            "dossier": dossier,
            "summary": summary(dossier),
            "documents": documents(dossier),
            "parts": answer_parts(dossier),
            "history": history(dossier),
            "notes": [
                {"author": _actor(n.author) if n.author else "Compte supprimé", "at": paris_datetime_label(n.created_at),
                 "text": n.text}
                for n in dossier.staff_notes.all()
            ],
            "can_act": can_act_on_dossiers(self.request.user),
            "actions": decision_actions(dossier),
            "errors": errors,
            "decision_url": reverse("ami_review_decision", args=[dossier.pk]),
            "note_url": reverse("ami_review_note", args=[dossier.pk]),
            "buttons": [],
            **forms_,
        }
        context.update(kwargs)
        return super(InspectView, self).get_context_data(**context)
