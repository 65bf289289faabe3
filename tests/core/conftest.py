"""The public-site fixtures (the seed content, a frozen today) for the core tests."""
from tests.home.conftest import _clear_cache, content, frozen_today  # noqa: F401
