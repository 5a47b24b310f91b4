"""Fixtures for tests that drive Debian's Chromium through Playwright against the real app.

The app runs in a background thread (werkzeug's server on 127.0.0.1, a free port) on a temporary
SQLite database seeded with the demo centers; the browser is the system's ``/usr/bin/chromium``,
never a downloaded one. Without Chromium the tests skip, unless ``REY_REQUIRE_BROWSER=1`` (set by
``.ci/run``), where a missing browser is a failure rather than a silent pass.

Fixtures:
    live_server          the app, seeded, served for the whole session (``.url(path)``, ``.app``)
    make_live_server     another server with extra config for one test: ``make_live_server(KEY=v)``
    browser              one Chromium for the session
    new_context          ``new_context(**playwright_context_options)``; closed after the test
    phone_page           a 360×640 touch page          tablet_page   an 800×1280 touch page
    page                 the phone page (citizens mostly come from phones)
    axe                  ``axe(page)`` fails the test with a readable report on any WCAG 2.1 AA violation
    screenshot           ``screenshot(page, "name")`` saves test-artifacts/screenshots/name.png
    layout               ``layout.overflowing(page)``, ``layout.small_targets(page, 44)``
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from feedback import create_app
from feedback.extensions import db
from feedback.services.demo import seed_demo_centers

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("REY_CHROMIUM", "/usr/bin/chromium")
# No network beyond loopback here: without these Chromium keeps calling home and slows every test.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
PHONE = {"width": 360, "height": 640}
TABLET = {"width": 800, "height": 1280}
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def _require_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    reason = f"{CHROMIUM} is missing: apt-get install -y chromium (CI installs it in .ci/run)"
    if os.environ.get("REY_REQUIRE_BROWSER") == "1":
        pytest.fail(f"REY_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def _compile_catalogues() -> None:
    """Compile .po files whose .mo is missing or older, as `make translations` does."""
    translations = ROOT / "feedback" / "translations"
    stale = [
        po for po in translations.glob("*/LC_MESSAGES/messages.po")
        if not po.with_suffix(".mo").exists() or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if stale:
        pybabel = Path(sys.executable).with_name("pybabel")
        subprocess.run(
            [str(pybabel), "compile", "--use-fuzzy", "-d", str(translations)],
            check=True, capture_output=True,
        )


@dataclass
class LiveServer:
    """A running app: ``url("/c/baku-1")`` for the browser, ``app`` for checking the database."""

    app: object
    base_url: str
    _server: object
    _thread: threading.Thread

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()


def _start_server(db_path: Path, extra: dict | None = None) -> LiveServer:
    config = {
        "TESTING": True,
        "SECRET_KEY": "browser-test-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
        "MODELS_DIR": str(db_path.parent / "no-models"),
        "RATELIMIT_ENABLED": False,
        # Admins signed in by the tests would otherwise have to set up two-factor sign-in first;
        # tests of that rule ask for it with @pytest.mark.config(TWO_FACTOR_ROLES=...).
        "TWO_FACTOR_ROLES": frozenset(),
        **(extra or {}),
    }
    app = create_app(config)
    with app.app_context():
        db.create_all()
        seed_demo_centers()
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="rey-live-server", daemon=True)
    thread.start()
    return LiveServer(app=app, base_url=f"http://127.0.0.1:{server.server_port}", _server=server, _thread=thread)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The app with the demo centers (baku-1, baku-3, sumqayit, gence, mobile-1), for the session."""
    _compile_catalogues()
    server = _start_server(tmp_path_factory.mktemp("live") / "rey.sqlite3")
    yield server
    server.stop()


@pytest.fixture
def make_live_server(tmp_path):
    """Start a server of this test's own with extra config: ``make_live_server(SOME_KEY=value)``."""
    _compile_catalogues()
    servers = []

    def start(**config) -> LiveServer:
        server = _start_server(tmp_path / f"rey-{len(servers)}.sqlite3", config)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, launched once per session."""
    _require_chromium()
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def new_context(browser):
    """Make browser contexts (Playwright ``new_context`` options); all closed after the test."""
    contexts = []

    def make(**options):
        options.setdefault("viewport", PHONE)
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def phone_page(new_context):
    return new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2).new_page()


@pytest.fixture
def tablet_page(new_context):
    return new_context(viewport=TABLET, is_mobile=True, has_touch=True).new_page()


@pytest.fixture
def page(phone_page):
    return phone_page


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")


@pytest.fixture(scope="session")
def screenshot():
    """``screenshot(page, name, full_page=True)``: save a PNG under test-artifacts/screenshots/."""
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, *, full_page: bool = True) -> Path:
        path = folder / f"{_slug(name)}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


@pytest.fixture(scope="session")
def axe():
    """``axe(page, context=None)``: run axe-core (WCAG 2.0/2.1 A and AA rules); fail on any violation."""
    from axe_playwright_python.sync_playwright import Axe

    checker = Axe()
    reports = ARTIFACTS / "axe"
    reports.mkdir(parents=True, exist_ok=True)

    def check(page, context=None, *, name: str | None = None):
        options = {"runOnly": {"type": "tag", "values": WCAG_AA_TAGS}, "resultTypes": ["violations"]}
        results = checker.run(page, context=context, options=options)
        if results.violations_count:
            report = results.generate_report()
            (reports / f"{_slug(name or page.url)}.txt").write_text(report)
            pytest.fail(f"axe found {results.violations_count} violation(s) on {page.url}:\n{report}")
        return results

    return check


class Layout:
    """Measurements a person would make with a ruler on a small screen."""

    @staticmethod
    def overflowing(page) -> list[str]:
        """Visible elements that stick out past the viewport's right edge, and page-level overflow."""
        return page.evaluate(
            """() => {
              const width = document.documentElement.clientWidth;
              const found = [];
              if (document.documentElement.scrollWidth > width) {
                found.push(`page scrolls sideways: ${document.documentElement.scrollWidth}px > ${width}px`);
              }
              for (const el of document.body.querySelectorAll('*')) {
                const box = el.getBoundingClientRect();
                const style = getComputedStyle(el);
                if (!box.width || style.visibility === 'hidden' || el.closest('.hp, .skip-link, [hidden]')) continue;
                if (box.right > width + 0.5 || box.left < -0.5) {
                  found.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${el.className}: `
                             + `${Math.round(box.left)}..${Math.round(box.right)} of ${width}`);
                }
              }
              return found;
            }"""
        )

    @staticmethod
    def small_targets(page, minimum: int = 44) -> list[str]:
        """Visible links, buttons, inputs, selects, summaries and labels of hidden inputs under minimum px."""
        return page.evaluate(
            """(minimum) => {
              const found = [];
              const targets = document.querySelectorAll(
                'a[href], button, select, textarea, summary, input:not([type=hidden]), label[for]');
              for (const el of targets) {
                if (el.closest('.hp, .skip-link, [hidden]')) continue;
                let box = el.getBoundingClientRect();
                const style = getComputedStyle(el);
                if (style.visibility === 'hidden' || style.display === 'none') continue;
                if (el.tagName === 'LABEL') {
                  // A label is the tap target only when it stands in for a visually hidden input.
                  const input = document.getElementById(el.htmlFor);
                  if (!input || input.getBoundingClientRect().width > 2) continue;
                } else if (el.tagName === 'INPUT' && (el.type === 'radio' || el.type === 'checkbox')) {
                  if (box.width <= 2) continue;  // visually hidden; its label is the target
                  const label = el.labels && el.labels[0];
                  // A small box with its label beside it: the row (box + label) is the target.
                  const row = el.closest('.choice, .checkbox');
                  if (row) box = row.getBoundingClientRect();
                }
                if (!box.width || !box.height) continue;
                if (box.width < minimum - 0.5 || box.height < minimum - 0.5) {
                  const text = (el.innerText || el.value || el.name || '').trim().slice(0, 30);
                  found.push(`${el.tagName.toLowerCase()} "${text}": ${Math.round(box.width)}×${Math.round(box.height)}`);
                }
              }
              return found;
            }""",
            minimum,
        )


@pytest.fixture(scope="session")
def layout():
    return Layout()


@pytest.fixture(scope="session")
def chromium_path():
    """Path of the browser the tests drive; skipped (or failed under CI) when it is missing."""
    _require_chromium()
    return shutil.which(CHROMIUM) or CHROMIUM
