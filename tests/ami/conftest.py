"""Fixtures of the AMI tests: an open campaign, a dossier opened in the client's session."""
import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from .factories import complete_dossier, make_campaign, make_dossier, open_dossier_in_session


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def campaign(db):
    return make_campaign()


@pytest.fixture
def dossier(campaign):
    return make_dossier(campaign)


@pytest.fixture
def referent(client, dossier):
    """A client whose session opened `dossier` through its private link."""
    open_dossier_in_session(client, dossier)
    return client


@pytest.fixture
def complete(dossier):
    return complete_dossier(dossier)


@pytest.fixture
def staff_client(client):
    """A superuser of the MEL team, logged in (tests that need CSRF checks build their own)."""
    user = get_user_model().objects.create_superuser("equipe", "equipe@example.org", "motdepasse-solide-42")
    client.force_login(user)
    return client
