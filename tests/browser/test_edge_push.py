"""A reader's live page through an edge engine (Debian's Pushpin in front of a server whose
push transport is GRIP): a post published in the admin appears without a reload, by the
engine's stream, never by polling."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.edge import SIG_KEY, Pushpin, available

from .support import LIVE_TIMEOUT_MS, save_post_in_admin, start_post_in_admin, unique

expect = pytest.importorskip(
    "playwright.sync_api", reason="Playwright for Python is not installed"
).expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not available(), reason="Pushpin is not installed (apt-get install pushpin)"
    ),
]


class ThroughTheEngine:
    """The site as readers reach it: every URL through the engine."""

    def __init__(self, engine: Pushpin) -> None:
        self.engine = engine
        self.url = engine.url

    def page(self, path: str) -> str:
        return f"{self.url}{path}"


@pytest.fixture
def edge(make_server, browser_workdir: Path):
    engine = Pushpin(browser_workdir / f"pushpin-{id(make_server)}")
    origin = make_server(
        "grip",
        NEWSROOM_PUSH_BACKEND="liveblog.edge.grip.GripTransport",
        NEWSROOM_GRIP_URLS=engine.grip_url,
        NEWSROOM_GRIP_VERIFY_KEY=SIG_KEY,
    )
    engine.route(origin.url)
    engine.start()
    yield origin, ThroughTheEngine(engine)
    engine.stop()


def test_a_post_published_in_the_admin_appears_on_a_page_read_through_pushpin(
    edge, open_reader, editor_page
):
    origin, site = edge
    reader = open_reader(site)
    assert all(url.startswith(site.url) for url in reader.stream_requests())
    editor = editor_page(origin)
    title = unique("Through the edge")

    start_post_in_admin(editor, origin, title)
    editor.keyboard.type("Published at the origin, delivered by the engine.")
    post_id = save_post_in_admin(editor)
    editor.click("a.workflow-step[data-step=publish]")
    with editor.expect_navigation():
        editor.click("input[type=submit][value='Publish now']")

    expect(reader.item(post_id)).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(reader.page.locator(f"#post-{post_id} .post-title")).to_have_text(title)
    reader.assert_not_reloaded()
    assert not [url for url in reader.requests if "/changes/" in url], "the page polled"
    assert len(reader.stream_requests()) == 1  # one stream, held by the engine throughout
    held = [line for line in site.engine.log().splitlines() if "[handler] GET" in line]
    assert held, "the engine held no stream"
    assert "/stream/" in held[0]
    assert "#live-" in held[0]  # a GRIP hold on the blog's channel, not a proxied stream
    assert not reader.errors
