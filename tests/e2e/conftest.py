"""End-to-end fixtures: the real app served by uvicorn on a free localhost port, driven by Debian's
Chromium through Playwright (never a downloaded browser).

- `live_server` (tests/live.py): the app on its own thread and event loop, against this test's database (cloned from
  the migrated template, like every integration test); `live_server.url("/path")`.
- `browser`: one headless Chromium for the session; `page`: a fresh context (cookies) per test, at
  phone size (390x844) in Japanese, with a default timeout; JavaScript errors and anything the
  Content-Security-Policy refuses fail the test. When a test fails, its report carries what the page
  did (answers of 400 and above, failed requests, console messages, what its status lines said) and a
  screenshot `failed-<test>.png` is kept in FOODBANK_SCREENSHOTS: enough to tell a slow machine
  from a real fault when it happens only in CI.
- `sign_in(page, live_server, actor)`: through the sign-in form, like a person.
- `screenshot(page, name)`: phone and laptop captures into FOODBANK_SCREENSHOTS (default
  /tmp/foodbank-shots, outside the repository), after checking nothing sticks out sideways.
- `menu(page)`: the navigation, opened first where it sits behind its button (a phone);
  `go(page, name)` follows one of its links.
- `assert_work_first(page)`: on the first screen the header is one line (at most 15% of the height)
  and the page's title and the first thing to fill in or tap are above the fold.

Set FOODBANK_CHROMIUM to use another Chromium binary. `python3 -m foodbank test` installs Debian's
`chromium` first; deselect these tests with `-m "not e2e"`.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, ConsoleMessage, Locator, Page, Request, Response, async_playwright, expect

from tests.conftest import Actor
from tests.integration.stock.conftest import wh  # noqa: F401 - the stocked warehouse, as a fixture here too
from tests.live import LiveServer, live_server  # noqa: F401 - the served app, as a fixture here

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
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
TIMEOUT_MS = 15_000
SHOTS = Path(os.environ.get("FOODBANK_SCREENSHOTS", "/tmp/foodbank-shots"))  # noqa: S108 - not in the repo


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


def chromium_path() -> str:
    path = os.environ.get("FOODBANK_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail(
            "Chromium is missing: `python3 -m foodbank test` installs Debian's chromium "
            "(or: apt-get install -y chromium); skip these tests with -m 'not e2e'."
        )
    return path


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()


BROWSER_LOG = pytest.StashKey[list[str]]()
FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    report = yield
    if call.when == "call" and call.excinfo is not None:
        item.stash[FAILED] = True
        log = item.stash.get(BROWSER_LOG, None)
        if log:
            report.sections.append(("what the browser saw", "\n".join(log[-60:])))  # type: ignore[attr-defined]
    return report


def _watch(opened: Page, log: list[str]) -> None:
    def answered(response: Response) -> None:
        if response.status >= 400:
            log.append(f"{response.status} {response.request.method} {response.url}")

    def failed(request: Request) -> None:
        log.append(f"failed {request.method} {request.url}: {request.failure}")

    def console(message: ConsoleMessage) -> None:
        log.append(f"console {message.type}: {message.text}")

    opened.on("response", answered)
    opened.on("requestfailed", failed)
    opened.on("console", console)


# What the page says to the person (its live regions and the receive form's item line), as it changes,
# into the log: the report of a failure shows the last words the page said before it.
WATCH_WORDS = """
const said = new WeakMap();
new MutationObserver(() => {
  for (const el of document.querySelectorAll("[role=status], [role=alert], [aria-live], #entry-item")) {
    const words = el.textContent.trim();
    if (words && said.get(el) !== words) {
      said.set(el, words);
      console.debug("said " + (el.id || el.className) + ": " + words);
    }
  }
}).observe(document, { subtree: true, childList: true, characterData: true });
"""


async def _keep_failure(opened: Page, name: str) -> None:
    try:
        SHOTS.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - once, tiny
        await opened.screenshot(path=str(SHOTS / f"failed-{name}.png"), full_page=True)
    except Exception:  # noqa: S110 - a closed page has nothing to show; the failure speaks
        pass


@pytest.fixture
async def page(browser: Browser, request: pytest.FixtureRequest) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport=PHONE, locale="ja-JP", extra_http_headers={"Accept-Language": "ja"})
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    opened = await context.new_page()
    log = request.node.stash[BROWSER_LOG] = []
    _watch(opened, log)
    await context.add_init_script(WATCH_WORDS)
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    # What the Content-Security-Policy refused (an inline script, a foreign host) is a console error.
    opened.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    try:
        yield opened
        if request.node.stash.get(FAILED, False):
            await _keep_failure(opened, re.sub(r"\W+", "-", request.node.name))
    finally:
        await context.close()
    assert not errors, f"JavaScript errors or refusals of the security policy on the page: {errors}"


async def sign_in(page: Page, live_server: LiveServer, actor: Actor) -> None:  # noqa: F811
    await page.goto(live_server.url("/sign-in"))
    await page.fill("#username", actor.username)
    await page.fill("#password", actor.password)
    await page.click("button[type=submit]")
    await page.wait_for_url(live_server.url("/"))
    await expect(page.locator(".who")).to_have_text(actor.username.title())


async def screenshot(page: Page, name: str) -> None:
    """Full-page captures at phone and laptop width; fails when the page is wider than the screen."""
    SHOTS.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - once, tiny
    for label, size in (("phone", PHONE), ("laptop", LAPTOP)):
        await page.set_viewport_size(size)
        overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} at {label} width is {overflow}px wider than the screen"
        await page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
    await page.set_viewport_size(PHONE)


async def menu(page: Page) -> Locator:
    """The main menu's navigation, opened if it is behind its button (as on a phone)."""
    details = page.locator("details.menu")
    if not await details.evaluate("menu => menu.open"):
        await details.locator("summary").click()
    navigation = page.get_by_role("navigation", name=re.compile("メインメニュー|Main menu"))
    await expect(navigation).to_be_visible()
    return navigation


async def go(page: Page, name: str) -> None:
    """Follow a link of the main menu, as a person does on a phone."""
    await (await menu(page)).get_by_role("link", name=name, exact=True).click()


HEADER_SHARE = 0.15
"""The most of the first screen the header may take (it took about 40% before the menu went behind a button)."""


async def assert_work_first(
    page: Page, *, work: str = "main form :is(input:not([type=hidden]), select, textarea, button)"
) -> None:
    """The first screen is the page's: a header of one line taking at most HEADER_SHARE of the height, then
    the page's title (h1) and the first of `work` (by default the first field or button of a form in the
    page) entirely above the fold."""
    viewport = page.viewport_size
    assert viewport is not None
    header = await page.locator("header.bar").bounding_box()
    brand = await page.locator("header.bar .brand").bounding_box()
    assert header is not None and brand is not None
    assert header["height"] <= HEADER_SHARE * viewport["height"], f"header is {header['height']}px high"
    assert brand["height"] <= 3.2 * 16, f"the organisation's name takes {brand['height']}px: more than one line"
    for what, locator in (("title", page.locator("main h1").first), ("work", page.locator(work).first)):
        await expect(locator).to_be_visible()
        box = await locator.bounding_box()
        assert box is not None
        assert box["y"] >= header["y"] + header["height"] - 1, f"the {what} is under the header"
        assert box["y"] + box["height"] <= viewport["height"], f"the {what} is below the first screen ({box})"
