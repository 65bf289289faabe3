"""Fixtures of the public-site tests: the seed content built by `load_bnm_content`."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command

PARIS = ZoneInfo("Europe/Paris")
# The demo campaign (1 Nov 2026 – 31 Mar 2027) is open on this day.
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


@pytest.fixture
def content(db, frozen_today):
    call_command("load_bnm_content", stdout=open("/dev/null", "w"))
    cache.clear()
