"""Rules of the working groups: who their members are, writing to them, their meetings.

Members of a group, for a campaign, in one list (`group_members`):
- each sign-up of a **submitted** dossier of that campaign (origin « dossier »): the agents the
  commune proposed (free text, as typed in the dossier) and, as the address to write to, the
  e-mail of the dossier's referent agent (the dossier asks for no address per proposed agent);
- each member the team added (`WorkingGroupMember`, origin « ajouté par l’équipe »), whatever
  the campaign.

Drafts never count. The dossier export's « Groupes de travail » sheet lists the sign-ups of the
dossiers of the filtered list: filtered on the campaign and the state « déposé », its rows are
the members « dossier » of this list.

E-mails go through the outbox (ami.services.notifications): one e-mail per address, however
many members share it, under a key that makes a second « Envoyer » a no-op.

Meetings are published on the public calendar as events of the calendar page (home.EventPage,
category « Groupes de travail »): the calendar's list, its iCal feed and the home page show
them like any other event. The visio link is never published, only sent to the members.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.html import escape
from django.utils.text import slugify

from ami.models import (
    Campaign,
    Dossier,
    WorkingGroup,
    WorkingGroupMeeting,
    WorkingGroupMember,
    WorkingGroupSignup,
)
from home.dates import PARIS, to_paris

ORIGIN_DOSSIER = "dossier"
ORIGIN_TEAM = "team"
ORIGIN_LABELS = {ORIGIN_DOSSIER: "dossier", ORIGIN_TEAM: "ajouté par l’équipe"}
DEFAULT_MEETING_LENGTH = dt.timedelta(hours=1)
ONLINE_LABEL = "En visioconférence"


@dataclass
class Member:
    name: str
    email: str
    commune: str
    origin: str
    receipt_number: str = ""
    member_pk: int | None = None  # the WorkingGroupMember of a member added by the team
    dossier_pk: int | None = None

    @property
    def origin_label(self) -> str:
        return ORIGIN_LABELS[self.origin]

    @property
    def address(self) -> str:
        return self.email.strip().lower()


# Submitted and not turned down (ami.services.review): déposé, en instruction, à compléter, retenu.
MEMBER_STATES = (Dossier.Status.SUBMITTED, Dossier.Status.IN_REVIEW, Dossier.Status.TO_COMPLETE,
                 Dossier.Status.ACCEPTED)


def counted_dossiers(campaign: Campaign):
    """The dossiers whose sign-ups make members: submitted ones of `campaign`, still in the running."""
    return Dossier.objects.filter(campaign=campaign, status__in=MEMBER_STATES)


def group_members(group: WorkingGroup, campaign: Campaign | None) -> list[Member]:
    """The group's members for `campaign` (dossier sign-ups first, by commune), in two queries."""
    members = []
    if campaign is not None:
        signups = (
            WorkingGroupSignup.objects.filter(group=group, dossier__in=counted_dossiers(campaign))
            .select_related("dossier__commune")
            .only("agent_names", "dossier__agent_email", "dossier__receipt_number", "dossier__commune__name")
        )
        for signup in sorted(signups, key=lambda s: (s.dossier.commune.name.casefold(), s.pk)):
            dossier = signup.dossier
            members.append(
                Member(
                    name=signup.agent_names.strip(), email=dossier.agent_email or "", commune=dossier.commune.name,
                    origin=ORIGIN_DOSSIER, receipt_number=dossier.receipt_number or "", dossier_pk=dossier.pk,
                )
            )
    for member in WorkingGroupMember.objects.filter(group=group).select_related("commune").order_by("name", "pk"):
        members.append(
            Member(
                name=member.name, email=member.email, commune=member.commune.name if member.commune else "",
                origin=ORIGIN_TEAM, member_pk=member.pk,
            )
        )
    return members


@dataclass
class Recipients:
    """The members reached at each address (one e-mail per address), and those not reached."""

    by_address: dict[str, list[Member]] = field(default_factory=dict)
    unreached: list[Member] = field(default_factory=list)


def recipients(members: list[Member]) -> Recipients:
    result = Recipients()
    for member in members:
        if member.address:
            result.by_address.setdefault(member.address, []).append(member)
        else:
            result.unreached.append(member)
    return result


def address_digest(address: str) -> str:
    return hashlib.sha256(address.encode()).hexdigest()[:16]


@dataclass
class Sending:
    queued: int  # e-mails created now
    already: int  # addresses that had this e-mail already
    unreached: list[Member]


def write_to_group(group: WorkingGroup, campaign: Campaign | None, subject: str, message: str, token: str) -> Sending:
    """« Écrire au groupe »: one outbox e-mail per address of the group's members. `token` names
    this message (sent with the form): the same form posted twice queues nothing more."""
    from ami.services.notifications import queue_group_message_email

    found = recipients(group_members(group, campaign))
    queued = already = 0
    with transaction.atomic():
        for address in found.by_address:
            _, created = queue_group_message_email(group, address, subject, message, key=f"group-message:{group.pk}:{token}:{address_digest(address)}")
            queued += created
            already += not created
    return Sending(queued, already, found.unreached)


# --- Meetings ---------------------------------------------------------------------------------


def meeting_end(meeting: WorkingGroupMeeting) -> dt.datetime:
    return meeting.ends_at or meeting.starts_at + DEFAULT_MEETING_LENGTH


def meeting_location(meeting: WorkingGroupMeeting) -> str:
    """What the public calendar says of the place: the room, and/or « En visioconférence »."""
    place = meeting.place.strip()
    if place and meeting.is_online:
        return f"{place} et en visioconférence"
    return place or (ONLINE_LABEL if meeting.is_online else "")


def meeting_title(meeting: WorkingGroupMeeting) -> str:
    return f"Réunion – {meeting.group.name}"


def meeting_saved(meeting: WorkingGroupMeeting, changed_fields=(), *, created: bool, user=None):
    """After the admin form saved `meeting`: a change of time or place makes a new version (to
    be sent again), and the calendar's event follows the meeting."""
    if not created and set(changed_fields) & set(WorkingGroupMeeting.SCHEDULE_FIELDS):
        meeting.sequence += 1
        meeting.save(update_fields=["sequence"])
    return publish_meeting_event(meeting, user)


def _calendar_page():
    from home.models import CalendarPage

    return CalendarPage.objects.live().first()


def publish_meeting_event(meeting: WorkingGroupMeeting, user=None):
    """Create or update the calendar's event of `meeting` and publish it. Returns the event, or
    None when the site has no calendar page."""
    from home.models import EventCategory, EventPage

    page = EventPage.objects.filter(pk=meeting.event_page_id).first() if meeting.event_page_id else None
    calendar = page.get_parent().specific if page else _calendar_page()
    if calendar is None:
        return None
    start, end = to_paris(meeting.starts_at), to_paris(meeting_end(meeting))
    paragraphs = [text for text in (meeting.group.description, meeting.description) if text.strip()]
    values = {
        "title": meeting_title(meeting),
        "start_date": start.date(),
        "end_date": end.date() if end.date() != start.date() else None,
        "all_day": False,
        "start_time": start.time().replace(tzinfo=None),
        "end_time": end.time().replace(tzinfo=None),
        "is_provisional": False,
        "category": EventCategory.WORKING_GROUPS,
        "location": meeting_location(meeting)[:200],
        "description": "".join(f"<p>{escape(text.strip())}</p>" for text in paragraphs),
    }
    if page is None:
        page = EventPage(slug=f"reunion-{slugify(meeting.group.name)[:60]}-{start:%Y-%m-%d}-{meeting.pk}", **values)
        calendar.add_child(instance=page)
        meeting.event_page = page
        meeting.save(update_fields=["event_page"])
    else:
        for name, value in values.items():
            setattr(page, name, value)
    # Whoever may schedule a meeting may publish its event: the page permissions (Éditeurs') are not asked.
    page.save_revision(user=user).publish(user=user, skip_permission_checks=True)
    return page


def remove_meeting_event(meeting: WorkingGroupMeeting) -> None:
    from home.models import EventPage

    if meeting.event_page_id:
        EventPage.objects.filter(pk=meeting.event_page_id).delete()


def meeting_uid(meeting: WorkingGroupMeeting) -> str:
    from home.ical import UID_DOMAIN

    return f"meeting-{meeting.pk}@{UID_DOMAIN}"


def meeting_ics(meeting: WorkingGroupMeeting, now: dt.datetime | None = None) -> bytes:
    """The invitation's .ics (RFC 5545, icalendar): one event, its SEQUENCE the meeting's version."""
    from icalendar import Event

    from home.ical import calendar_bytes, new_calendar

    cal = new_calendar(meeting.group.name)
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0))
    event.add("summary", meeting_title(meeting))
    event.add("dtstart", meeting.starts_at.astimezone(PARIS))
    event.add("dtend", meeting_end(meeting).astimezone(PARIS))
    location = meeting_location(meeting)
    if location:
        event.add("location", location)
    lines = [meeting.description.strip()] if meeting.description.strip() else []
    if meeting.is_online and meeting.online_url:
        lines.append(f"Lien de la visio\u202f: {meeting.online_url}")
        event.add("url", meeting.online_url)
    if lines:
        event.add("description", "\n\n".join(lines))
    event.add("status", "CONFIRMED")
    cal.add_component(event)
    cal.add_missing_timezones()
    return calendar_bytes(cal)


def invite_members(meeting: WorkingGroupMeeting, campaign: Campaign | None) -> Sending:
    """« Envoyer l’invitation aux membres »: one e-mail with the .ics per address, once per
    version of the meeting (a second click sends nothing; a new time or place sends again)."""
    from ami.services.notifications import queue_meeting_invitation_email

    found = recipients(group_members(meeting.group, campaign))
    ics = meeting_ics(meeting)
    queued = already = 0
    with transaction.atomic():
        for address in found.by_address:
            key = f"group-meeting:{meeting.pk}:v{meeting.sequence}:{address_digest(address)}"
            _, created = queue_meeting_invitation_email(meeting, address, ics, key=key)
            queued += created
            already += not created
    return Sending(queued, already, found.unreached)
