"""Calendar page, its filter and its RFC 5545 feeds."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from home.models import EventPage

PARIS = ZoneInfo("Europe/Paris")


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


@pytest.mark.django_db
def test_ical_feed_has_every_milestone_with_paris_times_and_stable_uids(content, client):
    cal = parse(client.get("/calendrier/bnm.ics"))
    assert str(cal["X-WR-TIMEZONE"]) == "Europe/Paris"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Paris"]
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    pages = list(EventPage.objects.all())
    assert set(events) == {f"event-{p.pk}@bnm.lillemetropole.fr" for p in pages}
    for event in events.values():
        assert "DTSTAMP" in event and "SUMMARY" in event

    copil = EventPage.objects.get(slug="copil-2023")
    ev = events[f"event-{copil.pk}@bnm.lillemetropole.fr"]
    assert str(ev["SUMMARY"]) == "Comité de pilotage (COPIL) 2023 (prévisionnel)"
    start = ev.decoded("DTSTART")
    assert start == dt.datetime(2023, 6, 20, 14, 0, tzinfo=PARIS)
    assert str(start.tzinfo) == "Europe/Paris"
    assert ev["DTSTART"].params["TZID"] == "Europe/Paris"
    assert ev.decoded("DTEND") == dt.datetime(2023, 6, 20, 16, 30, tzinfo=PARIS)

    ebooks = EventPage.objects.get(slug="livres-numeriques-2024")
    ev = events[f"event-{ebooks.pk}@bnm.lillemetropole.fr"]
    assert ev.decoded("DTSTART") == dt.date(2024, 1, 1)
    assert ev.decoded("DTEND") == dt.date(2025, 1, 1)  # exclusive end: the whole of 2024
    assert "Déploiement de l’offre de livres numériques" in str(ev["SUMMARY"])

    # Same UIDs on a second download.
    again = parse(client.get("/calendrier/bnm.ics"))
    assert {str(e["UID"]) for e in again.walk("VEVENT")} == set(events)


@pytest.mark.django_db
def test_per_event_ics_download(content, client):
    copil = EventPage.objects.get(slug="copil-2024")
    page_html = client.get("/calendrier/copil-2024/").content.decode()
    assert 'href="/calendrier/copil-2024.ics"' in page_html
    response = client.get("/calendrier/copil-2024.ics")
    assert 'attachment; filename="copil-2024.ics"' == response["Content-Disposition"]
    events = parse(response).walk("VEVENT")
    assert len(events) == 1
    assert str(events[0]["UID"]) == f"event-{copil.pk}@bnm.lillemetropole.fr"
    assert events[0].decoded("DTSTART") == dt.datetime(2024, 6, 18, 14, 0, tzinfo=PARIS)
    assert client.get("/calendrier/inconnu.ics").status_code == 404


@pytest.mark.django_db
def test_upcoming_past_and_month_grouping(content, client):
    html = client.get("/calendrier/").content.decode()
    upcoming, past = html.split('id="a-venir-title"')[1].split('id="passes-title"')
    assert "Date limite de dépôt des candidatures à l’AMI" in upcoming
    assert "Mars 2027" in upcoming
    assert "Comité de pilotage (COPIL) 2023" in past and "Comité de pilotage (COPIL) 2023" not in upcoming
    assert "Juin 2023" in past
    # Most recent past event first.
    assert past.index("COPIL) 2025") < past.index("COPIL) 2023")


@pytest.mark.django_db
def test_category_filter_works_without_javascript(content, client):
    html = client.get("/calendrier/", {"categorie": "pilotage"}).content.decode()
    assert "Comité technique 2024" in html
    assert "Déploiement de l’offre de livres numériques" not in html
    assert '<option value="pilotage" selected>' in html
    html = client.get("/calendrier/", {"categorie": "n-importe-quoi"}).content.decode()
    assert "Comité technique 2024" in html and "Déploiement de l’offre de livres numériques" in html
