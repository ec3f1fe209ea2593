"""The web console in a real headless browser (Debian's chromium, driven by Playwright).

A storefront claims a guest order through the Store API; the claim e-mail appears in the
console's inbox; the console's button confirms it; the order is then the customer's. A fault
rule added from the console's form makes the next request fail, and the live journal shows it.
Screenshots go to ``reports/console/`` (``MEDUSA_MOCK_SCREENSHOTS`` elsewhere).

The mock is started from the source tree, or given: ``MEDUSA_MOCK_CONSOLE_URL`` (a served mock
started with ``--control-token $MEDUSA_MOCK_CONTROL_TOKEN``), as CI does with the built wheel.
Without chromium or Playwright the module is skipped, except under CI (``CI`` set), where a
missing browser is a failure.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = os.environ.get("MEDUSA_MOCK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
ROOT = Path(__file__).resolve().parents[1]
SHOTS = Path(os.environ.get("MEDUSA_MOCK_SCREENSHOTS", ROOT / "reports" / "console"))
TOKEN = os.environ.get("MEDUSA_MOCK_CONTROL_TOKEN", "console-test-token")


def _browser_missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"no chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install playwright)"
    return None


MISSING = _browser_missing()
if MISSING and os.environ.get("CI"):
    pytest.fail(f"the console's browser test must run in CI: {MISSING}", pytrace=False)
if MISSING:
    pytest.skip(MISSING, allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    given = os.environ.get("MEDUSA_MOCK_CONSOLE_URL")
    if given:
        httpx.post(f"{given}/_mock/reset", headers={"X-Medusa-Mock-Control-Token": TOKEN},
                   timeout=10).raise_for_status()
        yield given.rstrip("/")
        return
    port = _free_port()
    log = (tmp_path_factory.mktemp("console") / "serve.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "mock_server", "serve", "--port", str(port),
                             "--control-token", TOKEN], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                httpx.get(f"{url}/store/regions", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        log.close()


@pytest.fixture(scope="module")
def page(base_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM,
            headless=True, args=CHROMIUM_ARGS, viewport={"width": 1280, "height": 900})
        try:
            page = context.new_page()
            page.on("dialog", lambda dialog: dialog.accept())
            yield page
        finally:
            context.close()


@pytest.fixture(scope="module")
def store(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=10) as client:
        yield client


def test_the_console_needs_the_token(base_url: str, page: object) -> None:
    page.goto(f"{base_url}/_mock/")  # type: ignore[attr-defined]
    assert "control plane needs its token" in page.content()  # type: ignore[attr-defined]


def test_claim_confirmed_from_the_inbox(base_url: str, page: object, store: httpx.Client) -> None:
    from playwright.sync_api import expect

    email = f"console-{time.time_ns()}@example.com"
    assert store.post("/store/customers", json={"email": email, "password": "secret-pw",
                                                "first_name": "Con", "last_name": "Sole"}
                      ).status_code == 200
    token = store.post("/store/auth/token", json={"email": email, "password": "secret-pw"}
                       ).json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    order = store.get("/store/orders", params={"display_id": 1,
                                               "email": "guest.one@example.com"}).json()["order"]
    claim = store.post("/store/orders/batch/customer/token", headers=bearer,
                       json={"order_ids": [order["id"]]})
    assert claim.status_code == 200, claim.text

    page.goto(f"{base_url}/_mock/?token={TOKEN}")  # type: ignore[attr-defined]
    assert page.url == f"{base_url}/_mock/"  # type: ignore[attr-defined]
    mail = page.locator('[data-testid="mail"][data-event="order-update-token.created"]')  # type: ignore[attr-defined]
    expect(mail.first).to_be_visible(timeout=10_000)
    expect(mail.first).to_contain_text("guest.one@example.com")
    expect(mail.first).to_contain_text("#1")
    page.screenshot(path=str(SHOTS / "inbox.png"), full_page=True)  # type: ignore[attr-defined]

    mail.first.locator('[data-testid="action-confirm-claim"]').click()
    expect(mail.first.locator(".result")).to_have_text("Done (200).", timeout=10_000)
    page.screenshot(path=str(SHOTS / "inbox-confirmed.png"), full_page=True)  # type: ignore[attr-defined]

    mine = store.get("/store/customers/me/orders", headers=bearer).json()["orders"]
    assert order["id"] in [o["id"] for o in mine]


def test_a_fault_added_from_the_page_fails_the_next_request(base_url: str, page: object,
                                                           store: httpx.Client) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base_url}/_mock/")  # type: ignore[attr-defined]
    page.click('#tabs button[data-tab="faults"]')  # type: ignore[attr-defined]
    form = page.locator('[data-testid="fault-form"]')  # type: ignore[attr-defined]
    form.locator('input[name="operation"]').fill("GetRegions")
    form.locator('input[name="status"]').fill("503")
    form.locator('input[name="times"]').fill("1")
    form.locator('[data-testid="fault-add"]').click()
    row = page.locator('[data-testid="fault-row"]')  # type: ignore[attr-defined]
    expect(row).to_have_count(1, timeout=10_000)
    expect(row.first).to_contain_text("GetRegions")
    page.screenshot(path=str(SHOTS / "faults.png"), full_page=True)  # type: ignore[attr-defined]

    answer = store.get("/store/regions")
    assert answer.status_code == 503
    assert answer.json()["type"] == "unknown_error"
    fault_id = answer.headers["x-medusa-mock-fault"]
    assert store.get("/store/regions").status_code == 200  # times: 1

    page.click('#tabs button[data-tab="requests"]')  # type: ignore[attr-defined]
    faulted = page.locator('[data-testid="request-row"]', has_text=fault_id)  # type: ignore[attr-defined]
    expect(faulted.first).to_be_visible(timeout=10_000)
    expect(faulted.first).to_contain_text("503")
    page.screenshot(path=str(SHOTS / "requests.png"), full_page=True)  # type: ignore[attr-defined]


def test_clock_and_reset_from_the_page(base_url: str, page: object, store: httpx.Client) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base_url}/_mock/")  # type: ignore[attr-defined]
    page.click('#tabs button[data-tab="clock"]')  # type: ignore[attr-defined]
    page.fill('[data-testid="clock-seconds"]', "3600")  # type: ignore[attr-defined]
    page.click('[data-testid="clock-advance"]')  # type: ignore[attr-defined]
    control = {"X-Medusa-Mock-Control-Token": TOKEN}
    deadline = time.monotonic() + 10
    while store.get("/_mock/clock", headers=control).json()["offset_seconds"] < 3600:
        assert time.monotonic() < deadline, "the clock did not move"
        time.sleep(0.1)
    page.screenshot(path=str(SHOTS / "clock.png"), full_page=True)  # type: ignore[attr-defined]
    # no sandboxes on this mock: the panel stays hidden
    expect(page.locator("#sandboxes-tab")).to_be_hidden()  # type: ignore[attr-defined]

    page.click('[data-testid="reset"]')  # type: ignore[attr-defined]
    deadline = time.monotonic() + 10
    while store.get("/_mock/clock", headers=control).json()["offset_seconds"] != 0:
        assert time.monotonic() < deadline, "reset did not happen"
        time.sleep(0.1)
    assert store.get("/_mock/events", headers=control).json() == {"events": []}
