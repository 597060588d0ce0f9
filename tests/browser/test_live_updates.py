"""An open live page follows the newsroom: publish, edit, retract, pin, summary, results."""

from __future__ import annotations

import re
import uuid

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


def test_post_published_in_the_admin_appears_on_an_open_page(server, open_reader, editor_page):
    reader = open_reader(server)
    editor = editor_page(server)
    title = unique("Admin-published post")

    # File the post…
    start_post_in_admin(editor, server, title)
    editor.keyboard.type("Filed and published through the admin.")
    post_id = save_post_in_admin(editor)
    expect(reader.item(post_id)).to_have_count(0)  # a draft is not public

    # …and publish it with the workflow step (confirmation page, then POST).
    editor.click("a.workflow-step[data-step=publish]")
    # The step carries the version the editor reviewed on the post page.
    expect(editor).to_have_url(
        re.compile(rf"/admin/liveblog/post/{post_id}/do/publish/\?version=\d+$")
    )
    with editor.expect_response(
        lambda r: r.request.method == "POST" and f"/{post_id}/do/publish/" in r.url
    ) as published:
        editor.click("input[type=submit][value='Publish now']")
    assert published.value.status == 302
    expect(reader.item(post_id)).to_be_visible(timeout=LIVE_TIMEOUT_MS)

    expect(reader.item(post_id)).to_have_count(1)
    expect(reader.page.locator(f"#post-{post_id} .post-title")).to_have_text(title)
    assert reader.item_ids()[0] == f"item-post-{post_id}", "the new post is not on top"
    reader.assert_not_reloaded()
    assert not reader.errors


def test_publish_edit_and_retract_update_the_page_in_place(server, newsroom, open_reader):
    reader = open_reader(server)
    first_title, second_title = unique("Polls close in Ohio"), unique("Turnout record")

    first = newsroom.publish(title=first_title)
    expect(reader.item(first["id"])).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    second = newsroom.publish(title=second_title)
    expect(reader.item(second["id"])).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    ids = reader.item_ids()
    assert ids[:2] == [f"item-post-{second['id']}", f"item-post-{first['id']}"]

    # An edit of the older of the two: new words, same card slot, one copy.
    new_title = unique("Polls closed in Ohio")
    newsroom.edit(first["id"], title=new_title, note="Corrected the headline")
    title = reader.page.locator(f"#item-post-{first['id']} .post-title")
    expect(title).to_have_text(new_title, timeout=LIVE_TIMEOUT_MS)
    expect(reader.item(first["id"])).to_have_count(1)
    expect(reader.page.locator(f"#item-post-{first['id']} .post-updated")).to_contain_text(
        "Corrected the headline"
    )
    assert reader.item_ids() == ids, "the edited card moved or the list changed"

    # A retraction takes it off the page.
    newsroom.retract(first["id"])
    expect(reader.item(first["id"])).to_have_count(0, timeout=LIVE_TIMEOUT_MS)
    expect(reader.page.locator(f"#post-{first['id']}")).to_have_count(0)
    assert reader.item_ids() == [i for i in ids if i != f"item-post-{first['id']}"]
    assert reader.applied_seq() == newsroom.last_seq()
    reader.assert_not_reloaded()
    assert not reader.errors


def test_pin_and_unpin(server, newsroom, open_reader):
    """A pinned post is shown once (in the pinned slot, not again as the newest post of
    the stream); unpinned, it goes back to its place in the stream."""
    reader = open_reader(server)
    title = unique("Pinned: how to follow tonight")
    post = newsroom.publish(title=title)
    expect(reader.item(post["id"])).to_be_visible(timeout=LIVE_TIMEOUT_MS)

    pinned_slot = reader.page.locator("#pinned")
    newsroom.pin(post["id"])
    expect(pinned_slot).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(pinned_slot.locator(f"#pinned-post-{post['id']}")).to_have_count(1)
    expect(pinned_slot.locator("article")).to_have_count(1)
    expect(reader.item(post["id"])).to_have_count(0)  # one copy on the page
    expect(reader.page.locator(".post-title", has_text=title)).to_have_count(1)

    # A fresh load agrees with the live page.
    fresh = open_reader(server)
    expect(fresh.page.locator(".post-title", has_text=title)).to_have_count(1)
    expect(fresh.page.locator(f"#pinned-post-{post['id']}")).to_have_count(1)

    newsroom.unpin(post["id"])
    expect(pinned_slot).to_be_hidden(timeout=LIVE_TIMEOUT_MS)
    expect(reader.page.locator(f"#pinned-post-{post['id']}")).to_have_count(0)
    expect(reader.item(post["id"])).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
    # Back in its place (the newest), and the stream is what a fresh load shows (a post
    # another test had pinned came back into the stream when this one took the slot).
    assert reader.item_ids()[0] == f"item-post-{post['id']}"
    fresh = open_reader(server).item_ids()
    assert reader.item_ids()[: len(fresh)] == fresh
    reader.assert_not_reloaded()
    assert not reader.errors


def test_summary_change_shows(server, newsroom, open_reader):
    reader = open_reader(server)
    points = [unique("Key point one"), unique("Key point two")]
    newsroom.set_summary(points)
    summary = reader.page.locator("#summary li")
    expect(summary).to_have_text(points, timeout=LIVE_TIMEOUT_MS)
    expect(reader.page.locator("#summary")).to_have_count(1)
    expect(reader.page.locator("#summary")).to_be_visible()
    reader.assert_not_reloaded()


def test_results_snapshot_updates_the_header(server, newsroom, open_reader):
    reader = open_reader(server)
    trump, harris = 77_000_000 + uuid.uuid4().int % 999_999, 70_000_000 + uuid.uuid4().int % 999
    newsroom.record_results({"Donald Trump": (trump, 312), "Kamala Harris": (harris, 226)})
    results = reader.page.locator("#results")
    expect(results.locator(".results-pv").first).to_contain_text(
        re.compile(rf"{harris:,}|{trump:,}"), timeout=LIVE_TIMEOUT_MS
    )
    expect(results).to_have_count(1)
    expect(results.locator(".results-candidate")).to_have_count(2)
    expect(results).to_contain_text(f"{trump:,} votes")
    expect(results).to_contain_text(f"{harris:,} votes")
    expect(results.locator(".results-winner")).to_have_text("TRUMP WINS")
    reader.assert_not_reloaded()


def test_scrolled_reader_gets_a_button_instead_of_a_jump(server, newsroom, open_reader):
    reader = open_reader(server)
    page = reader.page
    button = page.locator("#new-posts")
    expect(button).to_be_hidden()

    # Scroll well into the posts: the 6th card's top at the top of the viewport.
    anchor = page.locator("#posts > li.posts-item").nth(5)
    anchor_id = anchor.get_attribute("id")
    page.evaluate(
        "id => window.scrollTo(0, document.getElementById(id).getBoundingClientRect().top"
        " + window.scrollY)",
        anchor_id,
    )
    wait_for_js(page, "window.scrollY > 500")
    # The reader's place: the page's scroll offset and where the card they read sits.
    where = "id => [window.scrollY, document.getElementById(id).getBoundingClientRect().top]"
    before = page.evaluate(where, anchor_id)
    items_before = reader.item_ids()

    first = newsroom.publish(title=unique("While you were reading"))
    expect(button).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(button).to_have_text("1 new post")
    second = newsroom.publish(title=unique("And another"))
    expect(button).to_have_text("2 new posts", timeout=LIVE_TIMEOUT_MS)
    expect(reader.item(first["id"])).to_have_count(0)
    expect(reader.item(second["id"])).to_have_count(0)
    assert reader.item_ids() == items_before
    after = page.evaluate(where, anchor_id)
    assert after == before, f"the reader was moved: (scrollY, card top) {before} -> {after}"

    button.click()
    expect(button).to_be_hidden()
    expect(reader.item(first["id"])).to_have_count(1)
    expect(reader.item(second["id"])).to_have_count(1)
    assert reader.item_ids()[:2] == [f"item-post-{second['id']}", f"item-post-{first['id']}"]
    assert reader.item_ids()[2:] == items_before

    # At the top of the page a new post goes straight in.
    page.evaluate("window.scrollTo(0, 0)")
    wait_for_js(page, "window.scrollY === 0")
    page.wait_for_timeout(100)
    third = newsroom.publish(title=unique("Straight in"))
    expect(reader.item(third["id"])).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(button).to_be_hidden()
    assert reader.item_ids()[0] == f"item-post-{third['id']}"
    reader.assert_not_reloaded()
    assert not reader.errors


def test_polling_fallback_delivers_the_same_changes(server, newsroom, open_reader):
    reader = open_reader(server, "?live=poll")
    page = reader.page
    assert page.get_attribute("#live", "data-live") == "poll"
    assert page.get_attribute("#live", "data-sse-connect") is None
    # The first poll goes out at once: wait for it, so the timings below are steady.
    wait_until(page, lambda: any("/changes/?since=" in url for url in reader.requests))

    post = newsroom.publish(title=unique("Polled post"))
    expect(reader.item(post["id"])).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    new_title = unique("Polled post, edited")
    newsroom.edit(post["id"], title=new_title)
    expect(page.locator(f"#post-{post['id']} .post-title")).to_have_text(
        new_title, timeout=LIVE_TIMEOUT_MS
    )
    expect(reader.item(post["id"])).to_have_count(1)
    newsroom.retract(post["id"])
    expect(reader.item(post["id"])).to_have_count(0, timeout=LIVE_TIMEOUT_MS)

    assert reader.stream_requests() == [], "the polling page opened an event stream"
    polls = [url for url in reader.requests if "/changes/?since=" in url]
    assert len(polls) >= 3
    assert reader.applied_seq() == newsroom.last_seq()
    reader.assert_not_reloaded()
    assert not reader.errors
