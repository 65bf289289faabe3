"""RFC 5545 export of calendar events (icalendar library)."""
from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.utils.html import strip_tags
from icalendar import Calendar, Event

from core.public_urls import page_url

UID_DOMAIN = "bnm.lillemetropole.fr"


def event_uid(event) -> str:
    """Stable across exports and edits: based on the page id only."""
    return f"event-{event.pk}@{UID_DOMAIN}"


def new_calendar(name: str = "Bibliothèque Numérique Métropolitaine") -> Calendar:
    """An empty VCALENDAR of the BNM (the feeds here, the meeting invitations of ami)."""
    cal = Calendar()
    cal.add("prodid", "-//Métropole Européenne de Lille//Bibliothèque Numérique Métropolitaine//FR")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Paris")
    return cal


def build_calendar(events, request=None) -> Calendar:
    cal = new_calendar()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    for page in events:
        event = Event()
        event.add("uid", event_uid(page))
        event.add("dtstamp", now)
        summary = page.title + (" (prévisionnel)" if page.is_provisional else "")
        event.add("summary", summary)
        if page.is_timed:
            event.add("dtstart", page.starts_at)
            event.add("dtend", page.ends_at)
        else:
            event.add("dtstart", page.start_date)
            event.add("dtend", (page.end_date or page.start_date) + dt.timedelta(days=1))
        description = strip_tags(page.description).strip()
        label = page.when_display if page.past_provisional else page.period_label
        if label:
            description = f"{label}. {description}".strip()
        if description:
            event.add("description", description)
        if page.location:
            event.add("location", page.location)
        event.add("categories", [page.category_label])
        if page.last_published_at:
            event.add("last-modified", page.last_published_at.astimezone(dt.UTC).replace(microsecond=0))
        event.add("url", page_url(page, request))
        event.add("status", "TENTATIVE" if page.is_provisional else "CONFIRMED")
        cal.add_component(event)
    if any(page.is_timed for page in events):
        # Only an event with hours names a time zone (TZID): the walk finds nothing otherwise.
        cal.add_missing_timezones()
    return cal


# RFC 5545: a content line of this many octets or more is folded (icalendar's limit).
FOLD_OCTETS = 75


def calendar_bytes(cal: Calendar) -> bytes:
    """`cal.to_ical()`, byte for byte, in a fraction of its time: icalendar folds every line by
    walking it character by character; a line shorter than the limit (most) is written as it is."""
    out = []
    for line in cal.content_lines():
        if line:
            raw = line.encode("utf-8")
            out.append(raw if len(raw) < FOLD_OCTETS else line.to_ical())
    return b"\r\n".join(out) + b"\r\n"


def calendar_response(events, filename: str, request=None) -> HttpResponse:
    response = HttpResponse(calendar_bytes(build_calendar(events, request)), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
