"""« Suivi des communes »: where each of the communes stands for one campaign, and the team's
two actions from there (« Relancer » a draft's referent, « Inviter » a commune with no dossier)."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ami.models import Campaign, Commune, Dossier, DossierCommune
from ami.services import deadlines

NOT_STARTED = "not_started"
DRAFT, SUBMITTED = Dossier.Status.DRAFT.value, Dossier.Status.SUBMITTED.value
# A commune with no dossier, then every state of a dossier, review and decision included.
STATE_LABELS = {NOT_STARTED: "pas commencé", **{value: str(label) for value, label in Dossier.Status.choices}}
# The states in which the referent is still writing: « Relancer » sends them a new link.
REMINDABLE = {DRAFT, Dossier.Status.TO_COMPLETE.value}


@dataclass
class CommuneRow:
    commune: Commune
    dossier: Dossier | None
    network: list[str]  # the dossier's communes (the member's own name included), [] when alone

    @property
    def state(self) -> str:
        if self.dossier is None:
            return NOT_STARTED
        return self.dossier.status if self.dossier.status in STATE_LABELS else SUBMITTED

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def can_remind(self) -> bool:
        """« Relancer » applies to a draft, or a dossier « à compléter », still writable: the
        campaign is open, or the dossier has its own later deadline (an extension for one of its
        communes, or the date by which the team asked for it to be completed)."""
        return self.state in REMINDABLE and self.is_dossier_commune and deadlines.dossier_is_open(self.dossier)

    @property
    def is_dossier_commune(self) -> bool:
        """The commune that holds the dossier (the others are members of its network)."""
        return self.dossier is not None and self.dossier.commune_id == self.commune.pk


def tracker_rows(campaign: Campaign) -> list[CommuneRow]:
    """One row per commune, in three queries whatever the number of communes and dossiers."""
    dossiers = {
        d.pk: d
        for d in Dossier.objects.filter(campaign=campaign).select_related("commune").only(
            "pk", "commune_id", "commune__name", "status", "updated_at", "submitted_at", "receipt_number",
            "agent_email", "elected_email", "campaign_id", "completion_due_at",
        )
    }
    for dossier in dossiers.values():
        dossier.campaign = campaign
    dossier_of: dict[int, Dossier] = {d.commune_id: d for d in dossiers.values()}
    members: dict[int, set[int]] = defaultdict(set)
    for dossier in dossiers.values():
        members[dossier.pk].add(dossier.commune_id)
    for dossier_id, commune_id in DossierCommune.objects.filter(campaign=campaign).values_list("dossier_id", "commune_id"):
        if dossier_id in dossiers:
            members[dossier_id].add(commune_id)
            dossier_of.setdefault(commune_id, dossiers[dossier_id])
    deadlines.prime_extensions(campaign, {dossiers[pk]: commune_ids for pk, commune_ids in members.items()})
    communes = list(Commune.objects.order_by("name"))
    names = {c.pk: c.name for c in communes}
    rows = []
    for commune in communes:
        dossier = dossier_of.get(commune.pk)
        network = []
        if dossier is not None and len(members[dossier.pk]) > 1:
            network = sorted((names[pk] for pk in members[dossier.pk] if pk in names), key=str.casefold)
        rows.append(CommuneRow(commune, dossier, network))
    return rows


def commune_dossier(campaign: Campaign, commune: Commune) -> Dossier | None:
    """The dossier of `campaign` that covers `commune` (as its own or as a network member)."""
    return (
        Dossier.objects.filter(campaign=campaign)
        .filter(Q(commune=commune) | Q(commune_links__commune=commune))
        .distinct()
        .first()
    )


def state_counts(rows: list[CommuneRow]) -> dict[str, int]:
    counts = Counter(row.state for row in rows)
    return {state: counts.get(state, 0) for state in STATE_LABELS}


def remind(dossier: Dossier, now=None) -> str | None:
    """« Relancer »: a new private link (older ones revoked) to the draft's referent.

    Returns the address written to, or None with nothing sent (submitted dossier, past its
    deadline (the campaign's, or its commune's extension), no referent address)."""
    from ami.services.dossiers import referent_email, send_resume_link

    if dossier.is_with_mel:
        return None
    recipient = referent_email(dossier)
    if recipient and send_resume_link(dossier, now=now):
        return recipient
    return None


def invite(campaign: Campaign, commune: Commune, recipient: str, now=None):
    """« Inviter »: an e-mail asking `commune` to apply, with the call page's address.

    One invitation per commune, address and day (a second click does not send twice).
    Returns (email, created)."""
    from ami.services.notifications import queue_invitation_email

    now = now or timezone.now()
    with transaction.atomic():
        return queue_invitation_email(campaign, commune, recipient, now=now)
