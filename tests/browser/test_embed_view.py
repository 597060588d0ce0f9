"""The blog embedded on another site (issue: the blog embedded elsewhere): a page served
from another origin on loopback pastes the desk's snippet; where the blog allows that
origin the frame renders, fits its posts and updates live; elsewhere the browser refuses
to frame it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from .support import LIVE_TIMEOUT_MS, unique, wait_until

expect = pytest.importorskip(
    "playwright.sync_api", reason="Playwright for Python is not installed"
).expect

pytestmark = pytest.mark.browser

SLUG = "embedded-elsewhere"
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>A partner's page</title></head><body><h1>Our election night</h1>
<p>Before the frame.</p>{snippet}<p id="after">After the frame.</p></body></html>"""


class HostPage:
    """Another site's page on 127.0.0.1 (its own port, so its own origin)."""

    def __init__(self, html: str) -> None:
        body = html.encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def embedded(newsroom: Any) -> str:
    newsroom.create_blog(SLUG, "Embedded elsewhere")
    for n in range(3):
        newsroom.publish(title=f"Earlier update {n}", blog=SLUG)
    return SLUG


@pytest.fixture
def host_pages(server: Any, editor_page: Any, embedded: str) -> Iterator[Callable[[], HostPage]]:
    """Pages of other sites carrying the snippet the desk gives to copy."""
    desk = editor_page(server)
    desk.goto(server.page(f"/admin/desk/{embedded}/"))
    snippet = desk.locator("#embed-snippet").input_value().replace("?n=5", "?n=3")
    assert "data-newsroom-embed" in snippet
    made: list[HostPage] = []

    def make() -> HostPage:
        made.append(HostPage(PAGE.format(snippet=snippet)))
        return made[-1]

    yield make
    for page in made:
        page.close()


def content_height(page: Any) -> float:
    """How tall the embed's own page is, inside the frame."""
    frame = page.locator("iframe[data-newsroom-embed]").element_handle().content_frame()
    return float(frame.evaluate("document.documentElement.getBoundingClientRect().height"))


def frame_height(page: Any) -> float:
    return page.locator("iframe[data-newsroom-embed]").evaluate(
        "f => f.getBoundingClientRect().height"
    )


def test_an_allowed_site_shows_the_blog_fitted_and_live(
    server: Any, newsroom: Any, new_context: Any, host_pages: Any
) -> None:
    site = host_pages()
    newsroom.allow_embedding(SLUG, [site.origin])
    page = new_context().new_page()
    page.goto(site.origin + "/")
    frame = page.frame_locator("iframe[data-newsroom-embed]")
    expect(frame.locator("#posts > li")).to_have_count(3)
    # It fits: the frame grows from the snippet's 640 px to its content, no scrollbar.
    wait_until(page, lambda: abs(frame_height(page) - content_height(page)) <= 1
               and frame_height(page) != 640, what="the frame to fit")  # fmt: skip
    before = frame_height(page)

    title = unique("Breaking: polls close in the West")
    newsroom.publish(title=title, body="<p>" + "A longer update. " * 40 + "</p>", blog=SLUG)

    expect(frame.locator("#posts > li").first).to_contain_text(title, timeout=LIVE_TIMEOUT_MS)
    expect(frame.locator("#posts > li")).to_have_count(3)  # the newest three, as asked
    wait_until(page, lambda: frame_height(page) > before + 50, what="the frame to grow")
    assert page.evaluate("window.scrollY") == 0  # the host page did not jump


def test_a_site_the_blog_does_not_list_cannot_frame_it(
    server: Any, newsroom: Any, new_context: Any, host_pages: Any
) -> None:
    allowed, other = host_pages(), host_pages()
    newsroom.allow_embedding(SLUG, [allowed.origin])
    page = new_context().new_page()
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text))
    page.goto(other.origin + "/")
    expect(page.locator("#after")).to_be_visible()
    page.wait_for_timeout(1000)

    frame = page.frame_locator("iframe[data-newsroom-embed]")
    expect(frame.locator("#posts")).to_have_count(0)
    assert any("frame-ancestors" in text for text in refused), refused
