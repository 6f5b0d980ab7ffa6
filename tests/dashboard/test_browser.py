"""The settings page in headless Chromium, embedded the way the Saleor dashboard embeds it.

A host page on its own 127.0.0.1 origin plays the dashboard: it frames the
app's /dashboard page and responds to its notifyReady with a handshake carrying a
user token signed by the Saleor test double.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from plugin.app.asgi import build_state, create_app
from plugin.app.config import AppConfig
from plugin.sandbox.server import SandboxServer
from plugin.settings import parse_settings
from plugin.store import Store
from tests.dashboard.servers import serve
from tests.dashboard.support import (
    MANAGE_APPS,
    forged_token,
    install,
    sample_settings,
    stored_settings,
)
from tests.support.saleor_double import SaleorDouble

# CI installs Playwright and Chromium, so there a missing one is a failure.
if os.environ.get("CI"):
    import playwright.sync_api as playwright_api
else:
    playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Set DASHBOARD_SCREENSHOT=docs/dashboard.png to refresh the picture in the docs.
SCREENSHOT_ENV = "DASHBOARD_SCREENSHOT"
TIMEOUT_MS = 15_000

HOST_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Saleor dashboard double</title>
  <style>body { margin: 0; } #app-frame { border: 0; width: 100%; height: 3200px; display: block; }</style>
</head>
<body>
  <iframe id="app-frame" title="Digital River distributors" src="__SRC__"></iframe>
  <iframe id="sibling" title="Another frame" hidden srcdoc="<script>
    addEventListener('message', (event) => {
      parent.document.getElementById('app-frame').contentWindow.postMessage(event.data, '*');
      parent.relayed = true;
    });
  </script>"></iframe>
  <script>
    const frame = document.getElementById("app-frame");
    const appOrigin = new URL(frame.src).origin;
    const token = __TOKEN__;
    const viaSibling = __VIA_SIBLING__;
    window.received = [];
    window.relayed = false;
    function post(message) {
      if (viaSibling) document.getElementById("sibling").contentWindow.postMessage(message, "*");
      else frame.contentWindow.postMessage(message, appOrigin);
    }
    window.addEventListener("message", (event) => {
      if (event.source !== frame.contentWindow) return;
      window.received.push(event.data);
      if (event.data && event.data.type === "notifyReady") {
        post({ type: "response", payload: { actionId: event.data.payload.actionId, ok: true } });
        post({ type: "handshake", payload: { token, version: 1, saleorVersion: "3.24.0", dashboardVersion: "3.24.0" } });
      }
    });
    window.sendTheme = (theme) => post({ type: "theme", payload: { theme } });
  </script>
</body>
</html>
"""


@dataclass
class Dashboard:
    """The host page's server: which app page it frames and which token it hands over."""

    saleor: SaleorDouble
    app_url: str = ""
    url: str = ""
    token: str = ""
    theme: str = "light"
    via_sibling: bool = False
    """Post the dashboard's messages from a sibling frame instead of the parent."""

    def frame_src(self) -> str:
        query = {
            "id": self.saleor.app_id,
            "saleorApiUrl": self.saleor.api_url,
            "domain": self.saleor.domain,
            "theme": self.theme,
            "locale": "en",
        }
        return f"{self.app_url}/dashboard?{urllib.parse.urlencode(query)}"

    async def host(self, request: Request) -> HTMLResponse:
        html = (
            HOST_PAGE.replace("__SRC__", self.frame_src())
            .replace("__TOKEN__", json.dumps(self.token))
            .replace("__VIA_SIBLING__", json.dumps(self.via_sibling))
        )
        return HTMLResponse(html)


@pytest.fixture(scope="module")
def chromium_path() -> str:
    if shutil.which(CHROMIUM) is None and not os.environ.get("CI"):
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(f"sqlite:///{tmp_path / 'app.sqlite3'}") as opened:
        yield opened


@pytest.fixture
def dashboard(saleor: SaleorDouble) -> Iterator[Dashboard]:
    dashboard = Dashboard(saleor)
    host_app = Starlette(routes=[Route("/host", dashboard.host)])
    with serve(host_app, lifespan="off") as url:
        dashboard.url = url + "/host"
        yield dashboard


def start_app(
    store: Store, origins: tuple[str, ...]
) -> contextlib.AbstractContextManager[str]:
    """Serve the whole app, as ``create_app`` builds it, without its worker."""
    config = AppConfig(dashboard_origins=origins, run_worker=False, allow_loopback=True)
    state = build_state(config, store, parse_settings({}, "defaults", environ={}))
    return serve(create_app(state))


@pytest.fixture
def app_url(store: Store, dashboard: Dashboard) -> Iterator[str]:
    """The whole app, trusting messages from the host page's origin."""
    install(store, dashboard.saleor)
    host_origin = dashboard.url.removesuffix("/host")
    with start_app(store, (host_origin,)) as url:
        dashboard.app_url = url
        dashboard.token = dashboard.saleor.issue_dashboard_token(
            permissions=(MANAGE_APPS,)
        )
        yield url


@pytest.fixture
def browser_page(chromium_path: str, tmp_path: Path):
    with playwright_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=chromium_path,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(TIMEOUT_MS)
        try:
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()


def open_app(page, dashboard: Dashboard):
    page.goto(dashboard.url)
    frame = page.frame_locator("#app-frame")
    playwright_api.expect(frame.locator("#app")).to_be_visible()
    return frame


def add_distributor(frame, *, currency: str) -> None:
    frame.get_by_role("button", name="Add distributor").click()
    frame.get_by_label("Distributor ID (subfulfillerId)").fill("dist-paris")
    frame.get_by_label("Name", exact=True).fill("Paris Goods SARL")
    frame.get_by_label("Payout currency").fill(currency)
    frame.get_by_label("Address line 1").fill("12 Rue de Rivoli")
    frame.get_by_label("City").fill("Paris")
    frame.get_by_label("Postal code").fill("75004")
    frame.get_by_label("Country").fill("FR")


def test_add_distributor_save_and_reload(browser_page, dashboard, app_url, store):
    frame = open_app(browser_page, dashboard)
    add_distributor(frame, currency="EUR")
    frame.get_by_role("button", name="Save settings").click()
    playwright_api.expect(frame.locator("#save-status")).to_have_text(
        "Saved. The settings apply from the next fulfillment."
    )

    saved = stored_settings(store, dashboard.saleor)
    assert [item["id"] for item in saved["distributors"]] == ["dist-paris"]
    assert saved["distributors"][0]["address"]["lines"] == ["12 Rue de Rivoli"]

    dashboard.token = dashboard.saleor.issue_dashboard_token(permissions=(MANAGE_APPS,))
    frame = open_app(browser_page, dashboard)
    playwright_api.expect(
        frame.locator("legend", has_text="Distributor 1: Paris Goods SARL")
    ).to_be_visible()
    playwright_api.expect(frame.get_by_label("Payout currency")).to_have_value("EUR")


def test_invalid_currency_shows_error_saves_nothing(
    browser_page, dashboard, app_url, store
):
    frame = open_app(browser_page, dashboard)
    add_distributor(frame, currency="EURO")
    frame.get_by_role("button", name="Save settings").click()

    error = frame.locator("#field-distributors-0-currency-error")
    playwright_api.expect(error).to_be_visible()
    playwright_api.expect(error).to_contain_text("ISO 4217")
    playwright_api.expect(frame.get_by_label("Payout currency")).to_have_attribute(
        "aria-invalid", "true"
    )
    playwright_api.expect(frame.locator("#error-summary")).to_contain_text(
        "distributors.0.currency"
    )
    playwright_api.expect(frame.locator("#save-status")).to_have_text("Not saved.")
    assert stored_settings(store, dashboard.saleor) is None


def test_forged_token_shows_nothing(browser_page, dashboard, app_url, store):
    install(store, dashboard.saleor, sample_settings())
    dashboard.token = forged_token(dashboard.saleor)
    browser_page.goto(dashboard.url)
    frame = browser_page.frame_locator("#app-frame")

    playwright_api.expect(frame.locator("#app-status")).to_contain_text(
        "could not verify your Saleor session"
    )
    playwright_api.expect(frame.locator("#app")).to_be_hidden()
    assert "Reno Apparel Supply" not in frame.locator("body").inner_html()
    assert "dist-reno" not in frame.locator("body").inner_html()


def test_untrusted_dashboard_cannot_frame_page(browser_page, store, dashboard):
    install(store, dashboard.saleor, sample_settings())
    with start_app(store, ("https://dashboard.example.com",)) as url:
        dashboard.app_url = url
        dashboard.token = dashboard.saleor.issue_dashboard_token(
            permissions=(MANAGE_APPS,)
        )
        browser_page.goto(dashboard.url)
        # Chromium replaces a frame that the page's frame-ancestors forbids with an error page.
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while not any(
            frame.url.startswith("chrome-error:") for frame in browser_page.frames
        ):
            assert time.monotonic() < deadline, [
                frame.url for frame in browser_page.frames
            ]
            browser_page.wait_for_timeout(50)
        assert browser_page.evaluate("window.received") == []


def test_handshake_from_sibling_frame_is_ignored(browser_page, dashboard, app_url):
    dashboard.via_sibling = True
    browser_page.goto(dashboard.url)
    browser_page.wait_for_function("window.relayed === true")
    browser_page.wait_for_timeout(500)
    frame = browser_page.frame_locator("#app-frame")
    playwright_api.expect(frame.locator("#app-status")).to_have_text(
        "Waiting for the Saleor dashboard…"
    )
    playwright_api.expect(frame.locator("#app")).to_be_hidden()


def test_keyboard_adds_distributor(browser_page, dashboard, app_url):
    frame = open_app(browser_page, dashboard)
    frame.get_by_role("button", name="Test connection").focus()
    for _ in range(10):
        browser_page.keyboard.press("Tab")
        focused = frame.locator(":focus").text_content()
        if focused == "Add distributor":
            break
    assert focused == "Add distributor"
    browser_page.keyboard.press("Enter")
    playwright_api.expect(
        frame.locator("legend", has_text="Distributor 1")
    ).to_be_visible()
    playwright_api.expect(
        frame.get_by_label("Distributor ID (subfulfillerId)")
    ).to_be_focused()


def test_page_outside_iframe_asks_for_dashboard(browser_page, dashboard, app_url):
    browser_page.goto(dashboard.frame_src())
    status = browser_page.locator("#app-status")
    playwright_api.expect(status).to_have_text(
        "Open this page from the Apps section of the Saleor dashboard."
    )
    playwright_api.expect(browser_page.locator("#app")).to_be_hidden()


def test_theme_message_switches_theme(browser_page, dashboard, app_url):
    frame = open_app(browser_page, dashboard)
    playwright_api.expect(frame.locator("html")).to_have_attribute(
        "data-theme", "light"
    )
    browser_page.evaluate("window.sendTheme('dark')")
    playwright_api.expect(frame.locator("html")).to_have_attribute("data-theme", "dark")


def test_every_control_has_a_label(browser_page, dashboard, app_url, store):
    install(store, dashboard.saleor, sample_settings())
    frame = open_app(browser_page, dashboard)
    unlabeled = frame.locator("#app").evaluate(
        """(root) => Array.from(root.querySelectorAll("input:not([type=file]), select"))
            .filter((control) => control.labels.length === 0)
            .map((control) => control.id || control.outerHTML)"""
    )
    assert unlabeled == []


def test_screenshot_of_configured_page(
    browser_page, dashboard, app_url, store, tmp_path
):
    with SandboxServer() as sandbox:
        settings = sample_settings()
        settings["digitalriver"].update(api_key=sandbox.api_key, base_url=sandbox.url)
        install(store, dashboard.saleor, settings)
        add_jobs(store, dashboard.saleor.api_url)
        frame = open_app(browser_page, dashboard)
        playwright_api.expect(frame.locator("#jobs-body tr")).to_have_count(2)
        frame.get_by_role("button", name="Test connection").click()
        playwright_api.expect(frame.locator("#connection-result")).to_contain_text(
            "Connected"
        )

    # Grow the frame to its content, so that one picture shows the whole page.
    height = frame.locator("html").evaluate("(html) => html.scrollHeight")
    browser_page.locator("#app-frame").evaluate(
        "(frame, height) => { frame.style.height = height + 'px'; }", height
    )
    screenshot = Path(os.environ.get(SCREENSHOT_ENV) or tmp_path / "dashboard.png")
    screenshot.parent.mkdir(exist_ok=True)
    browser_page.locator("#app-frame").screenshot(path=str(screenshot))
    assert screenshot.stat().st_size > 10_000


def add_jobs(store: Store, api_url: str) -> None:
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=30)
    outcome = {"sent": [{"dr_fulfillment_id": "ful_7d1e0c2a"}]}
    for number, fulfillment_id in (
        ("1001", "RnVsZmlsbG1lbnQ6MQ=="),
        ("1002", "RnVsZmlsbG1lbnQ6Mg=="),
    ):
        store.enqueue_job(
            api_url,
            fulfillment_id,
            "T3JkZXI6MQ==",
            number,
            "fulfillment_created",
            "{}",
            start,
        )
        (job,) = store.claim_jobs("worker", 1, 60, start)
        if number == "1001":
            store.complete_job(job.id, "worker", json.dumps(outcome), start)
        else:
            store.fail_job(
                job.id,
                "worker",
                "line RnVsZmlsbG1lbnRMaW5lOjI= (SKU HAT-9): no distributor for this SKU",
                start,
            )
