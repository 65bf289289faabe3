"""Fixtures of the public-site tests: the seed content built by `load_bnm_content`."""
import datetime as dt
import os
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction

PARIS = ZoneInfo("Europe/Paris")
# The day the site was tried (issue 8): every milestone of the 2022-2025 programme is past.
TODAY = dt.datetime(2026, 11, 26, 10, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def frozen_today():
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


@pytest.fixture(scope="module")
def _seed_content(django_db_setup, django_db_blocker):
    """`load_bnm_content` once per test module (on the frozen day), in a transaction rolled back at
    the module's end: each test using `content` runs in a savepoint inside it, so what a test
    changes is undone for the next one, as with a content built per test, at a tenth of the time."""
    with django_db_blocker.unblock(), transaction.atomic():
        with time_machine.travel(TODAY, tick=False):
            call_command("load_bnm_content", stdout=open(os.devnull, "w"))  # noqa: SIM115
        yield
        transaction.set_rollback(True)


@pytest.fixture
def content(_seed_content, db, frozen_today):
    """The seed content, as `load_bnm_content` leaves it on the frozen day."""
    cache.clear()


def add_event(slug, title, day, *, start=None, end=None, category="pilotage", provisional=False, **fields):
    """A dated event published by an editor (the seed has none: the source gives no day)."""
    from home.models import CalendarPage, EventPage

    page = EventPage(slug=slug, title=title, category=category, start_date=day, all_day=start is None,
                     start_time=start, end_time=end, is_provisional=provisional, **fields)
    CalendarPage.objects.get().add_child(instance=page)
    page.save_revision().publish()
    return page


def open_call():
    """An open call made by the team (the seed's 2022 call is closed): 1 Nov 2026 – 31 Mar 2027."""
    from tests.ami.factories import make_campaign

    return make_campaign(title="AMI Bibliothèque Numérique Métropolitaine 2027",
                         opens_at=dt.datetime(2026, 11, 1, 9, 0, tzinfo=PARIS),
                         closes_at=dt.datetime(2027, 3, 31, 23, 59, 59, tzinfo=PARIS))


@pytest.fixture
def editors_items(content):
    """What editors add to the seed: a dated meeting with its hours and a news item."""
    from home.models import NewsIndexPage, NewsPage

    add_event("reunion-2027", "Réunion d’information", dt.date(2027, 1, 14), start=dt.time(14, 0), end=dt.time(16, 30))
    news = NewsPage(slug="actualite-equipe", title="Une actualité de l’équipe", date=dt.date(2026, 11, 20),
                    intro="Résumé.", body="<p>Texte de l’actualité.</p>")
    NewsIndexPage.objects.get().add_child(instance=news)
    news.save_revision().publish()
