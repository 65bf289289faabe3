"""A seeded generator of hostile requests over every public and AMI endpoint (tests/ami/test_fuzz.py).

Endpoints are enumerated from the URL resolver (every named pattern outside the admin, so a new
URL is fuzzed without anyone listing it) and from the live Wagtail pages with their routable
sub-pages. Each request mixes: a method (wrong ones too), a query string, a body (form-encoded,
multipart, JSON, garbage, wrong content type) and headers, with values chosen among Unicode
digits, huge numbers, NaN/inf, empty, very long strings, NUL bytes, repeated keys (arrays).
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter

EXCLUDED_PREFIXES = ("admin/",)  # the back-office needs a staff login: not a public endpoint

UNICODE_DIGITS = ["²", "³", "¹", "١٢", "٣", "１２", "𝟏𝟐", "߂", "৩", "Ⅻ", "½", "12²", "٠", "²²²²"]
HUGE = ["9" * 19, "9" * 40, "9" * 4301, "1" + "0" * 300, "18446744073709551616", "2147483648", "32768"]
SPECIAL_NUMBERS = ["NaN", "nan", "inf", "-inf", "Infinity", "-1", "-0", "+1", "1e9", "1e-9", "0x10", "1_000", "0",
                   "1.5", "1,5", "1 234,50", "00", " 7 "]
STRINGS = ["", " ", "\x00", "a\x00b", "\x00" * 10, "x" * 5000, "x" * 100_000, "é" * 3000, "😀" * 200,
           "<script>alert(1)</script>", "'; DROP TABLE ami_dossier; --", "../../etc/passwd", "%00", "%ff",
           "\u202e", "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"), "true", "false",
           "on", "add", "remove-²", "remove-1", "up-٣", "down-99999999999999999999", "remove-", "-",
           "deliberation", "intercommunal", "none", "null", "[]", "{}", "2027-02-31", "31/12/9999",
           "١٥/٠٣/٢٠٢٧", "agent@example.fr", "AGENT@EXAMPLE.FR", "a@b", "@", "a" * 300 + "@example.fr"]
METHODS = ["GET"] * 5 + ["POST"] * 6 + ["HEAD", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
QUERY_KEYS = ["page", "categorie", "q", "commune", "email", "slug", "id", "next", "format", "token", "p", "annee"]
CONTENT_TYPES = ["application/json", "text/plain", "application/xml", "multipart/form-data",
                 "multipart/form-data; boundary=", "multipart/form-data; boundary=zzz",
                 "application/x-www-form-urlencoded; charset=latin-1", "application/x-www-form-urlencoded",
                 "application/octet-stream", "", "garbage"]


@dataclass
class Endpoint:
    name: str  # URL name ("ami:step") or "page:<url>"
    path_options: list[str]  # concrete paths to pick from
    fields: list[str] = field(default_factory=list)  # POST field names worth sending
    base_data: dict | None = None  # a valid POST body to mutate (dossier steps)
    dossier: bool = False  # needs the fuzz dossier open in the session
    expensive: bool = False  # renders a PDF: a few GETs only


def _walk(patterns, prefix="", namespaces=()):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = namespaces + ((entry.namespace,) if entry.namespace else ())
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry, namespaces


def named_patterns():
    """(qualified name, route, pattern) of every named URL pattern outside the admin."""
    seen = {}
    for route, pattern, namespaces in _walk(get_resolver().url_patterns):
        if route.lstrip("^").startswith(EXCLUDED_PREFIXES) or not pattern.name:
            continue
        seen.setdefault(":".join(namespaces + (pattern.name,)), (route, pattern))
    return seen


def _hostile_path_values(rng) -> list[str]:
    return [rng.choice(UNICODE_DIGITS), rng.choice(HUGE)[:200], "x" * 300, "%00", "é", "-1", "0"]


def sample_kwargs(pattern, samples: dict, rng) -> list[dict]:
    """Several kwargs sets for `pattern`: real values (from `samples`, by kwarg name) and hostile ones."""
    converters = getattr(pattern.pattern, "converters", {}) or {}
    if not converters:
        return [{}]
    options = []
    real_first = {name: samples[name][0] for name in converters if samples.get(name)}
    if len(real_first) == len(converters):  # every real value once (each step of the dossier)...
        for name in converters:
            options += [{**real_first, name: value} for value in samples[name]]
    for _ in range(6):  # ... then hostile ones
        kwargs = {}
        for name, converter in converters.items():
            real = samples.get(name, [])
            if isinstance(converter, IntConverter):
                candidates = list(real) + [0, 1, 10**18]
            else:  # str, slug, path and custom converters: reverse() refuses what they do not match
                candidates = list(real) + _hostile_path_values(rng)
            value = rng.choice(candidates) if not real or rng.random() < 0.5 else rng.choice(real)
            kwargs[name] = value
        options.append(kwargs)
    return options


def build_endpoints(rng, *, samples: dict, field_names: dict, step_data: dict, dossier_names: set,
                    expensive_names: set, pages: list[str], paths_by_name: dict) -> list[Endpoint]:
    """One Endpoint per named pattern (paths by reverse(), or from `paths_by_name` for the regex
    patterns with positional groups) and one per live page."""
    endpoints = []
    for name, (_route, pattern) in sorted(named_patterns().items()):
        paths = list(paths_by_name.get(name, []))
        for kwargs in sample_kwargs(pattern, samples, rng) if not paths else []:
            try:
                paths.append(reverse(name, kwargs=kwargs))
            except Exception:  # a hostile value the converter refuses: request it raw below
                continue
        if not paths:
            continue
        endpoints.append(Endpoint(
            name=name, path_options=paths, fields=field_names.get(name, []), dossier=name in dossier_names,
            expensive=name in expensive_names,
        ))
    for url in pages:
        endpoints.append(Endpoint(name=f"page:{url}", path_options=[url], fields=["q", "page", "categorie"]))
    # Step pages carry their own valid body, mutated by the generator.
    for endpoint in endpoints:
        if endpoint.name == "ami:step":
            endpoint.base_data = step_data
    return endpoints


def hostile_value(rng) -> str:
    pool = rng.random()
    if pool < 0.2:
        return rng.choice(UNICODE_DIGITS)
    if pool < 0.35:
        return rng.choice(HUGE)
    if pool < 0.55:
        return rng.choice(SPECIAL_NUMBERS)
    if pool < 0.9:
        return rng.choice(STRINGS)
    return "".join(chr(rng.randrange(1, 0x2FFFF)) for _ in range(rng.randrange(1, 30))).encode(
        "utf-8", "replace").decode("utf-8", "replace")


def _mutated_form(rng, endpoint: Endpoint, step_slug: str | None, extra_names: list[str]) -> dict:
    if endpoint.base_data is not None and step_slug in endpoint.base_data and rng.random() < 0.8:
        data = {key: list(value) if isinstance(value, list) else value
                for key, value in endpoint.base_data[step_slug].items()}
        keys = sorted(data) + ["library_action", "library_ids", "continue", "unknown_field"]
    else:
        data = {}
        keys = list(endpoint.fields) + extra_names
    # Keys holding ids or numbers (hidden ids, choices, counts) get numeric trouble more often.
    numeric = [key for key in keys if key.startswith("library_") or _looks_numeric(data.get(key))]
    for _ in range(rng.randrange(1, 7)):
        key = rng.choice(numeric if numeric and rng.random() < 0.5 else keys)
        value = hostile_number(rng) if key in numeric and rng.random() < 0.7 else None
        if rng.random() < 0.2:
            data[key] = [value or hostile_value(rng) for _ in range(rng.randrange(2, 5))]  # repeated key
        else:
            data[key] = value or hostile_value(rng)
    return data


def _looks_numeric(value) -> bool:
    values = value if isinstance(value, list) else [value]
    return any(isinstance(v, str) and v.strip().isdigit() for v in values)


def hostile_number(rng) -> str:
    prefix = rng.choice(["", "", "remove-", "up-", "down-"])
    return prefix + rng.choice(UNICODE_DIGITS + HUGE[:5] + SPECIAL_NUMBERS)


@dataclass
class FuzzRequest:
    method: str
    path: str
    body: bytes | dict | None
    content_type: str | None
    headers: dict

    def describe(self) -> str:
        body = self.body if isinstance(self.body, dict) else (self.body or b"")[:200]
        return f"{self.method} {self.path[:300]} content_type={self.content_type!r} headers={self.headers} body={body!r:.600}"


def make_request(rng, endpoint: Endpoint, *, extra_names: list[str]) -> FuzzRequest:
    method = "GET" if endpoint.expensive else rng.choice(METHODS)
    path = rng.choice(endpoint.path_options)
    step_slug = path.rstrip("/").rsplit("/", 1)[-1] if endpoint.name == "ami:step" else None
    if rng.random() < 0.4:
        params = []
        for _ in range(rng.randrange(1, 4)):
            key = rng.choice(QUERY_KEYS + endpoint.fields)
            params += [(key, hostile_value(rng)) for _ in range(rng.choice([1, 1, 1, 3]))]
        query = urlencode(params, doseq=True, safe="")
        if rng.random() < 0.1:
            query += "&%ff=%00&page=%E2%82%81&=&&a"  # broken percent-encoding, empty key
        path = f"{path}?{query}"
    headers = {}
    if rng.random() < 0.3:
        headers["HTTP_X_FORWARDED_FOR"] = rng.choice(
            ["203.0.113.7", "1.2.3.4, 203.0.113.7", "", "²", "x" * 500, "::1", "999.1.1.1", ", , ,", "\x00"])
    if rng.random() < 0.2:
        headers["HTTP_X_REQUESTED_WITH"] = "fetch"
        headers["HTTP_ACCEPT"] = "application/json"
    if rng.random() < 0.1:
        headers["HTTP_ACCEPT_LANGUAGE"] = rng.choice(["²", "x" * 1000, "fr;q=NaN", "*;q=1e999"])
    if rng.random() < 0.1:
        headers["HTTP_RANGE"] = rng.choice(["bytes=0-", "bytes=²-", "bytes=99999999999999999999-", "bytes=-"])
    headers["REMOTE_ADDR"] = f"198.51.{rng.randrange(0, 256)}.{rng.randrange(1, 255)}"
    body, content_type = None, None
    if method in ("POST", "PUT", "PATCH", "DELETE"):
        kind = rng.random()
        form = _mutated_form(rng, endpoint, step_slug, extra_names)
        if kind < 0.45:
            body, content_type = form, None  # multipart, as the test client sends it
        elif kind < 0.7:
            body = urlencode(form, doseq=True).encode()
            content_type = "application/x-www-form-urlencoded"
        elif kind < 0.8:
            body = json.dumps(rng.choice([form, [form], None, 1e308, "x", {"a": [1, {"b": None}]}])).encode()
            content_type = "application/json"
        elif kind < 0.9:
            body = bytes(rng.randrange(0, 256) for _ in range(rng.randrange(0, 400)))
            content_type = rng.choice(CONTENT_TYPES)
        else:
            body = rng.choice([
                b"--zzz\r\nContent-Disposition: form-data; name=\"commune\"\r\n\r\n\xc2\xb2\r\n--zzz--\r\n",
                b"--zzz\r\nContent-Disposition: form-data; name=\"signed_document\"; filename=\"a.pdf\"\r\n"
                b"Content-Type: application/pdf\r\n\r\n%PDF-1.4 garbage\r\n--zzz--\r\n",
                b"--zzz\r\nbroken",
                b"a=%ZZ&b=%00&c=\xff\xfe",
                urlencode([("commune", str(i)) for i in range(200)]).encode(),
            ])
            content_type = rng.choice(["multipart/form-data; boundary=zzz", "application/x-www-form-urlencoded"])
    return FuzzRequest(method, path, body, content_type, headers)


def send(client, request: FuzzRequest):
    extra = dict(request.headers)
    if isinstance(request.body, dict):
        body = encode_multipart(BOUNDARY, request.body)
        return client.generic(request.method, request.path, data=body, content_type=MULTIPART_CONTENT, **extra)
    kwargs = {"data": request.body or b""}
    if request.content_type is not None:
        kwargs["content_type"] = request.content_type
    return client.generic(request.method, request.path, **kwargs, **extra)


def raw_hostile_paths(rng) -> list[str]:
    """Paths no converter accepts, straight into the resolver and Wagtail's page router."""
    return [
        "/candidater/acces/" + quote(rng.choice(STRINGS)[:300] or "x", safe="") + "/",
        "/candidater/dossier/etape/" + quote(rng.choice(UNICODE_DIGITS), safe="") + "/",
        "/" + quote(rng.choice(UNICODE_DIGITS + STRINGS)[:300], safe="/") + "/",
        "/recherche/?q=" + quote("\x00" + rng.choice(STRINGS)[:100]),
        "/%00/", "/" + "a/" * 200, "/calendrier/" + quote("²") + ".ics",
    ]


def rng_for(seed: int) -> random.Random:
    return random.Random(seed)


SYSTEMATIC_VALUES = ["²", "١٢", "１２", "9" * 40, "-1", "NaN", "", "\x00", ["1", "²"]]


def systematic_requests(endpoints: list[Endpoint]) -> list[FuzzRequest]:
    """Every id-like key of every endpoint with each value of a fixed set (before the random part):
    hidden ids and actions of the steps, their multi-valued choices, the public forms' fields and
    the query strings. Known crash classes are then covered whatever the seed."""
    requests = []
    for endpoint in endpoints:
        if endpoint.expensive:
            continue
        for path in endpoint.path_options[:1] if endpoint.base_data is None else endpoint.path_options:
            slug = path.rstrip("/").rsplit("/", 1)[-1]
            base = (endpoint.base_data or {}).get(slug)
            if base is not None:
                keys = ["library_ids", "library_action"] + sorted(
                    key for key, value in base.items()
                    if isinstance(value, list) or key.endswith("_choice")  # multi-valued ids, choices
                    or ("-" not in key and _looks_numeric(value))  # unprefixed hidden numbers (step revision)
                )
            elif endpoint.name.startswith("page:"):
                keys = []  # CMS pages read no form
            else:
                keys = list(endpoint.fields)
            for key in keys:
                for value in SYSTEMATIC_VALUES:
                    if key == "library_action":
                        value = [f"remove-{v}" for v in value] if isinstance(value, list) else f"remove-{value}"
                    data = dict(base or {})
                    data[key] = value
                    requests.append(FuzzRequest("POST", path, urlencode(data, doseq=True).encode(),
                                                "application/x-www-form-urlencoded", {}))
            if base is None:  # one query string with every known parameter at once
                for value in SYSTEMATIC_VALUES:
                    query = urlencode({key: value for key in ["page", *endpoint.fields]}, doseq=True)
                    requests.append(FuzzRequest("GET", f"{path}?{query}", None, None, {}))
    return requests
