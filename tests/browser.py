"""A real headless Chromium for the dashboard's tests, driven by Playwright for Python.

One browser per test session (per pytest worker): Playwright's sync API runs in one
thread of its own, and the async tests hand it work with `await tab.call(...)`, so the
test's event loop stays free to serve the dashboard and run the bot meanwhile. Each test
gets a fresh browser context (no cookies shared between tests).

Debian's `chromium` is used (never `playwright install`). Without it the browser tests
are skipped locally; with WEGWIJS_REQUIRE_BROWSER=1 or CI=true (as .ci/run sets) its
absence fails them instead.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

CHROMIUM = os.environ.get("WEGWIJS_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parent.parent / ".artifacts" / "dashboard"
DOCS = Path(__file__).resolve().parent.parent / "docs"
WIDE, NARROW = 1280, 360
WAIT = 20_000  # milliseconds Playwright waits for what a test expects on the page
T = TypeVar("T")


def required() -> bool:
    """CI must run the browser tests: a missing browser there is a failure."""
    return os.environ.get("WEGWIJS_REQUIRE_BROWSER") == "1" or os.environ.get("CI") == "true"


def available() -> bool:
    """Debian's chromium is installed."""
    return shutil.which(CHROMIUM) is not None or Path(CHROMIUM).exists()


class Chromium:
    """The session's browser, living in its own thread."""

    def __init__(self) -> None:
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chromium")
        self.playwright: Playwright | None = None
        self.browser: Browser | None = None

    def start(self) -> None:
        """Launched once; Playwright gives each launch a fresh user-data-dir."""
        def launch() -> None:
            self.playwright = sync_playwright().start()
            self.browser = self.playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        self.thread.submit(launch).result()

    def stop(self) -> None:
        """Close the browser and the thread."""
        def close() -> None:
            if self.browser is not None:
                self.browser.close()
            if self.playwright is not None:
                self.playwright.stop()
        self.thread.submit(close).result()
        self.thread.shutdown()

    async def tab(self, width: int = WIDE) -> Tab:
        """A fresh context (no cookies) with one page, `width` pixels wide."""
        def open_tab() -> tuple[BrowserContext, Page]:
            assert self.browser is not None
            context = self.browser.new_context(viewport={"width": width, "height": 900},
                                               locale="nl-NL")
            context.set_default_timeout(WAIT)
            return context, context.new_page()
        context, page = await self.call(open_tab)
        return Tab(self, context, page)

    async def call(self, work: Callable[..., T], *args: Any) -> T:
        """Run `work` in the browser's thread while this event loop goes on."""
        return await asyncio.get_running_loop().run_in_executor(self.thread, work, *args)


class Tab:
    """One page of one browser context; every method runs in the browser's thread."""

    def __init__(self, chromium: Chromium, context: BrowserContext, page: Page) -> None:
        self.chromium, self.context, self.page = chromium, context, page

    async def call(self, work: Callable[..., T], *args: Any) -> T:
        """Any Playwright call on this page (e.g. `tab.call(lambda: tab.page.title())`)."""
        return await self.chromium.call(work, *args)

    async def goto(self, url: str) -> int:
        """Open a URL; the final response's status."""
        response = await self.call(self.page.goto, url)
        return response.status if response is not None else 0

    async def click(self, role: str, name: str) -> None:
        """Press a button or follow a link by its accessible name (as a keyboard user would
        find it), and wait for the page that follows."""
        def press() -> None:
            self.page.get_by_role(role, name=name).first.click()  # type: ignore[arg-type]
            self.page.wait_for_load_state()
        await self.call(press)

    async def follow(self, selector: str) -> None:
        """Click the first element matching `selector` (in the browser's thread)."""
        def press() -> None:
            self.page.locator(selector).first.click()
            self.page.wait_for_load_state()
        await self.call(press)

    async def text(self) -> str:
        """What the page shows."""
        return await self.call(lambda: self.page.inner_text("body"))

    async def shows(self, selector: str, text: str) -> None:
        """Wait (event-driven, in the browser) until `selector` contains `text`."""
        def wait() -> None:
            self.page.locator(selector).filter(has_text=text).first.wait_for()
        await self.call(wait)

    async def snap(self, name: str, docs: bool = False) -> None:
        """A full-page screenshot at this width into .artifacts/dashboard (and, for the
        1280-pixel ones with WEGWIJS_DOCS_SCREENSHOTS=1, into docs/)."""
        width = self.page.viewport_size["width"] if self.page.viewport_size else WIDE
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}-{width}.png"
        await self.call(lambda: self.page.screenshot(path=str(path), full_page=True))
        if docs and width == WIDE and os.environ.get("WEGWIJS_DOCS_SCREENSHOTS") == "1":
            shutil.copyfile(path, DOCS / f"dashboard-{name}.png")

    async def close(self) -> None:
        """The context and its cookies are gone."""
        await self.call(self.context.close)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Chromium]:
    """The one browser of this pytest worker (skipped, or failed in CI, without it)."""
    if not available():
        if required():
            pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    browser = Chromium()
    browser.start()
    yield browser
    browser.stop()
