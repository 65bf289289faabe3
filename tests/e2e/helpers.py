"""Helpers shared by the browser tests (Playwright sync API + axe-core).

Nothing here talks to the network: axe-core is injected from the copy bundled in the
``axe-playwright-python`` package, never from a CDN.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe

# WCAG 2.0 / 2.1 / 2.2 levels A and AA (RGAA 4 is built on WCAG 2.1 AA) + axe best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}

_axe = Axe()


def run_axe(page, context=None) -> list[dict]:
    """Run axe-core on the current page (or a CSS ``context``) and return its violations.

    axe-core is a script: on a page without JavaScript its promise would never settle, so
    reload that URL in a page with JavaScript to check it."""
    if getattr(page, "javascript_disabled", False):
        raise RuntimeError("axe-core cannot run on a page with JavaScript disabled: open page.url in `page`")
    return _axe.run(page, context=context, options=AXE_OPTIONS).response["violations"]


def format_axe_violations(violations: list[dict]) -> str:
    """One readable block per rule: id, impact, help text and every target node."""
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} [{violation.get('impact') or 'n/a'}] {violation['help']} "
            f"({len(violation['nodes'])} node(s)) {violation.get('helpUrl', '')}"
        )
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node.get("target", []))
            html = " ".join((node.get("html") or "").split())[:200]
            lines.append(f"    target: {target}")
            lines.append(f"      html: {html}")
            summary = (node.get("failureSummary") or "").strip().replace("\n", " / ")
            if summary:
                lines.append(f"      why:  {summary[:300]}")
    return "\n".join(lines)


def assert_no_axe_violations(page, context_label: str, context=None) -> None:
    """Fail with a readable list when axe-core finds any WCAG A/AA or best-practice violation."""
    violations = run_axe(page, context=context)
    if violations:
        raise AssertionError(
            f"axe-core: {len(violations)} accessibility rule(s) violated on {context_label} "
            f"({page.url}):\n{format_axe_violations(violations)}"
        )


def fill_by_label(page, label: str, value, *, exact: bool = True):
    """Fill the one form control whose accessible label is ``label``, as a user would.

    Text-like inputs and textareas are filled, selects pick the option by its visible
    label (or value), checkboxes/radios are checked when ``value`` is truthy, file inputs
    receive ``value`` as a path (or list of paths). Returns the locator.
    """
    field = page.get_by_label(label, exact=exact)
    count = field.count()
    if count != 1:
        raise AssertionError(f"expected exactly one field labelled {label!r}, found {count} on {page.url}")
    tag, input_type = field.evaluate("el => [el.tagName.toLowerCase(), (el.type || '').toLowerCase()]")
    if tag == "select":
        try:
            field.select_option(label=str(value))
        except Exception:  # noqa: BLE001 - fall back to the option's value attribute
            field.select_option(value=str(value))
    elif input_type in {"checkbox", "radio"}:
        field.set_checked(bool(value))
    elif input_type == "file":
        field.set_input_files(value)
    else:
        field.fill("" if value is None else str(value))
    return field


def focus_by_tabbing(page, predicate_js: str, *, max_tabs: int = 80, description: str = "") -> int:
    """Press Tab until ``predicate_js`` (a JS function body receiving ``el``) is true for the
    focused element; return how many Tab presses it took. Fails if never reached."""
    check = f"() => {{ const el = document.activeElement; if (!el) return false; {predicate_js} }}"
    for presses in range(1, max_tabs + 1):
        page.keyboard.press("Tab")
        if page.evaluate(check):
            return presses
    focused = page.evaluate("() => document.activeElement && document.activeElement.outerHTML.slice(0, 200)")
    raise AssertionError(
        f"{description or predicate_js!r} not reached after {max_tabs} Tab presses on {page.url}; "
        f"focus is on {focused}"
    )


def focused_outline_visible(page) -> bool:
    """Whether the focused element shows a visible focus indicator (outline or box-shadow)."""
    return page.evaluate(
        """() => {
            const s = getComputedStyle(document.activeElement);
            const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
            return outline || (s.boxShadow && s.boxShadow !== 'none');
        }"""
    )


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


# Injected in every page before its own scripts: each Content-Security-Policy violation the
# browser reports is written to the console with this prefix, where RequestGuard reads it.
CSP_MARKER = "CSP-VIOLATION"
CSP_LISTENER = f"""
document.addEventListener("securitypolicyviolation", (e) => {{
  console.error("{CSP_MARKER} " + JSON.stringify({{
    directive: e.effectiveDirective, blocked: e.blockedURI, source: e.sourceFile, line: e.lineNumber,
    sample: e.sample, page: document.location.href,
  }}));
}});
"""


class RequestGuard:
    """``context.route`` handler: lets requests to the live server through, aborts and
    records every other one (CDN, web fonts, analytics…). Also records uncaught page
    errors, sub-resources of the live server that answer with an error status, and
    Content-Security-Policy violations (reported by ``CSP_LISTENER`` or by the browser's
    own console message, so pages without JavaScript are covered too)."""

    def __init__(self, live_server_url: str):
        self.allowed_origin = origin(live_server_url)
        self.blocked: list[str] = []
        self.page_errors: list[str] = []
        self.broken_resources: list[str] = []
        self.csp_violations: list[str] = []

    def route(self, route):
        url = route.request.url
        if url.startswith(("data:", "blob:", "about:")) or origin(url) == self.allowed_origin:
            route.continue_()
        else:
            self.blocked.append(f"{route.request.resource_type} {url}")
            route.abort("blockedbyclient")

    def on_page_error(self, error):
        self.page_errors.append(str(error))

    def on_response(self, response):
        request = response.request
        if response.status >= 400 and request.resource_type not in {"document"}:
            if origin(response.url) == self.allowed_origin:
                self.broken_resources.append(f"{response.status} {request.resource_type} {response.url}")

    def on_console(self, message):
        text = message.text
        if text.startswith(CSP_MARKER) or "Content Security Policy" in text or "Permissions-Policy" in text:
            self.csp_violations.append(text)

    def problems(self) -> list[str]:
        out = []
        if self.blocked:
            out.append("requests to hosts other than the live server (no CDN / third party allowed):")
            out += [f"  {u}" for u in self.blocked]
        if self.page_errors:
            out.append("uncaught JavaScript errors:")
            out += [f"  {e}" for e in self.page_errors]
        if self.broken_resources:
            out.append("page resources answered with an error:")
            out += [f"  {r}" for r in self.broken_resources]
        if self.csp_violations:
            out.append("Content-Security-Policy / Permissions-Policy violations:")
            out += [f"  {v}" for v in self.csp_violations]
        return out

    def reset(self):
        self.blocked.clear()
        self.page_errors.clear()
        self.broken_resources.clear()
        self.csp_violations.clear()
