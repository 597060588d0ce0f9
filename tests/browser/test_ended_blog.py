"""Ending a blog tells open pages, which then stop listening; new readers never listen."""

from __future__ import annotations

import uuid

import pytest

from .support import wait_for_js

expect = pytest.importorskip(
    "playwright.sync_api", reason="Playwright for Python is not installed"
).expect

pytestmark = pytest.mark.browser

ENDED_TEXT = "This live coverage has ended"


def test_ending_a_blog_stops_open_pages_and_fresh_loads_do_not_connect(
    server, newsroom, open_reader
):
    # A blog of the test's own, so that the demo blog stays live for the other tests.
    slug = f"ending-{uuid.uuid4().hex[:8]}"
    newsroom.create_blog(slug=slug, title="Coverage that ends")
    post = newsroom.publish(title="The last post before the end", blog=slug)

    reader = open_reader(server, slug=slug)
    page = reader.page
    expect(reader.item(post["id"])).to_have_count(1)
    expect(page.locator("#blog-status")).not_to_contain_text(ENDED_TEXT)
    streams_before = len(reader.stream_requests())
    assert streams_before == 1

    ended = newsroom.end_blog(blog=slug)
    expect(page.locator("#blog-status")).to_contain_text(ENDED_TEXT, timeout=2_000)
    expect(page.locator("#blog-status .status-live")).to_have_count(0)
    # The page has stopped its connection: no attribute to reconnect from, the source
    # closed, and no new request over longer than the stream's retry interval (2 s).
    expect(page.locator("#live")).not_to_have_attribute("data-sse-connect", "")
    assert page.get_attribute("#live", "data-sse-connect") is None
    wait_for_js(page, "window.__live.closes > 0", timeout=2)
    page.wait_for_timeout(3_000)
    assert len(reader.stream_requests()) == streams_before, reader.stream_requests()
    assert not [url for url in reader.requests if "/changes/" in url]
    assert reader.applied_seq() == ended["seq"]
    expect(reader.item(post["id"])).to_have_count(1)  # the coverage stays readable
    reader.assert_not_reloaded()
    assert not reader.errors

    fresh = open_reader(server, slug=slug, wait_for_stream=False)
    expect(fresh.page.locator("#blog-status")).to_contain_text(ENDED_TEXT)
    assert fresh.page.get_attribute("#live", "data-sse-connect") is None
    assert fresh.page.get_attribute("#live", "data-live") is None
    fresh.page.wait_for_timeout(2_500)
    assert fresh.stream_requests() == []
    assert not [url for url in fresh.requests if "/changes/" in url]
    expect(fresh.item(post["id"])).to_have_count(1)
