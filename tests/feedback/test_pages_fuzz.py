"""Hypothesis fuzzes the HTML pages, as a citizen, a kiosk tablet, an officer, an integrity officer
and an administrator: every form the pages show, every query string a page reads, and the variable
parts of the pages' paths. No input may cause a 500.

Nothing here lists the pages by hand. Each role's browser starts from its home page (and the pages
only an emailed or printed link leads to: a visit link, a status page, a thanks page) and follows
the links it is shown; every ``<form>`` on the pages it reaches is parsed (action, method, the
names and the offered values of its inputs, selects, textareas and buttons) and sent many variants:
the offered values, empty and missing fields, repeated fields, text of every length up to 300 and
far beyond, offered values with a line break or a space appended, Azerbaijani, Cyrillic, emoji,
direction marks, NUL and lone surrogates, numbers past 2**31 and 2**63, dates at the calendar's
ends and days that do not exist, a missing or forged CSRF token; urlencoded, as multipart with
some fields as file parts, or as a JSON body with the token in the header a page's script would
use. GET forms (filters) go in as query strings, together with every parameter the views read from
``request.args`` and, in a browser of its own, every cookie they read (both found by scanning their
source); requests ask for HTML or JSON in various languages. Redirects are followed once, so the
page that shows a flashed message is checked too.

A few POSTs are left out so that one lucky example cannot lock the fuzzer out of the rest: logging
out, editing or disabling the accounts it is signed in with, the tablet's own kiosk, and the center
whose survey and kiosk it fuzzes. The same endpoints are fuzzed on other accounts, kiosks and
centers.

``REY_FUZZ_EXAMPLES`` raises the number of examples per target for a longer local search,
``REY_FUZZ_SEED`` draws other examples than CI's fixed ones (the same again for the same seed), and
``REY_FUZZ_ONLY`` keeps the targets whose name contains it ("kiosk POST").
"""

from __future__ import annotations

import io
import os
import re
import traceback
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, quote_plus, urljoin, urlsplit

import pyotp
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from factories import make_api_key, make_case, make_center, make_kiosk, make_submission, make_user
from support import ROOT
from feedback.extensions import db
from feedback.models import CaseStatus, Submission
from feedback.models._types import utcnow
from feedback.services import two_factor
from feedback.services.cases import transition
from feedback.services.triage import TriageRules
from feedback.services.visits import issue_visit

# Two cases per queue page, so the queue shows a "next page" link whose cursor is fuzzed too.
pytestmark = [pytest.mark.slow, pytest.mark.config(QUEUE_PAGE_SIZE=2)]

#: Examples per target (a form's endpoint, or a GET page's); about 60 targets per backend.
MAX_EXAMPLES = int(os.environ.get("REY_FUZZ_EXAMPLES", "12"))
SEED = os.environ.get("REY_FUZZ_SEED")
#: Only the targets whose name ("kiosk POST kiosk.rate") contains this, for a local search.
ONLY = os.environ.get("REY_FUZZ_ONLY", "")
#: Pages the crawler opens per role, and concrete URLs per endpoint (three case pages are enough).
MAX_PAGES, PER_ENDPOINT = 60, 3
PASSWORD = "correct horse 42"
HOST = "localhost"

# ---------------------------------------------------------------------------------------------
# What the fuzzer sends


def _views_args() -> list[str]:
    """The query parameters the page views read (the JSON API is schemathesis' job)."""
    names = {"lang"}
    for path in (ROOT / "feedback").rglob("*.py"):
        if "api" not in path.relative_to(ROOT / "feedback").parts:
            names |= set(re.findall(r"request\.args\.get\(\s*[\"'](\w+)[\"']", path.read_text(encoding="utf-8")))
    return sorted(names)


def _views_cookies() -> list[str]:
    """The cookies the pages read: named in ``request.cookies.get("…")`` or in a ``…COOKIE = "…"``."""
    names = set()
    for path in (ROOT / "feedback").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        names |= set(re.findall(r"request\.cookies\.get\(\s*[\"'](\w+)[\"']", source))
        names |= set(re.findall(r"^\w*COOKIE\s*=\s*[\"'](\w+)[\"']", source, re.MULTILINE))
    return sorted(names)


def _column_lengths() -> list[int]:
    """Where text stops fitting: around the length of every text column of the schema."""
    lengths = {column.type.length for table in db.metadata.tables.values() for column in table.columns
               if getattr(column.type, "length", None)}
    return sorted({length + step for length in lengths for step in (-6, -1, 0, 1)})


VIEW_ARGS = _views_args()
VIEW_COOKIES = _views_cookies()
#: Query parameters no view reads, some named like url_for's own arguments: a page that hands its
#: query string on to url_for must drop them, not fail.
STRAY_PARAMS = ("endpoint", "_external", "_anchor", "_method", "_scheme", "values", "zz")
LENGTHS = _column_lengths()

NASTY = (
    "", " ", "\t", "\r\n", "a\nb", "0", "1", "-1", "5", "y", "on", "yes", "no", "all", "true",
    str(2**31 - 1), str(2**31), str(-(2**31) - 1), str(2**63), str(-(2**63) - 1), str(10**30),
    "1e309", "NaN", "inf", "0x1f", "1_000", " 7 ", "٣", "²", "１２", "3.5",
    "0001-01-01", "9999-12-31", "2026-02-30", "2026-13-01", "1899-12-31", "1900-01-01", "2999-12-31",
    "3000-01-01", "2026-11-01", "20261101", "-2026-01-01", "2026-11-01T10:00",
    "ə ş ç ğ ı İ ö ü", "Ə" * 40, "İ" * 40, "ß" * 40, "ﬃ" * 40, "Привет, мир", "Ёлка",
    "😀" * 30, "👨\u200d👩\u200d👧", "\u202eevil", "\u200f", "\u200b", "\ufeff", "a\x00b", "\x00",
    "\ud800", "\udfff", "a\x1bb", "\x7f",
    "//evil.example", "/\t/evil.example", "/\\evil.example", "https://evil.example/", "/review/?a=b#c",
    "javascript:alert(1)", "%00", "%2e%2e/", "../../etc/passwd", "/c/x\r\nSet-Cookie: a=b",
    "<script>alert(1)</script>", "' OR 1=1 --", "{{7*7}}", "%(x)s", "%s", "{0}",
    "x" * 21, "x" * 41, "x" * 81, "x" * 121, "x" * 129, "x" * 201, "x" * 257, "x" * 2001, "x" * 70_000,
    PASSWORD, "admin.1", "officer.1", "center-1", "center-x", "A-1", "passport", "REY-ABCD-EFGH",
)


#: Appended to a value the page offers: "$" in a pattern also matches before a final line break.
SUFFIXES = ("\n", "\r\n", " ", "\t", "\u200b", "ə", "0", "-", "x" * 100)


def _nasty() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NASTY),
        st.text(max_size=40),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
        # Every length up to past the columns' (20, 40, 80, 128, 200, 255), with or without a line break.
        st.tuples(st.integers(0, 300), st.sampled_from(("", "\n"))).map(lambda n_end: "k" * n_end[0] + n_end[1]),
    )


def _value(offered) -> st.SearchStrategy[str]:
    """A field's value: one the page offers, one of those with something appended, or a nasty one."""
    offered = sorted({v for v in offered if v is not None})
    if not offered:
        return _nasty()
    return st.one_of(st.sampled_from(offered),
                     st.tuples(st.sampled_from(offered), st.sampled_from(SUFFIXES)).map("".join), _nasty())


def _padded(offered) -> st.SearchStrategy[str]:
    """A value the page offers (or a letter) made as long as a column holds, or just more, and
    perhaps a line break after it."""
    def pad(parts):
        value, length, end = parts
        return (value + "k" * length)[:length] + end

    start = st.sampled_from(sorted({v for v in offered if v} or {"k"}))
    return st.tuples(start, st.sampled_from(LENGTHS), st.sampled_from(("", "\n"))).map(pad)


#: What a JSON body can carry where a form expects text.
JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70),
              st.floats(allow_nan=False, allow_infinity=False), _nasty()),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def _wire(text: str) -> str:
    """The text as the server reads it where the test client cannot send a lone surrogate as is."""
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def _header(text: str) -> str:
    """The text as a header can carry it: its UTF-8 bytes read as Latin-1, as a WSGI server hands
    them on, without the line breaks and other control characters no client can send there."""
    return re.sub(r"[\x00-\x1f\x7f]", "", text.encode("utf-8", "surrogatepass").decode("latin-1"))


def _encode(pairs) -> str:
    # By hand rather than through the test client, so lone surrogates can be sent (as the bytes a
    # client would put on the wire), and repeated names keep their order.
    def part(text):
        return quote_plus(text.encode("utf-8", "surrogatepass"))

    return "&".join(f"{part(k)}={part(v)}" for k, v in pairs)


@dataclass
class Request:
    role: str
    method: str
    url: str
    pairs: list[tuple[str, str]]
    csrf: str = "none"  # "page": the session's token; "none": not sent; else the text sent
    page: str = ""  # where the form is shown (a fresh citizen's browser opens it first)
    #: "form" (urlencoded), "multipart" (the pairs numbered in ``files`` as file parts), or "json"
    #: (``json``, the token in the X-CSRFToken header a page's script would send).
    encoding: str = "form"
    files: tuple[int, ...] = ()
    json: object = None
    #: Headers the pages read (Accept: an HTML or a JSON error; Accept-Language), and, on a GET in a
    #: browser of its own, cookies they read.
    headers: dict[str, str] = field(default_factory=dict)
    cookies: list[tuple[str, str]] = field(default_factory=list)

    def __repr__(self):  # what Hypothesis prints for a failing example
        def short(value):
            text = repr(value)
            return text if len(text) < 80 else f"{text[:30]}…({len(text)} chars)"

        body = short(self.json) if self.encoding == "json" else [(k, short(v)) for k, v in self.pairs]
        extra = "".join(f" {name}={value!r}" for name, value in
                        (("headers", self.headers), ("cookies", self.cookies)) if value)
        return (f"Request({self.role} {self.method} {self.url} {self.encoding} {body} files={self.files} "
                f"csrf={short(self.csrf)}{extra})")

    def _repr_pretty_(self, printer, _cycle):  # Hypothesis prints dataclasses field by field otherwise
        printer.text(repr(self))


# ---------------------------------------------------------------------------------------------
# What the pages show


@dataclass
class Field:
    name: str
    values: list[str] = field(default_factory=list)


@dataclass
class Form:
    page: str
    action: str
    method: str
    fields: dict[str, Field]


class _PageParser(HTMLParser):
    """Links and forms of a page: for each form its action, method and fields with the values the
    page offers (a select's options, radio and checkbox values, buttons' values, what is filled in)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._text_into = None  # a textarea, or an option without a value attribute

    def _field(self, name: str) -> Field:
        return self._form["fields"].setdefault(name, Field(name))

    def handle_starttag(self, tag, attrs):
        a = {key: value or "" for key, value in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            method = (a.get("method") or "get").lower()
            self._form = {"action": a.get("action", ""), "method": method, "fields": {}}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag in ("input", "button") and a.get("name"):
            kind = a.get("type", "text").lower()
            default = "on" if kind in ("checkbox", "radio") else ""
            self._field(a["name"]).values.append(a.get("value", default))
        elif tag == "select" and a.get("name"):
            self._select = self._field(a["name"])
        elif tag == "option" and self._select is not None:
            if "value" in a:
                self._select.values.append(a["value"])
            else:
                self._text_into = self._select
        elif tag == "textarea" and a.get("name"):
            self._text_into = self._field(a["name"])
            self._text_into.values.append("")

    def handle_data(self, data):
        if self._text_into is not None and data.strip():
            self._text_into.values.append(data.strip())

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        if tag in ("textarea", "option"):
            self._text_into = None


def _local(base: str, href: str) -> str | None:
    """``href`` as a path and query on this site, or None for other sites and static files."""
    parts = urlsplit(urljoin(f"http://{HOST}{base}", href))
    if parts.scheme not in ("http", "https") or parts.netloc != HOST:
        return None
    if parts.path.startswith("/static/") or parts.path == "/sw.js":
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _page_key(url: str) -> tuple:
    # The language links repeat every page; a page in another language is the same page.
    parts = urlsplit(url)
    return parts.path, tuple(sorted((k, v) for k, v in parse_qsl(parts.query) if k != "lang"))


class Site:
    def __init__(self, app):
        self.adapter = app.url_map.bind(HOST)

    def match(self, url: str, method: str = "GET") -> tuple[str | None, dict]:
        try:
            return self.adapter.match(urlsplit(url).path, method=method)
        except (HTTPException, RequestRedirect):
            return None, {}


def crawl(site: Site, client, seeds: list[str]) -> tuple[dict[str, str], list[Form]]:
    """Open the seeds and the pages they link to; return {url: endpoint} and the forms seen."""
    pages: dict[str, str] = {}
    forms: list[Form] = []
    pending, seen, per_endpoint = list(seeds), set(), Counter()
    while pending and len(pages) < MAX_PAGES:
        url = pending.pop(0)
        endpoint, _args = site.match(url)
        if endpoint is None or _page_key(url) in seen or per_endpoint[endpoint] >= PER_ENDPOINT:
            continue
        seen.add(_page_key(url))
        response = _open(client, url)
        assert response.status_code < 500, (url, response.status_code)
        if response.status_code in (301, 302, 303, 307, 308):
            target = _local(url, response.headers["Location"])
            if target:
                pending.append(target)
            continue
        per_endpoint[endpoint] += 1
        pages[url] = endpoint
        if response.mimetype != "text/html":
            continue
        parser = _PageParser()
        parser.feed(response.get_data(as_text=True))
        pending += [link for link in (_local(url, href) for href in parser.links) if link]
        for found in parser.forms:
            action = _local(url, found["action"]) if found["action"] else url
            if action:
                forms.append(Form(url, action, found["method"], found["fields"]))
    return pages, forms


# ---------------------------------------------------------------------------------------------
# The world the fuzzer works in


def _seed(app) -> dict:
    with app.app_context():
        main = make_center("baku-1", services=("passport", "id-card"), region="Bakı")
        other = make_center("gence-2", services=("passport", "driving-licence"), region="Gəncə")
        contact = {"contact": "+994 50 123 45 67", "is_contact_consented": True}
        references = [make_submission(center, rating=rating, comment="Növbə uzun idi", **contact).reference
                      for center in (main, other) for rating in (1, 3, 5)]
        cases = [make_case(main, **contact), make_case(other, comment="Kassa işləmir", **contact), make_case(main),
                 make_case(other), make_case(main, comment="rüşvət istədi", restricted=True, **contact),
                 make_case(other, comment="hədə", restricted=True)]
        officer = make_user("officer.1", "officer", centers=[main, other])
        integrity = make_user("integrity.1", "integrity")
        accounts = {"admin": make_user("admin.1", "admin").id, "officer": officer.id, "integrity": integrity.id}
        # Some cases in progress, so the pages also offer to resolve them.
        for case, actor in ((cases[0], officer), (cases[2], officer), (cases[4], integrity)):
            transition(case, CaseStatus.in_progress, actor=actor, now=utcnow(), rules=TriageRules())
        db.session.commit()
        cases = [case.id for case in cases]
        # Accounts the fuzzer may change and disable; one with two-factor sign-in, so that its admin
        # page offers the reset.
        spare = make_user("officer.2", "officer", centers=[other])
        secret = two_factor.new_secret()
        two_factor.enable(spare, secret, pyotp.TOTP(secret).at(utcnow()), utcnow(), password="correct horse 42")
        make_user("supervisor.1", "supervisor", region="Gəncə")
        tablet_id, tablet_code = make_kiosk(main, "5", label="Entrance")
        make_kiosk(other, "7", label="Window 7")
        make_api_key(("visits:create", "exports:read"))
        visits = []
        for language in (None, "ru", None):
            visits.append(issue_visit("baku-1", ttl=timedelta(days=1), desk="3", language=language).token)
        visits.append(issue_visit("gence-2", ttl=timedelta(days=1), service_code="passport").token)
        db.session.commit()
        return {"main_id": main.id, "references": references, "cases": cases, "accounts": accounts,
                "tablet_id": tablet_id, "tablet_code": tablet_code, "visits": visits, "two_factor_user": spare.id}


def _open(client, url: str, **kwargs):
    """The response, its body read to the end as a browser would (a CSV export streams its rows
    only then, and a failure in the stream shows only then) and closed."""
    response = client.open(url, **kwargs)
    response.get_data()
    response.close()
    return response


def _csrf(html: str) -> str | None:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    return match.group(1) if match else None


def _sign_in(client, username: str) -> None:
    token = _csrf(_open(client, "/review/login").get_data(as_text=True))
    response = _open(client, "/review/login", method="POST",
                     data={"csrf_token": token, "username": username, "password": PASSWORD})
    assert response.status_code == 302, response.status_code


def _protected(world: dict) -> set[str]:
    """POST paths the fuzzer leaves alone: they would sign it out or take its pages away."""
    paths = {"/review/logout", f"/admin/centers/{world['main_id']}",
             f"/admin/kiosks/{world['tablet_id']}/code", f"/admin/kiosks/{world['tablet_id']}/revoke"}
    for user_id in world["accounts"].values():
        paths |= {f"/admin/users/{user_id}", f"/admin/users/{user_id}/active"}
    return paths


# ---------------------------------------------------------------------------------------------
# Targets: one per (role, method, endpoint)


@dataclass
class Target:
    role: str
    method: str
    endpoint: str
    forms: list[Form] = field(default_factory=list)  # POST: the forms that send here
    urls: list[str] = field(default_factory=list)  # GET: the pages' paths
    params: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # GET: name -> offered values
    path_args: dict[str, dict] = field(default_factory=dict)  # GET: path -> the route's arguments in it

    @property
    def name(self) -> str:
        return f"{self.role} {self.method} {self.endpoint}"


def targets_of(site: Site, role: str, pages: dict[str, str], forms: list[Form],
               protected: set[str]) -> list[Target]:
    found: dict[tuple, Target] = {}

    def target(method, endpoint):
        return found.setdefault((method, endpoint), Target(role, method, endpoint))

    for url, endpoint in pages.items():
        get = target("GET", endpoint)
        path = urlsplit(url).path
        if path not in get.urls:
            get.urls.append(path)
            get.path_args[path] = site.match(path)[1]
        for name, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
            get.params[name].add(value)
    for form in forms:
        endpoint, _args = site.match(form.action, form.method.upper())
        if endpoint is None:
            continue
        if form.method == "get":  # a filter: its fields are query parameters of the page it opens
            get = target("GET", endpoint)
            path = urlsplit(form.action).path
            if path not in get.urls:
                get.urls.append(path)
                get.path_args[path] = site.match(path)[1]
            for f in form.fields.values():
                get.params[f.name].update(f.values)
        elif urlsplit(form.action).path not in protected:
            target("POST", endpoint).forms.append(form)
    for get in (t for (method, _e), t in found.items() if method == "GET"):
        for name in VIEW_ARGS:
            get.params.setdefault(name, set())
    return list(found.values())


FIELD_MODES = ("offered", "offered", "nasty", "nasty", "padded", "omitted", "repeated")
CSRF_MODES = ("page", "page", "page", "page", "none", "forged")
ENCODINGS = ("form", "form", "form", "multipart", "json")
ACCEPT = (None, None, "application/json", "text/html,application/json;q=0.9", "*/*", "image/png", "")
LANGUAGES = (None, None, "az", "ru-RU,ru;q=0.9", "tr, en;q=0.1", "*", "xx", "en;q=abc", "ə", ";;,")


@st.composite
def _headers(draw) -> dict[str, str]:
    chosen = {"Accept": draw(st.sampled_from(ACCEPT)), "Accept-Language": draw(st.sampled_from(LANGUAGES))}
    return {name: value for name, value in chosen.items() if value is not None}


@st.composite
def post_requests(draw, target: Target, field_names: list[str]):
    form = draw(st.sampled_from(target.forms))
    names = [name for name in form.fields if name != "csrf_token"]
    # Half the examples change one field of an otherwise valid form, so the change gets past the
    # other fields' validation (and the honeypot) to what the view does with it; the others change
    # any number of fields, the CSRF token and the encoding.
    single = draw(st.booleans()) and names
    changed = draw(st.sampled_from(names)) if single else None
    pairs, csrf = [], "page" if single else "none"
    for f in form.fields.values():
        if f.name == "csrf_token":
            if not single:
                csrf = draw(st.sampled_from(CSRF_MODES))
                csrf = draw(_nasty()) if csrf == "forged" else csrf
            continue
        if single:
            mode = draw(st.sampled_from(FIELD_MODES[2:])) if f.name == changed else "offered"
        else:
            mode = draw(st.sampled_from(FIELD_MODES))
        if mode == "omitted":
            continue
        if mode == "offered":
            value = st.sampled_from(f.values) if f.values else st.just("")
        else:
            value = _padded(f.values) if mode == "padded" else _value(f.values)
        for _ in range(draw(st.integers(2, 3)) if mode == "repeated" else 1):
            pairs.append((f.name, draw(value)))
    if not single:  # now and then a field the form does not have, named as one of another form's
        pairs += draw(st.lists(st.tuples(st.sampled_from(field_names), _nasty()), max_size=2))
    request = Request(target.role, "POST", form.action, pairs, csrf=csrf, page=form.page,
                      encoding="form" if single else draw(st.sampled_from(ENCODINGS)), headers=draw(_headers()))
    if request.encoding == "multipart":
        request.files = tuple(i for i in range(len(pairs)) if draw(st.sampled_from((False, False, True))))
    elif request.encoding == "json":
        if draw(st.sampled_from((True, True, True, False))):
            request.json = {name: value if draw(st.booleans()) else draw(JSON_VALUES) for name, value in pairs}
        else:
            request.json = draw(JSON_VALUES)
    return request


@st.composite
def get_requests(draw, target: Target):
    path = draw(st.sampled_from(target.urls))
    args = target.path_args.get(path) or {}
    if args and draw(st.integers(0, 3)) == 0:
        # A variable part of the path (an id, a center's code, a reference, a token, a desk).
        name = draw(st.sampled_from(sorted(args)))
        old = quote(str(args[name]), safe="")
        new = quote(draw(_nasty()).encode("utf-8", "surrogatepass"), safe="")
        segments = path.split("/")
        for i, segment in enumerate(segments):
            if segment == old or segment.startswith(old + "."):
                segments[i] = new + segment[len(old):]
                break
        path = "/".join(segments)
    names = sorted(target.params) + list(STRAY_PARAMS)
    pairs = draw(st.lists(st.tuples(st.sampled_from(names), st.just("")), max_size=6))
    pairs = [(name, draw(st.one_of(_value(target.params.get(name, {"1"})), _padded(target.params.get(name, {"1"})))))
             for name, _ in pairs]
    cookies = draw(st.lists(st.tuples(st.sampled_from(VIEW_COOKIES), _value(LANGUAGES[2:])), max_size=2))
    return Request(target.role, draw(st.sampled_from(("GET", "GET", "GET", "HEAD"))), path, pairs,
                   headers=draw(_headers()), cookies=cookies if draw(st.integers(0, 3)) == 0 else [])


# ---------------------------------------------------------------------------------------------
# Sending


def send(app, clients: dict, tokens: dict, request: Request) -> list[int]:
    """Send the request (and follow a redirect to this site once); return the statuses."""
    client = clients[request.role]
    token = tokens.get(request.role)
    headers = {name: _header(value) for name, value in request.headers.items()}
    if request.role == "citizen" or request.cookies:
        # Every example in a browser of its own: a lucky login, a used visit link or a forged
        # cookie stays there.
        client = app.test_client()
        token = _csrf(_open(client, request.page).get_data(as_text=True)) if request.method == "POST" else None
    if request.cookies:
        headers["Cookie"] = "; ".join(f"{_header(name)}={_header(value)}" for name, value in request.cookies)
    csrf = token if request.csrf == "page" else None if request.csrf == "none" else request.csrf
    pairs = ([("csrf_token", csrf)] if csrf is not None else []) + list(request.pairs)
    if request.method in ("GET", "HEAD"):
        body = _encode(pairs)
        response = _open(client, request.url + ("?" + body if body else ""), method=request.method, headers=headers)
    elif request.encoding == "json":
        if csrf is not None:
            headers["X-CSRFToken"] = _header(csrf)
        response = _open(client, request.url, method="POST", json=request.json, headers=headers)
    elif request.encoding == "multipart":
        files = {i + (csrf is not None) for i in request.files}
        parts = MultiDict([(_wire(k), (io.BytesIO(v.encode("utf-8", "surrogatepass")), "field.txt") if i in files
                            else _wire(v)) for i, (k, v) in enumerate(pairs)])
        response = _open(client, request.url, method="POST", data=parts, content_type="multipart/form-data",
                         headers=headers)
    else:
        response = _open(client, request.url, method="POST", data=_encode(pairs).encode("ascii"),
                         content_type="application/x-www-form-urlencoded", headers=headers)
    statuses = [response.status_code]
    location = response.headers.get("Location")
    if response.status_code in (301, 302, 303, 307, 308) and location:
        target = _local(request.url, location)
        if target:
            statuses.append(_open(client, target).status_code)
    return statuses


def _where(exc: BaseException) -> str:
    """The innermost line of the project's code in the exception's traceback."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/feedback/" in f.filename]
    frame = frames[-1] if frames else traceback.extract_tb(exc.__traceback__)[-1]
    return f"{frame.filename}:{frame.lineno} ({frame.name})"


def _fuzz(app, clients, tokens, target: Target, field_names: list[str], statuses: Counter, failures: dict) -> None:
    strategy = post_requests(target, field_names) if target.method == "POST" else get_requests(target)

    @given(request=strategy)
    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=SEED is None, database=None,
              phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.data_too_large])
    def run(request):
        try:
            answered = send(app, clients, tokens, request)
        except Exception as exc:
            # Hypothesis runs the smallest failing example last: that one is kept for the report.
            failures[(target.name, _where(exc))] = f"{request!r}\n    {type(exc).__name__}: {str(exc)[:300]}"
            raise
        for status in answered:
            statuses[status] += 1
            if status >= 500:
                failures[(target.name, f"status {status}")] = repr(request)
            assert status < 500, (status, request)

    if SEED is not None:
        run = seed(int(SEED))(run)
    try:
        run()
    except Exception as exc:  # every target is fuzzed; the failures are reported together at the end
        # A failing request is in ``failures`` already; this keeps errors of the fuzzing itself.
        if not any(name == target.name for name, _place in failures):
            failures[(target.name, _where(exc))] = f"{type(exc).__name__}: {str(exc)[:300]}"


def test_no_page_input_gives_a_500(app):
    world = _seed(app)
    site = Site(app)
    clients = {role: app.test_client() for role in ("citizen", "kiosk", "officer", "integrity", "admin")}
    for role in ("officer", "integrity", "admin"):
        _sign_in(clients[role], f"{role}.1")
    response = _open(clients["kiosk"], "/kiosk/register", method="POST", data={
        "code": world["tablet_code"],
        "csrf_token": _csrf(_open(clients["kiosk"], "/kiosk/register").get_data(as_text=True)),
    })
    assert response.status_code == 303, response.status_code
    reference = world["references"][0]
    seeds = {
        "citizen": ["/", "/status", f"/status/{reference}", f"/c/baku-1/thanks/{reference}", "/review/login",
                    "/kiosk/register"] + [f"/v/{token}" for token in world["visits"]],
        "kiosk": ["/kiosk/baku-1/5", "/kiosk/baku-1/5/thanks"],
        "officer": ["/review/", "/dashboard/", "/review/account/password"]
                   + [f"/review/cases/{case_id}" for case_id in world["cases"][:4]]
                   + [f"/review/api/cases/{world['cases'][0]}"],
        "integrity": ["/review/", "/dashboard/"] + [f"/review/cases/{case_id}" for case_id in world["cases"][4:]],
        "admin": [f"/admin/users/{world['two_factor_user']}", "/admin/", "/admin/users", "/admin/kiosks",
                  "/admin/api-keys", "/admin/posters", "/admin/model", "/admin/log", "/review/account/password",
                  f"/admin/erasure?reference={reference}"],
    }
    protected = _protected(world)
    targets, tokens = [], {}
    for role, role_seeds in seeds.items():
        pages, forms = crawl(site, clients[role], role_seeds)
        targets += targets_of(site, role, pages, forms, protected)
        tokens[role] = next((f.fields["csrf_token"].values[0] for f in forms if "csrf_token" in f.fields), None)
    field_names = sorted({name for t in targets for f in t.forms for name in f.fields} | set(VIEW_ARGS))

    # The crawl reached every kind of page, so the net cannot shrink to nothing unnoticed.
    found = {target.name for target in targets}
    expected = {
        "citizen GET survey.index", "citizen POST survey.survey", "citizen GET survey.status_form",
        "citizen POST visits.visit", "citizen POST review.login", "citizen POST kiosk.register",
        "kiosk POST kiosk.rate", "officer GET review.queue", "officer POST review.resolve",
        "officer POST review.assign", "officer GET dashboard.index", "officer GET dashboard.export_cases",
        "officer POST review.password", "integrity POST review.reveal_contact", "admin POST admin.center",
        "admin POST admin.service", "admin POST admin.user", "admin POST admin.user_active",
        "admin POST admin.kiosks", "admin POST admin.kiosk_revoke", "admin POST admin.api_keys",
        "admin POST admin.api_key_revoke", "admin POST admin.user_two_factor_reset", "admin GET admin.log",
        "admin GET admin.poster_download", "admin POST admin.model_rollback", "admin GET admin.erasure",
        "admin POST admin.erase",
    }
    assert expected <= found, sorted(expected - found)

    with app.app_context():
        stored_before = db.session.scalar(sa.select(sa.func.count()).select_from(Submission))
    statuses: Counter = Counter()
    failures: dict[tuple[str, str], str] = {}
    for target in sorted((t for t in targets if ONLY in t.name), key=lambda t: t.name):
        _fuzz(app, clients, tokens, target, field_names, statuses, failures)
    assert not failures, "\n".join(f"== {name} at {place}\n  {text}"
                                   for (name, place), text in sorted(failures.items()))
    if not ONLY:
        # Valid variants got through (stored feedback, saved forms) and bad ones were refused.
        assert statuses[200] and statuses[303] and statuses[400], statuses
        with app.app_context():
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Submission)) > stored_before
