"""Shared fixtures. Under CI=true every service must be real and nothing may be skipped."""
import os

import pytest

pytest_plugins = ["tests.integration_fixtures", "tests.redis_fixtures"]

IN_CI = os.environ.get("CI") == "true"


@pytest.fixture(autouse=True)
def _close_redis_breakers():
    """A Redis outage simulated by one test must not make the next one skip Redis."""
    from config.cache import reset_breakers

    reset_breakers()
    yield
    reset_breakers()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"Skipped under CI=true, which is forbidden: {report.longrepr}"
