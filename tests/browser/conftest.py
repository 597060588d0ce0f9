"""Browser tests: real servers in subprocesses, a real Chromium, a driver for the newsroom.

The unit suite's database lives inside pytest-django and is invisible to a server in
another process, so these tests never request ``db``: a session fixture builds a
database of their own (``support.BrowserDatabase``) and every process — the uvicorn
servers and the driver that plays the editor — gets its location in the environment.

Run them alone with ``python -m pytest tests/browser`` (``-m browser`` selects them in
a full run, ``-m "not browser"`` leaves them out). They skip themselves when
``/usr/bin/chromium`` or Playwright for Python is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .support import (
    BODY,
    CHROMIUM,
    CHROMIUM_ARGS,
    DEMO_SLUG,
    DESK,
    BrowserDatabase,
    Newsroom,
    RedisServer,
    Server,
    wait_for_js,
)

HERE = Path(__file__).resolve().parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"


def _skip_reason() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install playwright)"
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


SKIP_REASON = _skip_reason()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives a real Chromium against servers in subprocesses"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The screenshot tests first of the browser tests (which stay where they are in the
    # run): docs/screenshots/ shows the demo as a newcomer sees it, not the posts the
    # other tests file into the shared browser database.
    first = ("test_layout.py", "test_first_screen.py")
    places = [i for i, item in enumerate(items) if HERE in Path(str(item.path)).parents]
    ordered = sorted(
        (items[i] for i in places), key=lambda item: [Path(item.path).name != n for n in first]
    )
    for place, item in zip(places, ordered, strict=True):
        items[place] = item
    if SKIP_REASON is None:
        return
    skip = pytest.mark.skip(reason=f"browser tests skipped: {SKIP_REASON}")
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(skip)


# --- Processes ---------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser")


@pytest.fixture(scope="session")
def browser_db(browser_workdir: Path) -> Iterator[BrowserDatabase]:
    """SQLite file, or ``newsroom_browser`` on DATABASE_URL's server; migrated, demo loaded."""
    database = BrowserDatabase(browser_workdir, os.environ.get("DATABASE_URL", ""))
    database.create()
    yield database
    database.drop()


@pytest.fixture(scope="session")
def newsroom(browser_db: BrowserDatabase, browser_workdir: Path) -> Iterator[Newsroom]:
    """The driver: ``newsroom.publish(title=…)`` and the other named editorial actions."""
    driver = Newsroom(browser_db.env, browser_workdir)
    driver.start()
    yield driver
    driver.stop()


@pytest.fixture(scope="session")
def server(browser_db: BrowserDatabase, browser_workdir: Path) -> Iterator[Server]:
    """The shared server: no Redis, so other processes' changes arrive by its DB poll."""
    main = Server("main", browser_db.env, browser_workdir)
    main.start()
    yield main
    main.stop()


@pytest.fixture
def make_server(
    browser_db: BrowserDatabase, browser_workdir: Path
) -> Iterator[Callable[..., Server]]:
    """Start a server of the test's own (extra environment as keywords); stopped after."""
    started: list[Server] = []

    def make(name: str, **extra_env: str) -> Server:
        instance = Server(name, browser_db.env, browser_workdir, **extra_env)
        started.append(instance)
        instance.start()
        return instance

    yield make
    for instance in started:
        instance.stop()


@pytest.fixture
def redis_server(browser_workdir: Path, newsroom: Newsroom) -> Iterator[RedisServer]:
    """A private Redis; the driver announces its changes through it while the test runs."""
    instance = RedisServer(browser_workdir / f"redis-{os.getpid()}")
    try:  # stopped whatever fails after it started (a leaked server outlives the suite)
        instance.start()
        newsroom.use_redis(instance.url)
        yield instance
        newsroom.use_redis(None)
    finally:
        instance.stop()


# --- The browser ---------------------------------------------------------------------------
@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    manager = sync_playwright().start()
    browser = manager.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    manager.stop()


# Records the live channel's life in the page, before any of the page's own scripts run.
LIVE_PROBE = """
window.__live = {opens: 0, errors: 0, closes: 0};
document.addEventListener("htmx:sseOpen", function () { window.__live.opens += 1; });
document.addEventListener("htmx:sseError", function () { window.__live.errors += 1; });
document.addEventListener("htmx:sseClose", function () { window.__live.closes += 1; });
"""


class Reader:
    """One reader's tab: the page, every request it made and every navigation."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.requests: list[str] = []
        self.navigations = 0
        self.errors: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("framenavigated", self._navigated)

    def _navigated(self, frame: Any) -> None:
        if frame == self.page.main_frame:
            self.navigations += 1

    def open(self, url: str, *, wait_for_stream: bool = True, landmark: str = "#live") -> Any:
        response = self.page.goto(url)
        assert response is not None, url
        assert response.status == 200, f"{url}: {response.status}"
        self.page.wait_for_selector(landmark, state="attached")
        if wait_for_stream:
            wait_for_js(self.page, "window.__live && window.__live.opens > 0")
        self.mark()
        return response

    def mark(self) -> None:
        """Set a marker that only a reload could remove."""
        self.page.evaluate("window.__marker = 1")
        self.navigations = 0

    def assert_not_reloaded(self) -> None:
        assert self.page.evaluate("window.__marker") == 1, "the page was reloaded"
        assert self.navigations == 0, f"the page navigated {self.navigations} time(s)"
        assert self.page.evaluate("performance.getEntriesByType('navigation')[0].type") in {
            "navigate",
            "back_forward",
        }

    def item(self, post_id: int) -> Any:
        return self.page.locator(f"#item-post-{post_id}")

    def item_ids(self) -> list[str]:
        return self.page.eval_on_selector_all(
            "#posts > li.posts-item", "items => items.map(item => item.id)"
        )

    def applied_seq(self) -> int:
        return int(self.page.get_attribute("#live", "data-seq"))

    def stream_requests(self) -> list[str]:
        return [url for url in self.requests if "/stream/" in url]


@pytest.fixture
def new_context(chromium: Any) -> Iterator[Callable[..., Any]]:
    """Browser contexts for the test (a reader's, an editor's…), all closed after it."""
    contexts: list[Any] = []

    def make(**options: Any) -> Any:
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = chromium.new_context(**options)
        context.set_default_timeout(15_000)
        context.add_init_script(LIVE_PROBE)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def open_reader(new_context: Callable[..., Any]) -> Callable[..., Reader]:
    """Open a live page in a fresh context: ``open_reader(server, query="?live=poll")``;
    another reader's page with ``path`` (a results page)."""

    def open_(
        target: Server,
        query: str = "",
        *,
        slug: str = DEMO_SLUG,
        wait_for_stream: bool | None = None,
        path: str | None = None,
    ) -> Reader:
        reader = Reader(new_context().new_page())
        if path is not None:
            reader.open(target.page(path), wait_for_stream=False, landmark="#results")
            return reader
        if wait_for_stream is None:
            wait_for_stream = "live=" not in query
        reader.open(target.page(f"/live/{slug}/{query}"), wait_for_stream=wait_for_stream)
        return reader

    return open_


@pytest.fixture
def editor_page(new_context: Callable[..., Any], browser_db: BrowserDatabase) -> Callable[..., Any]:
    """A second context logged into a server's admin as the demo ``editor`` (or another
    demo user: ``editor2``, ``reporter``)."""

    def login(target: Server, username: str = "editor", **context_options: Any) -> Any:
        page = new_context(**context_options).new_page()
        page.goto(target.page("/admin/login/?next=/admin/"))
        page.fill("#id_username", username)
        page.fill("#id_password", browser_db.password)
        with page.expect_navigation():
            page.click("input[type=submit]")
        assert page.url.rstrip("/").endswith("/admin"), f"login failed: {page.url}"
        return page

    return login


# --- axe-core --------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe-core from npm (``tests/browser/package.json``), installed on first use."""
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is needed to install axe-core for the accessibility tests")
        command = "ci" if (HERE / "package-lock.json").exists() else "install"
        done = subprocess.run(
            [npm, command, "--prefix", str(HERE), "--no-audit", "--no-fund"],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0 or not AXE.exists():
            pytest.fail(f"npm {command} failed:\n{done.stdout}\n{done.stderr}")
    return AXE


# --- The live desk ---------------------------------------------------------------------------
@pytest.fixture
def open_desk(new_context: Any, server: Any, browser_db: Any) -> Any:
    """Sign in as ``username`` and open the demo blog's desk, its staff channel live."""

    from playwright.sync_api import expect

    def open_(username: str, password: str | None = None, *, viewport: dict | None = None,
              target: Any = None, **options: Any) -> Any:  # fmt: skip
        target = target or server
        context = new_context(viewport=viewport or {"width": 1400, "height": 1000}, **options)
        page = context.new_page()
        page.errors = []  # type: ignore[attr-defined]
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.goto(target.page(f"/admin/login/?next={DESK}"))
        page.fill("#id_username", username)
        page.fill("#id_password", password or browser_db.password)
        with page.expect_navigation():
            page.click("input[type=submit]")
        assert page.url.endswith(DESK), f"login as {username} failed: {page.url}"
        expect(page.locator("#desk-connection")).to_have_attribute("data-state", "live")
        page.wait_for_selector(BODY)
        return page

    return open_
