"""The Operations page in a real Chromium (issue 29: see it while it happens): an editor
watches a reader connect, a publish's delivery lag appear, and the wire feed turn stale
when the poller stops, without reloading the page."""

from __future__ import annotations

import re
from typing import Any

import pytest

from .support import DEMO_SLUG, unique

expect = pytest.importorskip(
    "playwright.sync_api", reason="Playwright for Python is not installed"
).expect

pytestmark = pytest.mark.browser


def test_the_operations_page_follows_readers_lag_and_the_feed(
    make_server: Any, newsroom: Any, editor_page: Any, open_reader: Any, feed: Any, settings: Any
) -> None:
    url = settings.NEWSROOM_RESULTS_FEED_URL  # the fake AP feed (tests/conftest.py)
    site = make_server("operations", NEWSROOM_RESULTS_FEED_URL=url,
                       NEWSROOM_RESULTS_FEED_STALE_SECONDS="4")  # fmt: skip
    assert "snapshot" in newsroom.poll_feed(url)  # the poller has just answered
    ops = editor_page(site)
    ops.goto(site.page("/admin/operations/"))
    readers = ops.locator(f'[data-ops-blog="{DEMO_SLUG}"] td')
    expect(readers).to_have_text("0")
    expect(ops.locator('[data-ops="feed"] dd')).to_contain_text("answered")
    expect(ops.locator('[data-ops="lag"] dd')).to_have_text("nothing delivered lately")

    reader = open_reader(site)
    expect(readers).to_have_text("1", timeout=10_000)

    newsroom.publish(title=unique("Polls close in Arizona"))
    expect(ops.locator('[data-ops="lag"] dd')).to_have_text(
        re.compile(r"^\d+ ms / \d+ ms$"), timeout=10_000
    )
    expect(ops.locator('[data-ops="events"] dd')).not_to_have_text("0")

    # The poller stops: four seconds on, the feed is called stale.
    expect(ops.locator('[data-ops="feed"]')).to_have_class("is-bad", timeout=10_000)
    expect(ops.locator('[data-ops="feed"] dd')).to_contain_text("stale: last answered")
    reader.assert_not_reloaded()
    assert ops.evaluate("performance.getEntriesByType('navigation').length") == 1
