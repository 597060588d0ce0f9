"""Every keystroke lands where the editor sees the cursor: typing at machine speed (20 ms
a key) right after a click that changes the compose box (New post, Publish), on an idle
and on a slowed network (Chromium's emulation, 600 ms a request), puts every character
in the intended post, none in another post or its copy in the browser."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .support import BODY, DEMO_SLUG, unique, wait_until
from .test_desk import timeline_item

expect = pytest.importorskip(
    "playwright.sync_api", reason="Playwright for Python is not installed"
).expect

pytestmark = pytest.mark.browser
NETWORKS = {"idle": 0, "slowed": 600}  # added latency per request, ms


def slow_down(page: Any, latency: int) -> None:
    if latency:
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", {
            "offline": False, "latency": latency, "downloadThroughput": -1,
            "uploadThroughput": -1,
        })  # fmt: skip


def kept_in_browser(page: Any) -> dict[str, Any]:
    """Every copy of a post the desk keeps in this browser, by key."""
    kept: dict[str, Any] = page.evaluate("""() => Object.fromEntries(Object.keys(localStorage)
        .filter((key) => key.startsWith('newsroom-desk:'))
        .map((key) => [key, JSON.parse(localStorage.getItem(key))]))""")
    return kept


def title_box(page: Any) -> dict[str, float]:
    box = page.locator("#id_title").bounding_box()
    assert box is not None
    return box


@pytest.mark.parametrize("network", list(NETWORKS))
def test_typing_at_once_after_new_post_lands_in_the_new_post(
    open_desk: Any,
    newsroom: Any,
    network: str,
) -> None:
    title = unique("Polls close in Georgia")
    post = newsroom.publish(title=title, body="<p>At 7 p.m.</p>")
    editor = open_desk("editor")
    slow_down(editor, NETWORKS[network])

    # Correct a post and save the correction, then New post and type at once.
    timeline_item(editor, title).get_by_role("button", name="Correct").first.click()
    expect(editor.locator("#id_title")).to_have_value(title, timeout=10_000)
    editor.fill("#id_correction_note", "Time checked.")
    editor.click("#compose button[value=save]")
    expect(editor.locator("#desk-toast")).to_contain_text("saved", timeout=10_000)
    box = title_box(editor)
    editor.click("#compose [data-new-post]")
    editor.mouse.click(box["x"] + 20, box["y"] + box["height"] / 2)  # at once, where it was
    editor.keyboard.type("Next", delay=20)

    expect(editor.locator("#compose")).to_have_attribute("data-status", "new", timeout=10_000)
    expect(editor.locator("#id_title")).to_have_value("Next", timeout=10_000)
    assert newsroom.post_state(post["id"])["title"] == title  # nothing went into the old post
    for key, copy in kept_in_browser(editor).items():
        if key != f"newsroom-desk:{DEMO_SLUG}:new":
            assert "Next" not in json.dumps(copy), key
            assert "N" + title not in json.dumps(copy), key
    # The new post's own draft is saved as typed (autosave), with every character.
    wait_until(editor, lambda: newsroom.post_state(title="Next")["found"], timeout=15,
               what="the new post's draft")  # fmt: skip
    assert newsroom.post_state(post["id"])["title"] == title


@pytest.mark.parametrize("network", list(NETWORKS))
def test_typing_at_once_after_publish_lands_in_the_next_post(
    open_desk: Any,
    newsroom: Any,
    network: str,
) -> None:
    editor = open_desk("editor")
    slow_down(editor, NETWORKS[network])
    first = unique("Queues in Atlanta")
    editor.fill("#id_title", first)
    editor.locator(BODY).fill("Long lines at 7 p.m.")
    editor.click('#compose button[value="publish"]')
    editor.keyboard.type("Second post", delay=20)  # at once, before the box changes hands

    expect(editor.locator("#id_title")).to_have_value("Second post", timeout=10_000)
    expect(editor.locator("#compose")).to_have_attribute("data-status", "new")
    wait_until(editor, lambda: newsroom.post_state(title=first)["status"] == "published",
               timeout=10, what="the first post to be published")  # fmt: skip
    stored = newsroom.post_state(title=first)
    assert stored["title"] == first
    assert "Second" not in stored["body"]
    for key, copy in kept_in_browser(editor).items():
        if key != f"newsroom-desk:{DEMO_SLUG}:new":
            assert "Second" not in json.dumps(copy), key


def test_new_post_is_always_blank_never_an_abandoned_start(open_desk: Any) -> None:
    editor = open_desk("editor")
    editor.locator("#id_title").type("ab", delay=20)  # an abandoned start, kept locally
    editor.click("#compose [data-new-post]")
    expect(editor.locator("#compose")).to_have_attribute("data-status", "new")
    editor.wait_for_selector(BODY)
    expect(editor.locator("#id_title")).to_have_value("")
    expect(editor.locator("[data-compose-status]")).not_to_contain_text("Restored")
