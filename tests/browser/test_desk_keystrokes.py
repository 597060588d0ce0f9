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
    """Where the title is on the screen now, as the editor sees it: the first box (old or
    new) that is on the screen, asked again if the box was replaced while being measured
    (the race this file is about). A title scrolled out of sight (Playwright scrolls to
    the New post button under the form) cannot be clicked by anyone; clicking at its
    off-screen place only lands on the page."""
    height = page.viewport_size["height"]
    for _ in range(500):
        box = page.locator("#id_title").bounding_box()
        if box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height:
            return dict(box)
    raise AssertionError("the title never came on the screen to be clicked")


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
    editor.click("#compose [data-new-post]")
    editor.keyboard.type("Next", delay=20)  # at once, while the box changes hands
    box = title_box(editor)  # then a click on the title where it is on the screen
    editor.mouse.click(box["x"] + box["width"] - 10, box["y"] + box["height"] / 2)
    editor.keyboard.type(" update", delay=20)

    expect(editor.locator("#compose")).to_have_attribute("data-status", "new", timeout=10_000)
    expect(editor.locator("#id_title")).to_have_value("Next update", timeout=10_000)
    assert newsroom.post_state(post["id"])["title"] == title  # nothing went into the old post
    for key, copy in kept_in_browser(editor).items():
        if key != f"newsroom-desk:{DEMO_SLUG}:new":
            assert "Next" not in json.dumps(copy), key
            assert "N" + title not in json.dumps(copy), key
    # The new post's own draft is saved as typed (autosave), with every character.
    wait_until(editor, lambda: newsroom.post_state(title="Next update")["found"], timeout=15,
               what="the new post's draft")  # fmt: skip
    assert newsroom.post_state(post["id"])["title"] == title


def test_a_click_on_the_box_while_it_changes_hands_leaves_the_cursor_in_the_new_title(
    open_desk: Any,
) -> None:
    """Clicked while the old box is inert (the click lands on the pane), the keys typed once
    the new box is there still reach its title (they went nowhere)."""
    editor = open_desk("editor")
    slow_down(editor, NETWORKS["slowed"])
    editor.fill("#id_title", unique("Polls open"))
    editor.click("#compose [data-new-post]")
    box = title_box(editor)
    editor.mouse.click(box["x"] + 20, box["y"] + box["height"] / 2)  # on the inert old box
    expect(editor.locator("#id_title")).to_have_value("", timeout=10_000)  # the new box
    editor.keyboard.type("After the switch", delay=20)
    expect(editor.locator("#id_title")).to_have_value("After the switch")


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


def test_a_post_with_only_a_headline_asks_once_before_it_goes_out(
    open_desk: Any, newsroom: Any
) -> None:
    editor = open_desk("editor")
    asked: list[str] = []

    def answer(dialog: Any, accept: bool) -> None:
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    title = unique("Polls close in Georgia")
    editor.fill("#id_title", title)
    editor.once("dialog", lambda d: answer(d, accept=False))
    with editor.expect_event("dialog"):
        editor.click('#compose button[value="publish"]')
    expect(editor.locator("#id_title")).to_have_value(title)
    assert asked == ["Publish a post with only a headline (no text, photo, video or embed)?"]
    assert newsroom.post_state(title=title).get("status") != "published"

    editor.once("dialog", lambda d: answer(d, accept=True))
    with editor.expect_event("dialog"):
        editor.click('#compose button[value="publish"]')
    wait_until(editor, lambda: newsroom.post_state(title=title).get("status") == "published",
               timeout=10, what="the headline, published once asked")  # fmt: skip
    assert len(asked) == 2


def test_the_queue_asks_before_publishing_a_headline_only_submission(
    open_desk: Any, newsroom: Any
) -> None:
    title = unique("Headline only")
    post = newsroom.draft(title=title, body="")
    editor = open_desk("editor")
    card = editor.locator(f'#region-queue [data-post="{post["id"]}"]')
    expect(card).to_be_visible()
    asked: list[str] = []
    editor.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    with editor.expect_event("dialog"):
        card.get_by_role("button", name="Publish", exact=True).click()
    expect(card).to_be_visible()
    assert len(asked) == 1
    assert "has only a headline" in asked[0]
    assert newsroom.post_state(post["id"])["status"] == "draft"


def test_an_abandoned_start_stays_in_the_browser_not_in_my_drafts(
    open_desk: Any, newsroom: Any
) -> None:
    editor = open_desk("editor")
    editor.locator("#id_title").type("ext", delay=20)
    editor.wait_for_timeout(2500)  # twice the autosave's pause
    assert not newsroom.post_state(title="ext")["found"]
    kept = kept_in_browser(editor)[f"newsroom-desk:{DEMO_SLUG}:new"]
    assert kept["words"]["title"] == "ext"  # nothing lost: it is kept here


def test_a_refused_photo_keeps_its_message_after_an_autosave_and_contents_are_checked(
    open_desk: Any, newsroom: Any
) -> None:
    reporter = open_desk("reporter")
    title = unique("Queues at the count centre")
    reporter.fill("#id_title", title)
    reporter.locator(BODY).fill("Long queues.")
    big = {
        "name": "crowd.jpg",
        "mimeType": "image/jpeg",
        "buffer": b"\xff\xd8\xff" + b"0" * 30_000_000,
    }
    fake = {"name": "results.jpg", "mimeType": "image/jpeg", "buffer": b"Name,Votes\nHarris,1\n"}
    reporter.set_input_files("#photo-picker", [big, fake])
    rows = reporter.locator("#photo-rows .photo-row")
    expect(rows.nth(0)).to_contain_text("is 29 MB; photos can be up to 15 MB")
    expect(rows.nth(1)).to_contain_text("is not a JPEG, PNG or WebP image")  # by its bytes

    reporter.locator(BODY).press("End")
    reporter.keyboard.type(" More.")  # an autosave follows
    expect(reporter.locator("[data-compose-status]")).to_contain_text("Draft saved", timeout=5000)
    expect(rows.nth(0)).to_contain_text("is 29 MB; photos can be up to 15 MB")  # still there
    expect(rows.nth(1)).to_contain_text("is not a JPEG, PNG or WebP image")
    assert newsroom.post_state(title=title)["images"] == []  # neither was sent
