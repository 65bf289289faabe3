"""The browser harness itself: third-party requests are blocked and reported."""
import pytest

pytestmark = pytest.mark.e2e


def test_third_party_request_is_blocked_and_reported(page, request_guard):
    page.goto("/robots.txt")
    outcome = page.evaluate(
        "() => fetch('https://cdn.example.org/lib.js').then(() => 'loaded', () => 'blocked')"
    )
    assert outcome == "blocked"
    assert request_guard.blocked == ["fetch https://cdn.example.org/lib.js"]
    request_guard.reset()  # expected here; in any other test this would fail it
