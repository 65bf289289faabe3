"""Personal data of the AMI (RGPD): the purge of old dossiers and what the site holds about a person.

Retention periods come from the legal settings (home.models.retention_periods(), « Paramètres ›
Mentions légales et données personnelles »), in months counted from THE DOSSIER'S closing date
(ami.services.deadlines: the campaign's, or an extension for its commune, or the date the team
gave to complete it). A period that is not set means: keep everything (logged at each run).

Drafts never submitted (no version): one month before their deletion, the referent gets a
warning e-mail through the outbox (key ``purge-warning:<dossier>``: sent once); then the
dossier is deleted with its libraries, answers, links, e-mails and private files. A draft is
never deleted less than one month after its warning was queued (a period set or shortened
late does not delete without notice); a draft with no address is deleted at its date.

Submitted dossiers (at least one version) are anonymised at the end of the dossier period, not
deleted: the figures of the « état des lieux » (libraries' numbers, engagements, objectives,
the commune, the receipt and the review's states) stay for the MEL's statistics; the
referents' and library managers' names, e-mails, phones, positions, the working-group agent
names, the same fields in every submitted version's snapshot, the signed document (it bears a
signature) and the stored PDFs (they print the names), the private links and the e-mails sent
about the dossier are removed. Idempotent: a second run finds nothing left to remove.
"""
from __future__ import annotations

import copy
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from ami.models import (
    AccessToken,
    Campaign,
    Dossier,
    DossierVersion,
    Library,
    OutboxEmail,
    WorkingGroupMember,
    WorkingGroupSignup,
)
from ami.services import deadlines
from home.dates import to_paris

logger = logging.getLogger("ami")

NOTICE = relativedelta(months=1)
WARNING_KEY = "purge-warning:{pk}"

DOSSIER_PERSONAL_FIELDS = (
    "elected_last_name", "elected_first_name", "elected_delegation", "elected_email",
    "agent_last_name", "agent_first_name", "agent_position", "agent_department", "agent_email", "agent_phone",
)
LIBRARY_PERSONAL_FIELDS = ("manager_name", "phone", "email")
SIGNUP_PERSONAL_FIELDS = ("agent_names",)


def add_months(value: datetime, months: int) -> datetime:
    """`value` + `months` calendar months, in Paris time (31 March + 1 month = 30 April)."""
    return to_paris(value) + relativedelta(months=months)


@dataclass
class PurgeReport:
    warned: list[int] = field(default_factory=list)
    deleted: list[int] = field(default_factory=list)
    anonymised: list[int] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    not_set: list[str] = field(default_factory=list)


def _closed_dossiers(now: datetime, **filters) -> list[tuple[Dossier, datetime]]:
    """(dossier, its closing date) for every dossier of a campaign closed before `now` whose own
    deadline has passed, in a few queries per campaign."""
    result = []
    for campaign in Campaign.objects.filter(closes_at__lte=now):
        dossiers = Dossier.objects.filter(campaign=campaign, **filters).select_related("commune")
        result += [(d, closes_at) for d, closes_at in deadlines.with_deadlines(campaign, dossiers) if closes_at <= now]
    return result


def private_files_of(dossier: Dossier) -> set[str]:
    """The stored private files of a dossier: its signed document, its versions' PDFs and the
    signed documents they were submitted with, its e-mails' attachments."""
    names = {dossier.signed_document.name} if dossier.signed_document else set()
    for pdf, signed in DossierVersion.objects.filter(dossier=dossier).values_list("pdf", "data__signed_document__name"):
        names |= {n for n in (pdf, signed) if n}
    names |= set(OutboxEmail.objects.filter(dossier=dossier).exclude(attachment="").values_list("attachment", flat=True))
    return names


def _forget_cached_pdf_on_commit(dossier_pk: int) -> None:
    """The cached draft PDF prints the referents' names: dropped with the data it was made from."""
    from ami.pdf import forget_draft_pdf

    transaction.on_commit(lambda: forget_draft_pdf(dossier_pk))


def _delete_files_on_commit(names: set[str]) -> None:
    if not names:
        return
    storage = Dossier._meta.get_field("signed_document").storage

    def delete():
        from ami.services.uploads import referenced_private_files

        still_used = referenced_private_files()
        for name in names - still_used:
            try:
                storage.delete(name)
            except OSError:
                logger.warning("Could not delete the private file %s", name, exc_info=True)

    transaction.on_commit(delete)


# --- Drafts never submitted ----------------------------------------------------------------------


def draft_deletion_date(closes_at: datetime, months: int, warned_at: datetime | None) -> datetime:
    """The period after the closing, and never less than a month after the warning."""
    due = add_months(closes_at, months)
    return max(due, to_paris(warned_at) + NOTICE) if warned_at else due


def purge_drafts(months: int | None, now: datetime, report: PurgeReport, dry_run: bool = False) -> None:
    if months is None:
        report.not_set.append("drafts")
        logger.info("Draft retention period not set (Paramètres › données personnelles): no draft purged")
        return
    from ami.services.dossiers import referent_email
    from ami.services.notifications import queue_purge_warning_email

    drafts = _closed_dossiers(now, version=0, status=Dossier.Status.DRAFT)
    warnings = dict(
        OutboxEmail.objects.filter(key__in=[WARNING_KEY.format(pk=d.pk) for d, _ in drafts]).values_list("key", "created_at")
    )
    for dossier, closes_at in drafts:
        warned_at = warnings.get(WARNING_KEY.format(pk=dossier.pk))
        delete_at = draft_deletion_date(closes_at, months, warned_at)
        has_address = bool(referent_email(dossier))
        if has_address and warned_at is None:
            if now >= add_months(closes_at, months) - NOTICE:
                report.warned.append(dossier.pk)
                if not dry_run:
                    with transaction.atomic():
                        # The warning announces the date the draft will actually go: a month from now at least.
                        queue_purge_warning_email(
                            dossier, key=WARNING_KEY.format(pk=dossier.pk),
                            delete_at=max(add_months(closes_at, months), to_paris(now) + NOTICE),
                        )
            continue
        if now >= delete_at:
            report.deleted.append(dossier.pk)
            files = private_files_of(dossier)
            report.files += sorted(files)
            if not dry_run:
                with transaction.atomic():
                    OutboxEmail.objects.filter(dossier=dossier).delete()
                    _forget_cached_pdf_on_commit(dossier.pk)
                    dossier.delete()
                    _delete_files_on_commit(files)
                logger.info("Draft dossier %s (%s) deleted: retention period of %s months over",
                            dossier.pk, dossier, months)


# --- Submitted dossiers --------------------------------------------------------------------------


def _has_personal_data(dossier: Dossier) -> bool:
    if any(getattr(dossier, name) for name in DOSSIER_PERSONAL_FIELDS) or dossier.signed_document:
        return True
    lib_q = Q()
    for name in LIBRARY_PERSONAL_FIELDS:
        lib_q |= ~Q(**{name: ""})
    return (
        Library.objects.filter(dossier=dossier).filter(lib_q).exists()
        or WorkingGroupSignup.objects.filter(dossier=dossier).exclude(agent_names="").exists()
        or DossierVersion.objects.filter(dossier=dossier).exclude(pdf="").exists()
        or OutboxEmail.objects.filter(dossier=dossier).exists()
        or AccessToken.objects.filter(dossier=dossier).exists()
        or any(_scrub_snapshot(copy.deepcopy(data or {})) for data in DossierVersion.objects.filter(dossier=dossier).values_list("data", flat=True))
    )


def _scrub_snapshot(data: dict) -> bool:
    """Blank the personal fields of a version's snapshot in place; True if something changed."""
    changed = False

    def blank(mapping: dict | None, names) -> None:
        nonlocal changed
        if not isinstance(mapping, dict):
            return
        for name in names:
            if mapping.get(name):
                mapping[name] = ""
                changed = True

    blank(data.get("dossier"), DOSSIER_PERSONAL_FIELDS)
    for library in data.get("libraries") or []:
        blank(library, LIBRARY_PERSONAL_FIELDS)
    for signup in data.get("working_groups") or []:
        blank(signup, SIGNUP_PERSONAL_FIELDS)
    signed = data.get("signed_document")
    if isinstance(signed, dict) and signed.get("name"):
        signed["name"] = ""
        changed = True
    return changed


def anonymise_dossier(dossier: Dossier) -> set[str]:
    """Remove the personal data of a submitted dossier, keep its figures. Returns the files to delete
    (deleted after commit). Call it in a transaction."""
    files = private_files_of(dossier)
    Dossier.objects.filter(pk=dossier.pk).update(
        **{name: "" for name in DOSSIER_PERSONAL_FIELDS},
        signed_document="", signed_document_uploaded_at=None, signed_document_size=None,
    )
    Library.objects.filter(dossier=dossier).update(**{name: "" for name in LIBRARY_PERSONAL_FIELDS})
    WorkingGroupSignup.objects.filter(dossier=dossier).update(agent_names="")
    for version in DossierVersion.objects.filter(dossier=dossier):
        data = version.data if isinstance(version.data, dict) else {}
        _scrub_snapshot(data)
        DossierVersion.objects.filter(pk=version.pk).update(data=data, pdf="")
    OutboxEmail.objects.filter(dossier=dossier).delete()
    AccessToken.objects.filter(dossier=dossier).delete()
    _forget_cached_pdf_on_commit(dossier.pk)
    _delete_files_on_commit(files)
    return files


def purge_submitted(months: int | None, now: datetime, report: PurgeReport, dry_run: bool = False) -> None:
    if months is None:
        report.not_set.append("dossiers")
        logger.info("Dossier retention period not set (Paramètres › données personnelles): no dossier anonymised")
        return
    for dossier, closes_at in _closed_dossiers(now, version__gt=0):
        if now < add_months(closes_at, months) or not _has_personal_data(dossier):
            continue
        report.anonymised.append(dossier.pk)
        if dry_run:
            report.files += sorted(private_files_of(dossier))
            continue
        with transaction.atomic():
            report.files += sorted(anonymise_dossier(dossier))
        logger.info("Dossier %s (%s) anonymised: retention period of %s months over", dossier.pk, dossier, months)


def purge_personal_data(now: datetime | None = None, dry_run: bool = False) -> PurgeReport:
    """The daily purge (beat task ami.tasks.purge_personal_data and `manage.py purge_personal_data`)."""
    from home.models import retention_periods

    now = now or timezone.now()
    periods = retention_periods()
    report = PurgeReport()
    purge_drafts(periods["drafts"], now, report, dry_run)
    purge_submitted(periods["dossiers"], now, report, dry_run)
    if report.warned or report.deleted or report.anonymised:
        logger.info(
            "Personal data purge%s: %s warning(s), %s draft(s) deleted, %s dossier(s) anonymised",
            " (dry run)" if dry_run else "", len(report.warned), len(report.deleted), len(report.anonymised),
        )
    return report


# --- What the site holds about a person ----------------------------------------------------------


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _admin_account(user) -> dict:
    """An admin account, its second factor (TOTP devices, never their secret) and the failed logins
    django-axes keeps for it (with the address they came from) while a lockout may apply."""
    from axes.models import AccessAttempt
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return {
        "identifiant": user.get_username(), "prénom": user.first_name, "nom": user.last_name, "e-mail": user.email,
        "actif": user.is_active, "équipe": user.is_staff, "créé_le": _iso(user.date_joined),
        "dernière_connexion": _iso(user.last_login), "groupes": sorted(user.groups.values_list("name", flat=True)),
        "second_facteur": [{"nom": d.name, "confirmé": d.confirmed} for d in TOTPDevice.objects.filter(user=user)],
        "tentatives_de_connexion_échouées": [
            {"le": _iso(a.attempt_time), "adresse_ip": a.ip_address, "échecs": a.failures_since_start}
            for a in AccessAttempt.objects.filter(Q(username=user.get_username()) | Q(username__iexact=user.email))
            .order_by("attempt_time")
        ],
    }


def export_personal_data(email: str) -> dict:
    """Everything the site holds about the person whose address is `email` (case-insensitive)."""
    address = email.strip().lower()
    dossiers = (
        Dossier.objects.filter(Q(agent_email__iexact=address) | Q(elected_email__iexact=address))
        .select_related("campaign", "commune")
        .annotate(version_count=Count("versions", distinct=True))
        .order_by("campaign__opens_at", "commune__name")
    )
    dossier_rows = []
    for dossier in dossiers:
        roles = [role for role, value in (("agent", dossier.agent_email), ("élu", dossier.elected_email))
                 if value.strip().lower() == address]
        dossier_rows.append({
            "id": dossier.pk,
            "campagne": dossier.campaign.title,
            "commune": dossier.commune.name,
            "état": dossier.get_status_display(),
            "rôles": roles,
            "créé_le": _iso(dossier.created_at),
            "déposé_le": _iso(dossier.submitted_at),
            "récépissé": dossier.receipt_number,
            "versions_déposées": dossier.version_count,
            "document_signé": bool(dossier.signed_document),
            # Only the person's own role: the other referent's details are someone else's data.
            **{label: {f: getattr(dossier, f) for f in DOSSIER_PERSONAL_FIELDS if f.startswith(prefix)}
               for role, label, prefix in (("agent", "référent_agent", "agent_"), ("élu", "référent_élu", "elected_"))
               if role in roles},
            "groupes_de_travail": [
                {"groupe": s.group.name, "agents_proposés": s.agent_names}
                for s in dossier.working_group_signups.select_related("group")
            ],
        })
    libraries = [
        {"dossier": lib.dossier_id, "bibliothèque": lib.name, "responsable": lib.manager_name, "téléphone": lib.phone,
         "e-mail": lib.email}
        for lib in Library.objects.filter(email__iexact=address).order_by("dossier_id", "sort_order")
    ]
    emails = [
        {"id": e.pk, "objet": e.subject, "destinataires": e.to, "état": e.get_status_display(),
         "créé_le": _iso(e.created_at), "envoyé_le": _iso(e.sent_at), "dossier": e.dossier_id}
        # icontains narrows in the database (works on SQLite and PostgreSQL), the exact match is checked here
        for e in OutboxEmail.objects.filter(to__icontains=address).order_by("created_at", "pk")
        if any(str(to).strip().lower() == address for to in e.to or [])
    ]
    members = [
        {"groupe": m.group.name, "nom": m.name, "e-mail": m.email, "commune": m.commune.name if m.commune else None,
         "ajouté_le": _iso(m.created_at)}
        for m in WorkingGroupMember.objects.filter(email__iexact=address).select_related("group", "commune")
    ]
    users = [_admin_account(u) for u in get_user_model().objects.filter(email__iexact=address)]
    return {
        "e-mail": address,
        "exporté_le": _iso(timezone.now()),
        "dossiers": dossier_rows,
        "bibliothèques": libraries,
        "e-mails": emails,
        "membre_de_groupes_de_travail": members,
        "compte_administration": users,
    }


def export_json(email: str) -> str:
    return json.dumps(export_personal_data(email), ensure_ascii=False, indent=2)

