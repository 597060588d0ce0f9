"""What a reader (and a member of staff) meets around the live page: a removed post's
permalink, an empty key-events view, a draft's preview."""

from __future__ import annotations

import pytest

from .support import LIVE_TIMEOUT_MS, unique

expect = pytest.importorskip(
    "playwright.sync_api", reason="Playwright for Python is not installed"
).expect

pytestmark = pytest.mark.browser


def test_a_retracted_posts_permalink_is_a_410_page_saying_when(server, newsroom, new_context):
    post = newsroom.publish(title=unique("Soon retracted"))
    newsroom.retract(post["id"], reason="Wrong county")
    page = new_context().new_page()
    response = page.goto(server.page(f"/live/us-election-2024/posts/{post['id']}/"))
    assert response.status == 410
    expect(page.locator("h1")).to_have_text("This post was removed")
    note = page.locator(".gone p").first
    expect(note).to_contain_text("It was removed by the editors at ")
    expect(note.locator("abbr[title]")).to_have_count(1)  # the zone, spelled out
    expect(page.locator(".gone a")).to_have_attribute("href", "/live/us-election-2024/")
    expect(page.locator("footer")).to_be_visible()  # the site's own page, not a debug one


def test_key_events_view_of_a_blog_without_any_says_so(server, newsroom, new_context):
    slug = f"quiet-{unique('b').split()[-1].lower()}"
    newsroom.create_blog(slug=slug, title="A quiet night")
    newsroom.publish(title=unique("An ordinary post"), blog=slug)
    page = new_context().new_page()
    page.goto(server.page(f"/live/{slug}/?filter=key-events"))
    expect(page.locator(".posts-empty")).to_have_text("No key events yet.")
    expect(page.locator('.post-filter a[aria-current="page"]')).to_have_text("Key events")
    page.goto(server.page(f"/live/{slug}/"))
    expect(page.locator(".posts-empty")).to_have_count(0)


def test_staff_preview_a_draft_that_the_public_cannot_see(server, newsroom, new_context,
                                                          editor_page):  # fmt: skip
    title = unique("Draft under review")
    draft = newsroom.draft(title=title)
    url = server.page(draft["url"])

    reader = new_context().new_page()
    assert reader.goto(url).status == 404
    expect(reader.locator("body")).not_to_contain_text(title)

    editor = editor_page(server)
    response = editor.goto(url)
    assert response.status == 200
    assert "no-store" in response.headers["cache-control"]
    expect(editor.locator(".preview-banner")).to_contain_text("Preview: not published.")
    expect(editor.locator(".post-title")).to_have_text(title, timeout=LIVE_TIMEOUT_MS)

    # The admin's "View on site" leads to the same preview.
    editor.goto(server.page(f"/admin/liveblog/post/{draft['id']}/change/"))
    with editor.expect_navigation():
        editor.click("a.viewsitelink")
    assert editor.url == url
    expect(editor.locator(".preview-banner")).to_be_visible()
