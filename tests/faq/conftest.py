"""The FAQ tests use the public-site fixtures (seed content, frozen day, clean cache)."""
from tests.home.conftest import _clear_cache, _seed_content, content, frozen_today  # noqa: F401
