""" "Share" copies the post's link where the device has no share sheet (no third party)."""

from __future__ import annotations

import pytest

from .support import DEMO_SLUG

expect = pytest.importorskip(
    "playwright.sync_api", reason="Playwright for Python is not installed"
).expect

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("where", ["live page", "permalink"])
def test_share_copies_the_posts_link(server, newsroom, new_context, where):
    context = new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    post_id = newsroom.visible_posts()[0]
    path = f"/live/{DEMO_SLUG}/" if where == "live page" else f"/live/{DEMO_SLUG}/posts/{post_id}/"
    page.goto(server.page(path))
    assert page.evaluate("typeof navigator.share") == "undefined"  # Linux Chromium: copy
    share = page.locator(f'[id$="post-{post_id}"] a[data-share]').first
    share.click()
    expect(page.locator(".share-note").first).to_have_text(" Link copied")
    assert page.evaluate("navigator.clipboard.readText()") == server.page(
        f"/live/{DEMO_SLUG}/posts/{post_id}/"
    )
    assert page.url == server.page(path)  # the page stayed where it was
