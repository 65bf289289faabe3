"""The MEL team's review of a submitted dossier: the one place that says which state may follow
which, records each change (DossierEvent) and queues the decision e-mail to the referents.

    déposé ──────────► en instruction ──► retenu / non retenu
       │                 ▲   │                │
       └─► à compléter ◄─┘◄──┘                └─► (back to « en instruction » to correct a decision)
              │
              └─► déposé again when the referent submits the completed dossier (ami.services.submission)

« À compléter » carries a message and a date: the dossier is writable again until then
(Dossier.completion_due_at, read by ami.services.deadlines), and only that dossier.
Each decision (à compléter, retenu, non retenu) queues exactly one e-mail (outbox key: the event).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ami.models import Dossier, DossierEvent, DossierNote
from ami.services.dossiers import DossierError, lock_dossier

logger = logging.getLogger("ami")

S = Dossier.Status


@dataclass(frozen=True)
class Transition:
    target: str
    action: str  # the button's label in the back-office
    sends_email: bool = False
    needs_message: bool = False
    needs_date: bool = False


# Which state may follow which, by the MEL team's hand (the referent's own moves, submission and
# « Modifier ma candidature », are in ami.services.submission and ami.services.dossiers).
TRANSITIONS: dict[str, tuple[Transition, ...]] = {
    S.SUBMITTED: (
        Transition(S.IN_REVIEW, "Mettre en instruction"),
        Transition(S.TO_COMPLETE, "Demander des compléments", sends_email=True, needs_message=True, needs_date=True),
    ),
    S.IN_REVIEW: (
        Transition(S.ACCEPTED, "Retenir le dossier", sends_email=True),
        Transition(S.REJECTED, "Ne pas retenir le dossier", sends_email=True),
        Transition(S.TO_COMPLETE, "Demander des compléments", sends_email=True, needs_message=True, needs_date=True),
    ),
    S.TO_COMPLETE: (
        Transition(S.IN_REVIEW, "Reprendre l’instruction sans attendre les compléments"),
    ),
    S.ACCEPTED: (Transition(S.IN_REVIEW, "Revenir en instruction"),),
    S.REJECTED: (Transition(S.IN_REVIEW, "Revenir en instruction"),),
    S.DRAFT: (),
}

DECISIONS = frozenset({S.TO_COMPLETE, S.ACCEPTED, S.REJECTED})


class TransitionRefused(DossierError):
    message = "Ce changement d’état n’est pas possible."


def label(state: str) -> str:
    return str(S(state).label)


def allowed_transitions(status: str) -> tuple[Transition, ...]:
    return TRANSITIONS.get(status, ())


def find_transition(status: str, target: str) -> Transition | None:
    return next((t for t in allowed_transitions(status) if t.target == target), None)


def refusal_message(status: str, target: str) -> str:
    """Why `status` → `target` is refused, in French, naming what is possible instead."""
    if target not in S.values:
        return "Cet état de dossier n’existe pas."
    if status == target:
        return f"Le dossier est déjà «\u00a0{label(status)}\u00a0»."
    if status == S.DRAFT:
        return (
            "Le dossier est un brouillon\u00a0: la commune ne l’a pas déposé, il ne peut pas être instruit "
            f"ni passer à l’état «\u00a0{label(target)}\u00a0»."
        )
    possible = [f"«\u00a0{label(t.target)}\u00a0»" for t in allowed_transitions(status)]
    text = f"Un dossier «\u00a0{label(status)}\u00a0» ne peut pas passer à l’état «\u00a0{label(target)}\u00a0»"
    if possible:
        return f"{text}\u202f; il peut passer à l’état {' ou '.join(possible)}."
    return f"{text}."


def transition(
    dossier_id: int, target: str, *, actor=None, message: str = "", due_at: datetime | None = None, now=None,
) -> DossierEvent:
    """Move the dossier to `target` under a row lock, record the change, queue the decision e-mail.

    Raises TransitionRefused (message in French) when the table above does not allow it, when
    « à compléter » lacks its message or a date to come."""
    from ami.services.notifications import queue_review_email

    now = now or timezone.now()
    message = (message or "").strip()
    with transaction.atomic():
        dossier = lock_dossier(dossier_id)
        step = find_transition(dossier.status, target)
        if step is None:
            raise TransitionRefused(refusal_message(dossier.status, target))
        if step.needs_message and not message:
            raise TransitionRefused("Écrivez le message à la commune\u00a0: il lui dit quoi compléter.")
        if step.needs_date and (due_at is None or due_at <= now):
            raise TransitionRefused("Choisissez une date limite à venir pour compléter le dossier.")
        from_state = dossier.status
        dossier.status = target
        dossier.completion_due_at = due_at if target == S.TO_COMPLETE else None
        dossier.save(update_fields=["status", "completion_due_at", "updated_at"])
        event = DossierEvent.objects.create(
            dossier=dossier, actor=actor, at=now, from_state=from_state, to_state=target, message=message,
            due_at=dossier.completion_due_at,
        )
        if step.sends_email:
            queue_review_email(dossier, event)
    logger.info("AMI dossier %s: %s -> %s by %s", dossier_id, from_state, target, getattr(actor, "pk", None))
    return event


def record_referent_change(dossier: Dossier, from_state: str, now=None) -> DossierEvent:
    """A change made by the referent (submission, reopening), in the caller's transaction."""
    return DossierEvent.objects.create(
        dossier=dossier, actor=None, at=now or timezone.now(), from_state=from_state, to_state=dossier.status,
    )


def latest_request(dossier: Dossier) -> DossierEvent | None:
    """The team's last message to the referent (à compléter, retenu, non retenu), for the banner."""
    if dossier.status not in DECISIONS:
        return None
    return dossier.events.filter(to_state=dossier.status).order_by("-at", "-pk").first()


# --- Private notes ---------------------------------------------------------------------


class EmptyNote(DossierError):
    message = "Écrivez le texte de la note."


def add_note(dossier: Dossier, author, text: str) -> DossierNote:
    text = (text or "").strip()
    if not text:
        raise EmptyNote()
    return DossierNote.objects.create(dossier=dossier, author=author, text=text)
