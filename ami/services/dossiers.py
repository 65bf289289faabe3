"""Dossier life cycle: start, find, resume links, writability, libraries, reopening."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from ami.models import Campaign, Commune, Dossier, DossierCommune, DossierEvent, Library
from ami.services.deadlines import accepts_requests, commune_may_start, dossier_is_open, open_by_its_own_dates
from ami.services.notifications import dispatch_after_commit, queue_resume_link_email
from ami.services.tokens import issue_token

logger = logging.getLogger("ami")

# Session key holding the ids of the dossiers opened in this browser through a private link
# (several at once: a referent may handle the dossiers of several communes).
SESSION_KEY = "ami_dossier_ids"
# Bound on how many dossiers one browser session keeps open (the oldest is dropped first).
MAX_SESSION_DOSSIERS = 50


class DossierError(Exception):
    """A refused operation; `message` is shown to the user in French."""

    message = "Cette opération n’est pas possible."

    def __init__(self, message: str | None = None):
        super().__init__(message or self.message)
        if message:
            self.message = message


class CampaignClosed(DossierError):
    message = (
        "La date limite de dépôt est passée : le dossier ne peut plus être modifié ni déposé. "
        "Pour toute question, écrivez à bnm@lillemetropole.fr."
    )


class CampaignNotOpen(DossierError):
    message = "L’appel à manifestation d’intérêt n’est pas ouvert : aucun dossier ne peut être créé."


class DossierSubmitted(DossierError):
    message = (
        "Votre candidature est déposée : pour la modifier, utilisez d’abord le bouton « Modifier ma candidature »."
    )


class DossierUnderReview(DossierError):
    message = (
        "Votre candidature est entre les mains de l’équipe de la Métropole Européenne de Lille "
        "(en instruction ou décidée)\u202f: elle ne peut plus être modifiée. "
        "Pour toute question, écrivez à bnm@lillemetropole.fr."
    )


class LibraryError(DossierError):
    pass


# --- Start & find ---------------------------------------------------------------


def find_dossier_for_commune(campaign: Campaign, commune: Commune) -> Dossier | None:
    """The dossier of `campaign` covering `commune` (as candidate or as network member)."""
    return find_dossier_for_commune_id(campaign, commune.pk)


def find_dossier_for_commune_id(campaign: Campaign, commune_id: int) -> Dossier | None:
    """Same, by id, in one query whether a dossier exists or not (link requests take the same time)."""
    return (
        Dossier.objects.select_related("commune", "campaign")
        .filter(Q(commune_id=commune_id) | Q(commune_links__commune_id=commune_id), campaign=campaign)
        .distinct()
        .order_by("pk")
        .first()
    )


@dataclass
class StartResult:
    dossier: Dossier
    created: bool
    raw_token: str | None = None


def start_dossier(
    campaign: Campaign, commune: Commune, *, is_network: bool | None, agent_email: str, now=None
) -> StartResult:
    """Create a dossier for `commune`, or return the existing one (created=False).

    Creates Dossier + DossierCommune + one empty Library in one transaction, issues an access
    token and queues the resume e-mail. A concurrent start for the same commune hits the unique
    constraints and is answered as "already exists".
    """
    if not commune_may_start(campaign, commune, now):
        raise CampaignNotOpen()
    existing = find_dossier_for_commune(campaign, commune)
    if existing:
        return StartResult(existing, created=False)
    try:
        with transaction.atomic():
            dossier = Dossier.objects.create(
                campaign=campaign, commune=commune, is_network=is_network, agent_email=agent_email
            )
            DossierCommune.objects.create(dossier=dossier, commune=commune, campaign=campaign)
            Library.objects.create(dossier=dossier, sort_order=0)
            raw = issue_token(dossier)
            queue_resume_link_email(dossier, raw)
    except IntegrityError:
        existing = find_dossier_for_commune(campaign, commune)
        if existing is None:  # pragma: no cover - constraint other than the commune ones
            raise
        return StartResult(existing, created=False)
    logger.info("AMI dossier %s started for %s", dossier.pk, commune.insee_code)
    return StartResult(dossier, created=True, raw_token=raw)


def referent_email(dossier: Dossier) -> str:
    return dossier.agent_email or dossier.elected_email


def send_resume_link(dossier: Dossier, recipient: str | None = None, now=None) -> bool:
    """Issue a new link (revoking the older ones) and e-mail it to `recipient` (default: the agent
    referent). False if impossible."""
    recipient = recipient or referent_email(dossier)
    if not recipient or not dossier_is_open(dossier, now):
        return False
    with transaction.atomic():
        raw = issue_token(dossier)
        queue_resume_link_email(dossier, raw, recipient=recipient)
    return True


class _RollBack(Exception):
    pass


STAND_IN_RECIPIENT = "referent@example.invalid"


def _same_work_as_sending(campaign: Campaign, commune: Commune | None) -> None:
    """Do what send_resume_link does, on a stand-in dossier, then roll it all back.

    A request for an unknown address or commune then runs the same queries, hashing and
    e-mail rendering as a request for a known one (same answer, same time), and leaves
    nothing behind: the rows are rolled back before any constraint is checked. The broker
    publish is made too, with the id of the rolled-back outbox row: the worker finds no such
    row and does nothing.
    """
    stand_in = Dossier(
        pk=0, campaign=campaign, commune=commune or Commune(pk=0, name="Commune"), agent_email=STAND_IN_RECIPIENT
    )
    email = None
    try:
        with transaction.atomic():
            raw = issue_token(stand_in)
            email = queue_resume_link_email(stand_in, raw, recipient=STAND_IN_RECIPIENT)
            raise _RollBack
    except _RollBack:
        dispatch_after_commit(email)
    except Exception:  # pragma: no cover - must never turn an unknown address into an error page
        logger.exception("Stand-in link work failed")


def always_within_budget(target: str) -> bool:
    return True


def send_link_to_commune_referent(
    campaign: Campaign | None, commune_id: int | None, *, within_budget=always_within_budget, now=None
) -> bool:
    """« Recevoir un nouveau lien » for a commune: the agent referent of its dossier gets a new link.

    Same work whether the commune has a dossier or not; `within_budget("c:<id>")` spends one
    of the commune's link e-mails (False: nothing is sent, for a known commune as for an unknown one).
    """
    if campaign is None or commune_id is None or not accepts_requests(campaign, now):
        return False
    if not within_budget(f"c:{commune_id}"):
        return False
    dossier = find_dossier_for_commune_id(campaign, commune_id)
    if dossier is not None and send_resume_link(dossier, now=now):
        return True
    _same_work_as_sending(campaign, None)
    return False


def request_resume_links(
    campaign: Campaign | None, *, email: str = "", commune: Commune | None = None,
    within_budget=always_within_budget, now=None,
) -> int:
    """/candidater/reprendre/: send a new link for every matching dossier. Returns how many were sent.

    The caller answers the same whatever this returns, and this does the same work for an
    unknown address or commune as for a known one (no disclosure of which dossiers exist, by
    the answer or by its timing). `within_budget(target)` spends one link e-mail of the target
    ("e:<address>" or "c:<commune id>"): the budget counts e-mails, not form posts, and an
    exhausted budget sends nothing without saying so.
    """
    if campaign is None or not accepts_requests(campaign, now):
        return 0
    sent = 0
    email = (email or "").strip()
    if email and within_budget(f"e:{email.lower()}"):
        dossiers = list(
            Dossier.objects.select_related("campaign", "commune")
            .filter(Q(agent_email__iexact=email) | Q(elected_email__iexact=email), campaign=campaign)
            .order_by("pk")
        )
        for dossier in dossiers:
            sent += send_resume_link(dossier, recipient=email, now=now)
        if not dossiers:
            _same_work_as_sending(campaign, None)
    if commune is not None:
        sent += send_link_to_commune_referent(campaign, commune.pk, within_budget=within_budget, now=now)
    return sent


# --- Access & writability ---------------------------------------------------------


def session_dossier_ids(request) -> list[int]:
    """The ids of the dossiers this browser may open, oldest first."""
    value = request.session.get(SESSION_KEY)
    if not isinstance(value, list):
        return []
    return [pk for pk in value if isinstance(pk, int) and not isinstance(pk, bool)]


def grant_session_access(request, dossier: Dossier) -> None:
    """Add `dossier` to the dossiers this browser may open (the others stay open)."""
    ids = [pk for pk in session_dossier_ids(request) if pk != dossier.pk]
    ids.append(dossier.pk)
    request.session.cycle_key()
    request.session[SESSION_KEY] = ids[-MAX_SESSION_DOSSIERS:]


def revoke_session_access(request, dossier: Dossier) -> int:
    """Remove `dossier` from this browser's session; returns how many dossiers stay open."""
    ids = [pk for pk in session_dossier_ids(request) if pk != dossier.pk]
    request.session[SESSION_KEY] = ids
    return len(ids)


def session_may_open(request, dossier: Dossier) -> bool:
    return dossier.pk in session_dossier_ids(request)


def session_dossiers(request) -> list[Dossier]:
    """The dossiers open in this browser, by commune name."""
    ids = session_dossier_ids(request)
    if not ids:
        return []
    return list(Dossier.objects.select_related("commune", "campaign").filter(pk__in=ids).order_by("commune__name"))


def is_read_only(dossier: Dossier, now=None) -> bool:
    return not dossier_is_open(dossier, now)


def ensure_writable(dossier: Dossier, now=None, *, allow_submitted: bool = False) -> None:
    """Raise unless the referent may change the answers of `dossier` now (server-side check).

    Writable: a draft, or a dossier « à compléter », until its deadline (ami.services.deadlines);
    a « déposé » one only through reopening (`allow_submitted`); never one en instruction or decided."""
    if dossier.is_under_review:
        raise DossierUnderReview()
    if not dossier_is_open(dossier, now):
        raise CampaignClosed()
    if dossier.is_submitted and not allow_submitted:
        raise DossierSubmitted()


def lock_dossier(dossier_id: int) -> Dossier:
    return Dossier.objects.select_for_update().select_related("campaign", "commune").get(pk=dossier_id)


# What a step save reads of its locked row: the state and the deadline (ensure_writable), the
# step revisions, the commune (extensions) and the call.
SAVE_LOCK_FIELDS = ("campaign", "commune_id", "status", "completion_due_at", "step_revisions")


def lock_for_save(dossier_id: int) -> Dossier:
    """The row lock of a step save: the dossier's row only (not its call's, which every dossier of
    the call shares: concurrent saves of different dossiers never wait for each other), and only
    the columns the save checks under it, not the answers read already (any other column read
    later is loaded on access)."""
    return (Dossier.objects.select_for_update(of=("self",)).select_related("campaign")
            .only(*SAVE_LOCK_FIELDS).get(pk=dossier_id))


def reopen_locked(dossier: Dossier, now=None) -> None:
    """Back to draft (receipt number kept); `dossier` must be locked by the caller's transaction."""
    ensure_writable(dossier, now, allow_submitted=True)
    if dossier.is_submitted:
        dossier.status = Dossier.Status.DRAFT
        dossier.save(update_fields=["status", "updated_at"])
        DossierEvent.objects.create(dossier=dossier, from_state=Dossier.Status.SUBMITTED, to_state=dossier.status)


def reopen_dossier(dossier_id: int, now=None) -> Dossier:
    """« Modifier ma candidature »: a submitted dossier goes back to draft (receipt number kept)."""
    with transaction.atomic():
        dossier = lock_dossier(dossier_id)
        reopen_locked(dossier, now)
    return dossier


# --- Optimistic revisions of the steps ----------------------------------------------------


class StaleRevision(DossierError):
    message = (
        "Ces réponses ont été modifiées entre-temps, dans un autre onglet ou par une autre personne : "
        "rien n’a été enregistré."
    )


def step_revision(dossier: Dossier, slug: str) -> int:
    """How many times step `slug` of `dossier` has been saved (the revision a page is built from)."""
    value = (dossier.step_revisions or {}).get(slug, 0) if isinstance(dossier.step_revisions, dict) else 0
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def next_step_revisions(locked: Dossier, slug: str) -> dict:
    """The step revisions once step `slug` is saved once more (caller holds the row lock); the
    caller writes them with the answers (StepForms.save), and `locked` has them already."""
    revisions = dict(locked.step_revisions) if isinstance(locked.step_revisions, dict) else {}
    revisions[slug] = step_revision(locked, slug) + 1
    locked.step_revisions = revisions
    return revisions


def update_if_unchanged(dossier: Dossier, values: dict, revisions: dict, now=None) -> bool:
    """Write `values` (by column) and the step `revisions` in one UPDATE, without a transaction nor
    a prior lock, if what the save checked on `dossier` still holds when the row is written: its
    state, completion date and step revisions (conditions on the row itself, which PostgreSQL
    checks again on the latest version of a row updated concurrently) and its call's dates, and
    the dossier is open by those dates alone (an extension is read under the lock). False: nothing
    was written; the caller takes the row lock and checks again (lock_for_save)."""
    if not isinstance(dossier.step_revisions, dict) or not open_by_its_own_dates(dossier, now):
        return False
    campaign = dossier.campaign
    same_call_dates = Campaign.objects.filter(pk=OuterRef("campaign_id"), opens_at=campaign.opens_at,
                                              closes_at=campaign.closes_at)
    unchanged = Dossier.objects.filter(Exists(same_call_dates), pk=dossier.pk, campaign_id=campaign.pk,
                                       status=dossier.status, completion_due_at=dossier.completion_due_at,
                                       step_revisions=dossier.step_revisions)
    return unchanged.update(step_revisions=revisions, **values) == 1


def write_step_revisions(dossier_id: int, revisions: dict) -> None:
    """The revisions alone, for a step whose forms write no column of the dossier (the libraries)."""
    Dossier.objects.filter(pk=dossier_id).update(step_revisions=revisions, updated_at=timezone.now())


REVIEW_STATE_LABELS = {
    Dossier.Status.IN_REVIEW: "déposée, en instruction par la Métropole Européenne de Lille",
    Dossier.Status.TO_COMPLETE: "à compléter, puis à déposer à nouveau",
    Dossier.Status.ACCEPTED: "retenue",
    Dossier.Status.REJECTED: "non retenue",
}


def dossier_state_label(dossier: Dossier) -> str:
    """The state as the referent reads it (« candidature … »)."""
    if dossier.status in REVIEW_STATE_LABELS:
        return REVIEW_STATE_LABELS[dossier.status]
    if dossier.is_submitted:
        return "déposée"
    if dossier.receipt_number:
        return "déposée, en cours de modification : pensez à déposer à nouveau"
    return "brouillon"


# --- Libraries ---------------------------------------------------------------------


def add_library(dossier: Dossier) -> Library:
    last = dossier.libraries.aggregate(m=Max("sort_order"))["m"]
    return Library.objects.create(dossier=dossier, sort_order=0 if last is None else last + 1)


def _renumber(libraries: list[Library]) -> None:
    for index, library in enumerate(libraries):
        if library.sort_order != index:
            library.sort_order = index
            library.save(update_fields=["sort_order"])


def remove_library(dossier: Dossier, library_id: int) -> None:
    libraries = list(dossier.libraries.order_by("sort_order", "id"))
    target = next((lib for lib in libraries if lib.pk == library_id), None)
    if target is None:
        return
    if len(libraries) <= 1:
        raise LibraryError("Le dossier doit comporter au moins une bibliothèque : celle-ci ne peut pas être retirée.")
    target.delete()
    _renumber([lib for lib in libraries if lib.pk != library_id])


def move_library(dossier: Dossier, library_id: int, delta: int) -> None:
    libraries = list(dossier.libraries.order_by("sort_order", "id"))
    index = next((i for i, lib in enumerate(libraries) if lib.pk == library_id), None)
    if index is None:
        return
    new_index = index + delta
    if not 0 <= new_index < len(libraries):
        return
    libraries[index], libraries[new_index] = libraries[new_index], libraries[index]
    _renumber(libraries)
