"""Which call the public sees, and what state it is in (Europe/Paris deadlines)."""
from datetime import timedelta

import pytest
from django.utils import timezone

from ami.models import Campaign

from .factories import make_campaign

pytestmark = pytest.mark.django_db


def test_open_call_wins_over_upcoming_and_closed(django_assert_num_queries):
    closed = make_campaign(opens_in=timedelta(days=-400), closes_in=timedelta(days=-300), title="Ancien")
    upcoming = make_campaign(opens_in=timedelta(days=30), closes_in=timedelta(days=90), title="Prochain")
    assert Campaign.objects.current() == upcoming  # nothing open: the next to open
    open_ = make_campaign(opens_in=timedelta(days=-1), closes_in=timedelta(days=10), title="En cours")
    with django_assert_num_queries(1):
        assert Campaign.objects.current() == open_
    open_.delete()
    upcoming.delete()
    assert Campaign.objects.current() == closed


def test_latest_closed_call_is_shown_when_none_is_open_or_upcoming():
    make_campaign(opens_in=timedelta(days=-800), closes_in=timedelta(days=-700), title="2024")
    last = make_campaign(opens_in=timedelta(days=-400), closes_in=timedelta(days=-300), title="2025")
    assert Campaign.objects.current() == last


def test_state_changes_exactly_at_the_deadline():
    campaign = make_campaign(opens_in=timedelta(days=-1), closes_in=timedelta(days=1))
    assert campaign.state(campaign.closes_at - timedelta(seconds=1)) == Campaign.State.OPEN
    assert campaign.state(campaign.closes_at) == Campaign.State.CLOSED
    assert campaign.state(campaign.opens_at - timedelta(seconds=1)) == Campaign.State.UPCOMING
    assert campaign.state(timezone.now()) == Campaign.State.OPEN
