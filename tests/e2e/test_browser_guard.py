"""The browser harness itself: third-party requests are blocked and reported."""
import pytest
from django.urls import reverse

pytestmark = pytest.mark.e2e


def test_third_party_request_is_blocked_and_reported(page, request_guard):
    """On a page outside the Content-Security-Policy (the admin), the guard itself blocks it."""
    page.goto(reverse("wagtailadmin_login"))
    outcome = page.evaluate(
        "() => fetch('https://cdn.example.org/lib.js').then(() => 'loaded', () => 'blocked')"
    )
    assert outcome == "blocked"
    assert request_guard.blocked == ["fetch https://cdn.example.org/lib.js"]
    request_guard.reset()  # expected here; in any other test this would fail it


def test_csp_violations_are_reported(page, request_guard):
    """An inline script or style attribute slipped into a public page is blocked by the policy and reported."""
    page.goto("/")
    ran = page.evaluate(
        """() => {
            window.__ran = false;
            const script = document.createElement('script');
            script.textContent = 'window.__ran = true';
            document.body.append(script);
            document.body.setAttribute('style', 'outline: 3px solid red');
            return new Promise((resolve) => setTimeout(() => resolve(window.__ran), 100));
        }"""
    )
    assert ran is False  # the browser refused to run it
    directives = " ".join(request_guard.csp_violations)
    assert "script-src" in directives and "style-src" in directives
    request_guard.reset()  # expected here; in any other test this would fail it
