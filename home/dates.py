"""French date formatting that does not depend on the active locale (also used in e-mails and PDFs)."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]


def format_date_fr(value: dt.date, with_year: bool = True) -> str:
    """1 → « 1er » as French typography wants: « 1er novembre 2026 », « 30 septembre 2022 »."""
    day = "1er" if value.day == 1 else str(value.day)
    text = f"{day} {MONTHS[value.month - 1]}"
    return f"{text} {value.year}" if with_year else text


def format_month_fr(value: dt.date) -> str:
    return f"{MONTHS[value.month - 1]} {value.year}"


def format_time_fr(value: dt.time) -> str:
    """« 23 h 59 », « 9 h »."""
    return f"{value.hour} h" if value.minute == 0 else f"{value.hour} h {value.minute:02d}"


def to_paris(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(PARIS)


def format_deadline(value: dt.datetime) -> str:
    """« 30 septembre 2022 à 23 h 59, heure de Paris » for an aware datetime (any zone)."""
    local = to_paris(value)
    return f"{format_date_fr(local.date())} à {format_time_fr(local.time())}, heure de Paris"


def days_until(value: dt.datetime, now: dt.datetime | None = None) -> int:
    """Calendar days from today (Paris) to the day of `value` (Paris); 0 on the last day."""
    now = now or dt.datetime.now(dt.UTC)
    return (to_paris(value).date() - to_paris(now).date()).days
