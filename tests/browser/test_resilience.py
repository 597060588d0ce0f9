"""The live page survives a server restart, spans several server processes through Redis,
and keeps working through a Redis outage."""

from __future__ import annotations

import time

import pytest

from .support import (
    LIVE_TIMEOUT_MS,
    save_post_in_admin,
    start_post_in_admin,
    unique,
    wait_for_js,
    wait_until,
)

expect = pytest.importorskip(
    "playwright.sync_api", reason="Playwright for Python is not installed"
).expect

pytestmark = pytest.mark.browser


def assert_once_each_newest_first(reader, post_ids: list[int], previous_top: str) -> None:
    """The posts are on the page exactly once each, newest first, above what was on top."""
    for post_id in post_ids:
        expect(reader.item(post_id)).to_have_count(1)
    expected = [f"item-post-{post_id}" for post_id in reversed(post_ids)]
    ids = reader.item_ids()
    assert ids[: len(expected) + 1] == [*expected, previous_top], ids
    assert len(ids) == len(set(ids)), "a post is on the page twice"


def test_page_catches_up_after_a_server_restart(make_server, newsroom, open_reader):
    server = make_server("restart")
    reader = open_reader(server)
    # One change received live first, so the page resumes from a cursor of its own.
    before = newsroom.publish(title=unique("Published before the restart"))
    expect(reader.item(before["id"])).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(reader.page.locator("#live")).to_have_attribute("data-seq", str(before["seq"]))
    previous_top = f"item-post-{before['id']}"

    server.stop()
    titles = [unique(f"Published while the server was down {n}") for n in (1, 2, 3)]
    posts = [newsroom.publish(title=title) for title in titles]
    server.start()  # same port

    for post in posts:
        expect(reader.item(post["id"])).to_be_visible(timeout=10_000)
    assert_once_each_newest_first(reader, [p["id"] for p in posts], previous_top)
    expect(reader.page.locator("#live")).to_have_attribute(
        "data-seq", str(newsroom.last_seq()), timeout=5_000
    )
    reader.assert_not_reloaded()
    assert not reader.errors


def test_two_processes_share_changes_through_redis(
    make_server, redis_server, newsroom, open_reader, editor_page
):
    # A slow safety poll, so that only pub/sub can deliver within the time allowed.
    slow = {"REDIS_URL": redis_server.url, "NEWSROOM_LIVE_POLL_SECONDS": "30"}
    server_a = make_server("a", **slow)
    server_b = make_server("b", **slow)
    reader = open_reader(server_b)
    # B subscribes when its first reader connects.
    wait_until(reader.page, lambda: redis_server.subscribers() >= 1)

    editor = editor_page(server_a)
    title = unique("Published on server A")
    start_post_in_admin(editor, server_a, title)
    editor.keyboard.type("One process publishes, another's readers see it.")
    post_id = save_post_in_admin(editor)
    editor.goto(server_a.page(f"/admin/liveblog/post/{post_id}/do/publish/"))
    with editor.expect_response(
        lambda r: r.request.method == "POST" and f"/{post_id}/do/publish/" in r.url
    ) as published:
        editor.click("input[type=submit][value='Publish now']")
    assert published.value.status == 302

    expect(reader.item(post_id)).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(reader.item(post_id)).to_have_count(1)
    expect(reader.page.locator(f"#post-{post_id} .post-title")).to_have_text(title)
    reader.assert_not_reloaded()
    assert not reader.errors


def test_redis_outage_falls_back_to_the_database_poll(
    make_server, redis_server, newsroom, open_reader, new_context
):
    server = make_server("redis-outage", REDIS_URL=redis_server.url)
    reader = open_reader(server)
    wait_until(reader.page, lambda: redis_server.subscribers() >= 1)

    redis_server.stop()
    # The page still loads, promptly.
    fresh = new_context().new_page()
    started = time.monotonic()
    response = fresh.goto(server.page("/live/us-election-2024/"))
    load_seconds = time.monotonic() - started
    assert response is not None
    assert response.status == 200
    assert load_seconds < 5, f"the page took {load_seconds:.1f}s to load while Redis was down"
    wait_for_js(fresh, "window.__live.opens > 0")

    during = newsroom.publish(title=unique("Published during the Redis outage"))
    expect(reader.item(during["id"])).to_be_visible(timeout=8_000)
    expect(fresh.locator(f"#item-post-{during['id']}")).to_be_visible(timeout=8_000)

    redis_server.start()  # same port
    after = newsroom.publish(title=unique("Published after Redis came back"))
    expect(reader.item(after["id"])).to_be_visible(timeout=10_000)
    expect(fresh.locator(f"#item-post-{after['id']}")).to_be_visible(timeout=10_000)

    for page in (reader.page, fresh):
        for post in (during, after):
            expect(page.locator(f"#item-post-{post['id']}")).to_have_count(1)
        ids = page.eval_on_selector_all("#posts > li.posts-item", "items => items.map(i => i.id)")
        assert ids[:2] == [f"item-post-{after['id']}", f"item-post-{during['id']}"]
        assert len(ids) == len(set(ids))
    # The server subscribes again once Redis is back.
    wait_until(reader.page, lambda: redis_server.subscribers() >= 1, timeout=15)
    reader.assert_not_reloaded()
    assert not reader.errors
