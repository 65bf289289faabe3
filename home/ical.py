"""RFC 5545 export of calendar events (icalendar library)."""
from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.utils.html import strip_tags
from icalendar import Calendar, Event, vCategory, vDDDTypes, vText, vUri

from core.public_urls import absolute_url

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


def build_calendar(events) -> Calendar:
    """The VCALENDAR of `events` (home.models.EventEntry: the calendar's entries). Each property
    is given as icalendar's own type (what `Component.add` would infer), set directly."""
    cal = new_calendar()
    stamp = vDDDTypes(dt.datetime.now(dt.UTC).replace(microsecond=0))
    for entry in events:
        event = Event()
        event["UID"] = vText(event_uid(entry))
        event["DTSTAMP"] = stamp
        event["SUMMARY"] = vText(entry.title + (" (prévisionnel)" if entry.is_provisional else ""))
        if entry.is_timed:
            event["DTSTART"] = vDDDTypes(entry.starts_at)
            event["DTEND"] = vDDDTypes(entry.ends_at)
        else:
            event["DTSTART"] = vDDDTypes(entry.start_date)
            event["DTEND"] = vDDDTypes((entry.end_date or entry.start_date) + dt.timedelta(days=1))
        description = strip_tags(entry.description).strip()
        label = entry.when_display if entry.past_provisional else entry.period_label
        if label:
            description = f"{label}. {description}".strip()
        if description:
            event["DESCRIPTION"] = vText(description)
        if entry.location:
            event["LOCATION"] = vText(entry.location)
        event["CATEGORIES"] = vCategory([entry.category_label])
        if entry.last_published_at:
            event["LAST-MODIFIED"] = vDDDTypes(entry.last_published_at.astimezone(dt.UTC).replace(microsecond=0))
        event["URL"] = vUri(absolute_url(entry.url))
        event["STATUS"] = vText("TENTATIVE" if entry.is_provisional else "CONFIRMED")
        cal.add_component(event)
    if any(entry.is_timed for entry in events):
        # Only an event with hours names a time zone (TZID): the walk finds nothing otherwise.
        cal.add_missing_timezones()
    return cal


# RFC 5545: a content line is folded before it reaches this many octets (icalendar's limit).
FOLD_OCTETS = 75


def fold(line: str) -> bytes:
    """`line` folded as icalendar folds it (`Contentline.to_ical`), byte for byte, without its
    walk character by character: pieces of at most 74 octets, never cutting a UTF-8 character,
    a backslash or caret (an escape) at the end of a piece moved to the next one."""
    raw = line.encode("utf-8")
    if len(raw) < FOLD_OCTETS:
        return raw
    pieces, start = [], 0
    while len(raw) - start >= FOLD_OCTETS:
        end = start + FOLD_OCTETS - 1
        while raw[end] & 0xC0 == 0x80:  # a continuation byte: the character starts before
            end -= 1
        if raw[end - 1] in b"\\^":
            end -= 1
        pieces.append(raw[start:end])
        start = end
    pieces.append(raw[start:])
    return b"\r\n ".join(pieces)


def calendar_bytes(cal: Calendar) -> bytes:
    """`cal.to_ical()`, byte for byte (tested), in a fraction of its time: each property's value
    and parameters are written by icalendar's types, the content line `NAME;PARAMS:VALUE` and
    its folding here (icalendar builds a Contentline and a Parameters object per line)."""
    out = []
    for name, value in cal.property_items():
        if isinstance(value, bytes):  # BEGIN and END
            text = value.decode("utf-8")
        else:
            params = getattr(value, "params", None)
            text = _text(value.to_ical() if hasattr(value, "to_ical") else vText(value).to_ical())
            if params:
                written = _text(params.to_ical())
                if written:
                    name = f"{name};{written}"
        out.append(fold(f"{name}:{text}"))
    return b"\r\n".join(out) + b"\r\n"


def _text(value: bytes | str) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def calendar_response(events, filename: str) -> HttpResponse:
    response = HttpResponse(calendar_bytes(build_calendar(events)), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
