"""The public-site fixtures (the seed content, a frozen today) for the core tests."""
from tests.home.conftest import _clear_cache, _seed_content, content, frozen_today  # noqa: F401
