"""French deadline wording, in Paris time whatever the stored zone."""
import datetime as dt
from zoneinfo import ZoneInfo

from django.template import Context, Template

from home.dates import days_until, format_date_fr, format_deadline

PARIS = ZoneInfo("Europe/Paris")


def test_deadline_in_paris_time():
    # 21:59 UTC on 30 September 2022 is 23:59 in Paris (summer time).
    utc = dt.datetime(2022, 9, 30, 21, 59, 59, tzinfo=dt.UTC)
    assert format_deadline(utc) == "30 septembre 2022 à 23 h 59, heure de Paris"
    winter = dt.datetime(2027, 3, 1, 8, 0, tzinfo=dt.UTC)
    assert format_deadline(winter) == "1er mars 2027 à 9 h, heure de Paris"


def test_filter_in_templates():
    deadline = dt.datetime(2027, 3, 31, 23, 59, 59, tzinfo=PARIS)
    html = Template("{% load bnm_tags %}jusqu’au {{ d|paris_deadline }} – {{ d|paris_date }}").render(Context({"d": deadline}))
    assert html == "jusqu’au 31 mars 2027 à 23 h 59, heure de Paris – 31 mars 2027"


def test_days_until_counts_paris_calendar_days():
    deadline = dt.datetime(2027, 3, 31, 23, 59, 59, tzinfo=PARIS)
    assert days_until(deadline, now=dt.datetime(2026, 11, 26, 10, tzinfo=PARIS)) == 125
    assert days_until(deadline, now=dt.datetime(2027, 3, 31, 0, 30, tzinfo=PARIS)) == 0
    # 23:30 UTC on 30 March is already 31 March in Paris.
    assert days_until(deadline, now=dt.datetime(2027, 3, 30, 23, 30, tzinfo=dt.UTC)) == 0
    assert format_date_fr(dt.date(2026, 11, 1)) == "1er novembre 2026"
