"""Calendar page, its filter and its RFC 5545 feeds."""
import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import settings as settings_hypothesis
from hypothesis import strategies as st
from icalendar import Calendar

from home.models import EventPage
from tests.text import visible_text

from .conftest import add_event

PARIS = ZoneInfo("Europe/Paris")


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


@pytest.mark.django_db
def test_ical_feed_has_every_milestone_with_paris_times_and_stable_uids(content, client):
    meeting = add_event("reunion-information-2027", "Réunion d’information", dt.date(2027, 1, 14),
                        start=dt.time(14, 0), end=dt.time(16, 30))
    cal = parse(client.get("/calendrier/bnm.ics"))
    assert str(cal["X-WR-TIMEZONE"]) == "Europe/Paris"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Paris"]
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    pages = list(EventPage.objects.all())
    assert set(events) == {f"event-{p.pk}@bnm.lillemetropole.fr" for p in pages}
    for event in events.values():
        assert "DTSTAMP" in event and "SUMMARY" in event
        assert str(event["URL"]).startswith(settings.SITE_BASE_URL + "/calendrier/")

    ev = events[f"event-{meeting.pk}@bnm.lillemetropole.fr"]
    start = ev.decoded("DTSTART")
    assert start == dt.datetime(2027, 1, 14, 14, 0, tzinfo=PARIS)
    assert str(start.tzinfo) == "Europe/Paris"
    assert ev["DTSTART"].params["TZID"] == "Europe/Paris"
    assert ev.decoded("DTEND") == dt.datetime(2027, 1, 14, 16, 30, tzinfo=PARIS)

    # A milestone of the source: the whole year, no hour; past, it says it was planned.
    ebooks = EventPage.objects.get(slug="livres-numeriques-2024")
    ev = events[f"event-{ebooks.pk}@bnm.lillemetropole.fr"]
    assert ev.decoded("DTSTART") == dt.date(2024, 1, 1)
    assert ev.decoded("DTEND") == dt.date(2025, 1, 1)  # exclusive end: the whole of 2024
    assert "Déploiement de l’offre de livres numériques" in str(ev["SUMMARY"])
    assert str(ev["DESCRIPTION"]).startswith("Prévu en 2024.")
    seed_events = [events[f"event-{p.pk}@bnm.lillemetropole.fr"] for p in pages if p.pk != meeting.pk]
    assert all(type(e.decoded("DTSTART")) is dt.date for e in seed_events)  # no hour in the source

    # Same UIDs on a second download.
    again = parse(client.get("/calendrier/bnm.ics"))
    assert {str(e["UID"]) for e in again.walk("VEVENT")} == set(events)


@pytest.mark.django_db
def test_per_event_ics_download(content, client):
    milestone = EventPage.objects.get(slug="connecteurs-2023")
    page_html = client.get("/calendrier/connecteurs-2023/").content.decode()
    assert 'href="/calendrier/connecteurs-2023.ics"' in page_html
    response = client.get("/calendrier/connecteurs-2023.ics")
    assert 'attachment; filename="connecteurs-2023.ics"' == response["Content-Disposition"]
    events = parse(response).walk("VEVENT")
    assert len(events) == 1
    assert str(events[0]["UID"]) == f"event-{milestone.pk}@bnm.lillemetropole.fr"
    assert events[0].decoded("DTSTART") == dt.date(2023, 7, 1)
    assert client.get("/calendrier/inconnu.ics").status_code == 404


@pytest.mark.django_db
def test_past_milestones_read_as_past_and_periods_are_grouped_by_period(content, client):
    add_event("reunion-information-2027", "Réunion d’information", dt.date(2027, 3, 10), start=dt.time(14, 0))
    html = client.get("/calendrier/").content.decode()
    upcoming, past = html.split('id="a-venir-title"')[1].split('id="passes-title"')
    headings = [visible_text(h) for h in re.findall(r"<h3[^>]*>(.*?)</h3>", past)]
    upcoming, past = visible_text(upcoming), visible_text(past)
    # A dated event stays under its month.
    assert "Réunion d’information" in upcoming and "Mars 2027" in upcoming
    # The 2022-2025 milestones are past: « Prévu au 2e semestre 2023 », never a forecast.
    assert "Développement des connecteurs vers les portails communaux" not in upcoming
    assert "Prévu au 2e semestre 2023" in past and "Prévu en 2024" in past and "Prévu en septembre 2022" in past
    assert "prévisionnel" not in past
    # Periods under their year or semester, not under a month.
    for heading in ("Année 2025", "2e semestre 2024", "Année 2023", "2e semestre 2023", "1er semestre 2023", "Année 2022", "Juin 2022"):
        assert heading in headings, heading
    for month in ("Janvier 2025", "Juillet 2024", "Janvier 2023", "Juillet 2023", "Janvier 2022"):
        assert month not in headings, month
    # Most recent year first; in a year, the whole year, then its semesters and months, latest first.
    assert headings == ["Année 2025", "Année 2024", "2e semestre 2024", "Année 2023", "2e semestre 2023",
                        "1er semestre 2023", "Année 2022", "Septembre 2022", "Juin 2022", "Mars 2022"]
    event = visible_text(client.get("/calendrier/connecteurs-2023/").content.decode())
    assert "Prévu au 2e semestre 2023" in event and "Étape passée d’un calendrier prévisionnel" in event
    assert "susceptible d’évoluer" not in event


@pytest.mark.django_db
def test_category_filter_works_without_javascript(content, client):
    html = client.get("/calendrier/", {"categorie": "pilotage"}).content.decode()
    assert "Adoption des règlements de mise à disposition" in html
    assert "Déploiement de l’offre de livres numériques" not in html
    assert '<option value="pilotage" selected>' in html
    html = client.get("/calendrier/", {"categorie": "n-importe-quoi"}).content.decode()
    assert "Adoption des règlements de mise à disposition" in html and "Déploiement de l’offre de livres numériques" in html


@pytest.mark.django_db
def test_events_of_one_day_keep_their_order_in_both_lists(content, client, frozen_today):
    """The calendar lists upcoming events soonest first and past ones latest first, in the order of
    EventPage.upcoming() and past(): on one day, with and without hours alike."""
    for day, prefix in ((dt.date(2027, 2, 10), "a-venir"), (dt.date(2026, 10, 5), "passe")):
        add_event(f"{prefix}-matin", f"Rendez-vous {prefix} du matin", day, start=dt.time(9, 30))
        add_event(f"{prefix}-journee", f"Rendez-vous {prefix} toute la journée", day)
        add_event(f"{prefix}-apres-midi", f"Rendez-vous {prefix} de l’après-midi", day, start=dt.time(15, 0))
    html = client.get("/calendrier/").content.decode()
    upcoming, past = html.split('id="a-venir-title"')[1].split('id="passes-title"')

    def order(section, prefix):
        return re.findall(rf"Rendez-vous {prefix} [^<]+", section)

    events = EventPage.objects.live().filter(slug__contains="-")
    assert order(upcoming, "a-venir") == [e.title for e in events.upcoming() if e.slug.startswith("a-venir-")]
    assert order(past, "passe") == [e.title for e in events.past() if e.slug.startswith("passe-")]
    assert len(order(upcoming, "a-venir")) == len(order(past, "passe")) == 3


@pytest.mark.django_db
def test_feed_bytes_are_icalendars_own(content):
    """calendar_bytes writes each line itself: the same bytes as Calendar.to_ical(), with an event
    at set hours (TZID parameters, VTIMEZONE), long accented descriptions and 74/75/76-octet lines."""
    from home.ical import build_calendar, calendar_bytes, new_calendar
    from home.models import CalendarPage

    add_event("atelier", "Atelier ; démonstration, questions\\réponses", dt.date(2027, 3, 2), start=dt.time(9, 30),
              end=dt.time(12, 0), location="Lille, salle « Europe »", description="<p>" + "Présentation détaillée. " * 12 + "</p>")
    cal = build_calendar(CalendarPage.objects.get().entries())
    assert b"BEGIN:VTIMEZONE" in cal.to_ical() and b"DTSTART;TZID=Europe/Paris:20270302T093000" in cal.to_ical()
    assert calendar_bytes(cal) == cal.to_ical()
    assert b"\r\n " in cal.to_ical()  # some lines are folded
    edge = new_calendar()
    for length in range(60, 90):
        edge.add("x-bnm-note", "é" * (length // 2) + "a" * (length % 2))
        edge.add("x-bnm-text", "a" * length)
    assert calendar_bytes(edge) == edge.to_ical()


@settings_hypothesis(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(["a", "é", "€", "😀", "\\", "^", ",", ";", " ", "\u202f"]), min_size=60, max_size=400))
def test_folding_is_icalendars(text):
    """fold() cuts a line where icalendar's Contentline.to_ical() does: never inside a UTF-8
    character, never after an escaping backslash or caret."""
    from icalendar.parser.content_line import Contentline

    from home.ical import fold

    line = f"DESCRIPTION:{text}"
    assert fold(line) == Contentline(line).to_ical()


@pytest.mark.django_db
def test_feed_properties_are_the_types_icalendar_would_infer(content):
    """build_calendar sets each property as the type Component.add() infers from the value: the
    same event built with add() gives the same bytes (its DTSTAMP aside)."""
    from icalendar import Event

    from core.public_urls import absolute_url
    from home.ical import build_calendar, event_uid
    from home.models import CalendarPage

    add_event("atelier", "Atelier", dt.date(2027, 3, 2), start=dt.time(9, 30), end=dt.time(12, 0), location="Lille")
    entries = [entry for entry in CalendarPage.objects.get().entries() if entry.slug in {"atelier", "label-bnr-2022"}]
    built = build_calendar(entries)
    by_add = build_calendar([])
    for entry in entries:
        event = Event()
        event.add("uid", event_uid(entry))
        event.add("summary", entry.title + (" (prévisionnel)" if entry.is_provisional else ""))
        event.add("dtstart", entry.starts_at if entry.is_timed else entry.start_date)
        event.add("dtend", entry.ends_at if entry.is_timed else (entry.end_date or entry.start_date) + dt.timedelta(days=1))
        description = built.walk("VEVENT")[entries.index(entry)].get("DESCRIPTION")
        if description:
            event.add("description", str(description))
        if entry.location:
            event.add("location", entry.location)
        event.add("categories", [entry.category_label])
        event.add("last-modified", entry.last_published_at.astimezone(dt.UTC).replace(microsecond=0))
        event.add("url", absolute_url(entry.url))
        event.add("status", "TENTATIVE" if entry.is_provisional else "CONFIRMED")
        by_add.add_component(event)
    by_add.add_missing_timezones()
    without_stamp = [re.sub(rb"DTSTAMP:\d+T\d+Z\r\n", b"", cal.to_ical()) for cal in (built, by_add)]
    assert len(entries) == 2 and without_stamp[0] == without_stamp[1]
