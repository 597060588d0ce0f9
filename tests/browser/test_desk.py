"""The live desk in a real Chromium: reporters file, editors approve and publish, and
every desk and reader page follows without a reload (issue: the live desk)."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from .support import BODY, DEMO_SLUG, DESK, LIVE_TIMEOUT_MS, ROOT, Counted, unique, wait_until

expect = pytest.importorskip(
    "playwright.sync_api", reason="Playwright for Python is not installed"
).expect

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "docs" / "screenshots"
PASSWORD = "desk-test-password"


@pytest.fixture(scope="module")
def colleagues(newsroom: Any) -> dict[str, str]:
    """A second editor (Holly Honderich) beside the demo's editor and reporter."""
    newsroom.staff_user("holly", "Editor", "Holly Honderich", PASSWORD)
    newsroom.staff_user("field", "Reporter", "Field Reporter", PASSWORD)
    return {"holly": PASSWORD, "field": PASSWORD}


def jpeg(path: Path, colour: str = "teal") -> Path:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (1200, 800), colour).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def queue_item(page: Any, title: str) -> Any:
    return page.locator("#region-queue .desk-item", has_text=title)


def timeline_item(page: Any, title: str) -> Any:
    return page.locator("#region-timeline .desk-timeline-item", has_text=title)


def display_time(seconds_ahead: float) -> str:
    """A ``datetime-local`` value that many seconds ahead, in the newsroom's zone."""
    zone = ZoneInfo("Europe/London")  # NEWSROOM_DISPLAY_TIME_ZONE's default
    at = datetime.now(zone) + timedelta(seconds=seconds_ahead)
    return at.strftime("%Y-%m-%dT%H:%M:%S")


def test_reporter_files_a_photo_post_and_an_editor_publishes_it_with_one_click(
    server: Any, open_desk: Any, open_reader: Any, tmp_path: Path
) -> None:
    reader = open_reader(server)
    editor = open_desk("editor")
    reporter = open_desk("reporter")
    title = unique("Queues at polling stations in Atlanta")

    filing = Counted(reporter)
    filing.fill("#id_title", title)
    filing.fill(BODY, "Voters waited up to two hours in Fulton County.")
    filing.files("#photo-picker", jpeg(tmp_path / "queue.jpg"))
    filing.fill('#photo-rows [name$="-alt"]', "Voters queue outside a school in Atlanta")
    filing.fill('#photo-rows [name$="-caption"]', "The queue stretched around the block")
    filing.fill('#photo-rows [name$="-credit"]', "Getty Images")
    filing.click("#compose button[value=submit]")
    assert filing.count <= 8, f"{filing.count} interactions to file a photo post"
    expect(reporter.locator("#desk-toast")).to_contain_text("submitted for approval")
    # The compose box is ready for the next post; the submission is in "My posts".
    expect(reporter.locator("#id_title")).to_have_value("")
    expect(queue_item(reporter, title)).to_be_visible()

    # The editor's queue shows it without a reload, with the reporter's byline and photo.
    arrived = queue_item(editor, title)
    expect(arrived).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(arrived).to_contain_text("Demo Reporter")
    with editor.expect_response(lambda r: "/publish/" in r.url) as published:
        arrived.get_by_role("button", name="Publish").click()
    assert published.value.status == 200
    expect(timeline_item(editor, title)).to_be_visible()

    card = reader.page.locator("article.post", has_text=title)
    expect(card).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(card.locator("img")).to_have_attribute("alt", "Voters queue outside a school in Atlanta")
    expect(card.locator(".credit")).to_contain_text("Getty Images")
    expect(card.locator("figcaption")).to_contain_text("The queue stretched around the block")
    expect(card.locator(".byline-role")).to_have_text("Reporting from Washington DC")
    reader.assert_not_reloaded()
    # …and the reporter's desk saw it move from "submitted" to the timeline, and said so.
    expect(timeline_item(reporter, title)).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(reporter.locator("#desk-toast")).to_contain_text(f"Your post “{title}” was published.")
    assert not editor.errors
    assert not reporter.errors


def test_a_refused_photo_is_named_beside_it_and_everything_else_is_kept(
    open_desk: Any, newsroom: Any, tmp_path: Path
) -> None:
    reporter = open_desk("reporter")
    title = unique("Three files from the count")
    reporter.fill("#id_title", title)
    reporter.locator(BODY).fill("Words that must survive.")
    notes = tmp_path / "notes.txt"
    notes.write_text("not a photo")
    fake = tmp_path / "fake.jpg"
    fake.write_bytes(b"<script>alert(1)</script>" * 10)  # a "photo" only by its name
    reporter.set_input_files("#photo-picker", [str(jpeg(tmp_path / "good.jpg")), str(notes),
                                               str(fake)])  # fmt: skip
    rows = reporter.locator("#photo-rows .photo-row")
    expect(rows).to_have_count(3)
    # Refused in the browser at once (wrong type), beside that file only.
    expect(rows.nth(1).locator(".field-error")).to_contain_text("notes.txt")
    expect(rows.nth(1).locator(".field-error")).to_contain_text("JPEG, PNG or WebP")
    # Refused by its contents (not an image at all, whatever its name), in the browser
    # before anything is sent (the server refuses it too), beside that file only.
    expect(rows.nth(2).locator(".field-error")).to_contain_text("not a JPEG, PNG or WebP image")
    rows.nth(0).locator('[name$="-alt"]').fill("Photo 0")
    reporter.click("#compose button[value=submit]")
    # A refused photo holds the submission back, said beside the buttons; nothing is lost.
    expect(reporter.locator("[data-compose-status]")).to_contain_text("refused photos")
    expect(rows.nth(2).locator(".field-error")).to_contain_text("image", ignore_case=True)
    expect(reporter.locator("#id_title")).to_have_value(title)
    wait_until(reporter, lambda: newsroom.post_state(title=title)["found"], timeout=5,
               what="the words to be saved as a draft")  # fmt: skip
    stored = newsroom.post_state(title=title)
    assert stored["status"] == "draft", "a refused photo must hold the submission back"
    assert "Words that must survive." in stored["body"]
    # Take the refused ones away and submit: the good photo goes with it, once.
    rows.nth(2).get_by_role("button", name="Remove").click()
    rows.nth(1).get_by_role("button", name="Remove").click()
    reporter.click("#compose button[value=submit]")
    expect(reporter.locator("#desk-toast")).to_contain_text("submitted for approval")
    stored = newsroom.post_state(title=title)
    assert (stored["status"], stored["images"]) == ("submitted", [["Photo 0", "", ""]])


def test_a_returned_draft_reaches_its_reporter_with_the_editors_note(
    open_desk: Any, newsroom: Any
) -> None:
    reporter = open_desk("reporter")
    editor = open_desk("editor")
    title = unique("Rural turnout figures")
    reporter.fill("#id_title", title)
    reporter.locator(BODY).fill("Turnout in rural counties, from the county clerks.")
    reporter.click("#compose button[value=submit]")
    expect(reporter.locator("#desk-toast")).to_contain_text("submitted")
    item = queue_item(editor, title)
    expect(item).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    item.get_by_role("button", name="Return to reporter…").click()
    editor.locator("#desk-dialog textarea[name=note]").fill("Needs a second source.")
    editor.locator("#desk-dialog").get_by_role("button", name="Return to reporter").click()
    expect(editor.locator("#desk-dialog")).to_be_hidden()
    draft = reporter.locator("#region-queue [data-list=drafts] .desk-item", has_text=title)
    expect(draft).to_contain_text("Needs a second source.", timeout=LIVE_TIMEOUT_MS)
    expect(reporter.locator("#desk-toast")).to_contain_text(
        f"Your post “{title}” was returned to you: the editor's note is in My drafts."
    )
    draft.get_by_role("button", name="Edit").click()
    expect(reporter.locator("#compose .desk-note")).to_contain_text("Needs a second source.")
    assert newsroom.post_state(title=title)["status"] == "draft"


def test_timeline_pin_correct_retract_and_schedule_reach_other_desks_and_readers(
    server: Any, newsroom: Any, colleagues: dict, open_desk: Any, open_reader: Any
) -> None:
    title = unique("Polls close in Georgia")
    post = newsroom.publish(title=title, body="<p>Polls have closed.</p>")
    reader = open_reader(server)
    editor = open_desk("editor")
    holly = open_desk("holly", colleagues["holly"])
    expect(timeline_item(editor, title)).to_be_visible(timeout=LIVE_TIMEOUT_MS)

    # Pin: the reader's pinned slot and Holly's desk follow.
    timeline_item(editor, title).get_by_role("button", name="Pin").first.click()
    expect(reader.page.locator("#pinned .pinned-title", has_text=title)).to_be_visible(
        timeout=LIVE_TIMEOUT_MS
    )
    expect(holly.locator("#region-timeline .desk-pinned", has_text=title)).to_be_visible(
        timeout=LIVE_TIMEOUT_MS
    )

    # Correct: opened in compose, saved with a note readers see.
    corrected = title + " (corrected)"
    timeline_item(editor, title).get_by_role("button", name="Correct").first.click()
    expect(editor.locator("#compose-heading")).to_have_text("Correct a published post")
    editor.fill("#id_title", corrected)
    editor.fill("#id_correction_note", "An earlier version gave the wrong time.")
    editor.click("#compose button[value=save]")
    expect(editor.locator("#desk-toast")).to_contain_text("saved")
    # Pinned, the post is shown once: in the pinned slot.
    expect(reader.page.locator(f"#pinned-post-{post['id']} .post-title")).to_have_text(
        corrected, timeout=LIVE_TIMEOUT_MS
    )
    expect(reader.page.locator(f"#pinned-post-{post['id']} .post-updated")).to_contain_text(
        "wrong time", timeout=LIVE_TIMEOUT_MS
    )
    expect(reader.page.locator(f"#post-{post['id']}")).to_have_count(0)
    expect(timeline_item(holly, corrected).first).to_be_visible(timeout=LIVE_TIMEOUT_MS)

    # Retract, with a reason in a dialog: gone from the reader's page and Holly's desk.
    editor.locator("#compose [data-new-post]").first.click()
    timeline_item(editor, corrected).first.get_by_role("button", name="Retract…").click()
    dialog = editor.locator("#desk-dialog")
    expect(dialog).to_be_visible()
    dialog.locator("textarea[name=reason]").fill("Published in error.")
    dialog.get_by_role("button", name="Retract").click()
    expect(dialog).to_be_hidden()
    expect(reader.page.locator(f"#pinned-post-{post['id']}")).to_have_count(
        0, timeout=LIVE_TIMEOUT_MS
    )
    expect(reader.item(post["id"])).to_have_count(0)
    expect(timeline_item(holly, corrected)).to_have_count(0, timeout=LIVE_TIMEOUT_MS)
    assert newsroom.post_state(post["id"])["status"] == "retracted"

    # Schedule a new post 10 s ahead: Holly sees it scheduled, then everyone sees it live.
    later = unique("Exit poll at the top of the hour")
    editor.fill("#id_title", later)
    editor.locator(BODY).fill("Scheduled from the desk.")
    editor.locator("#compose [data-schedule] summary").click()
    editor.fill("#id_publish_at", display_time(10))
    editor.click("#compose button[value=schedule]")
    expect(editor.locator("#desk-toast")).to_contain_text("scheduled")
    scheduled = holly.locator("#region-queue [data-list=scheduled] .desk-item", has_text=later)
    expect(scheduled).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(scheduled.locator(".desk-countdown")).to_contain_text("s)")
    expect(reader.page.locator("article.post", has_text=later)).to_be_visible(timeout=15_000)
    expect(timeline_item(holly, later)).to_be_visible(timeout=LIVE_TIMEOUT_MS + 1000)
    expect(scheduled).to_have_count(0, timeout=LIVE_TIMEOUT_MS)
    reader.assert_not_reloaded()
    assert not editor.errors
    assert not holly.errors


def test_two_editors_on_one_post_see_the_lock_and_a_stale_save_keeps_both_versions(
    server: Any, newsroom: Any, colleagues: dict, open_desk: Any
) -> None:
    title = unique("Turnout at record high")
    post = newsroom.publish(title=title, body="<p>Turnout is up.</p>")
    editor = open_desk("editor")
    holly = open_desk("holly", colleagues["holly"])

    timeline_item(editor, title).get_by_role("button", name="Correct").first.click()
    expect(editor.locator("#id_title")).to_have_value(title)
    timeline_item(holly, title).get_by_role("button", name="Correct").first.click()
    banner = holly.locator("[data-lock-banner]")
    expect(banner).to_contain_text("Demo Editor is editing this post")

    # Holly takes over; the first editor is told at once, and keeps what they typed.
    editor.fill("#id_title", "Mine: turnout at a record high")
    banner.get_by_role("button", name="Take over editing").click()
    expect(holly.locator("[data-lock-banner]")).to_have_count(0)
    expect(editor.locator("#desk-toast")).to_contain_text("Holly Honderich took over",
                                                            timeout=LIVE_TIMEOUT_MS)  # fmt: skip
    holly.fill("#id_title", "Theirs: turnout at a record high")
    holly.locator(BODY).fill("Turnout is up in every county.")
    holly.click("#compose button[value=save]")
    expect(holly.locator("#desk-toast")).to_contain_text("saved")

    # The first editor saves from the older version: refused, with both versions shown
    # field by field (the fields that differ, the changed words marked), nothing lost.
    editor.click("#compose button[value=save]")
    stale = editor.locator("[data-stale]")
    expect(stale).to_be_visible()
    expect(stale).to_contain_text("Nothing of yours was saved")
    asked = stale.locator("fieldset.desk-choice")
    expect(asked).to_have_count(2)  # the title and the body; label, byline, video the same
    title_choice, body_choice = asked.nth(0), asked.nth(1)
    expect(title_choice.locator("legend")).to_have_text("Title")
    yours, theirs = "label:has(input[value=mine])", "label:has(input[value=theirs])"
    expect(title_choice.locator(yours).locator("ins")).to_have_text(["Mine:"])
    expect(title_choice.locator(theirs).locator("ins")).to_have_text(["Theirs:"])
    expect(body_choice.locator(yours).locator("ins")).to_have_text(["up."])
    marked = body_choice.locator(theirs).locator("ins")
    expect(marked).to_have_text(["up", "in", "every", "county."])
    expect(editor.locator("#id_title")).to_have_value("Mine: turnout at a record high")
    assert newsroom.post_state(post["id"])["title"] == "Theirs: turnout at a record high"

    # Their body, my title: one choice per field, then one save on top of their version.
    body_choice.get_by_role("radio", name="Theirs:").check()
    stale.get_by_role("button", name="Save with these choices").click()
    wait_until(editor, lambda: newsroom.post_state(post["id"])["title"] == "Mine: turnout at a "
               "record high", timeout=5, what="the chosen version to be saved")  # fmt: skip
    stored = newsroom.post_state(post["id"])
    assert stored["body"] == "<p>Turnout is up in every county.</p>"
    expect(stale).to_be_hidden()


def test_a_draft_typed_offline_reaches_the_server_when_the_connection_returns(
    open_desk: Any, newsroom: Any
) -> None:
    reporter = open_desk("reporter")
    title = unique("Notes from the count in Maricopa")
    reporter.fill("#id_title", title)
    reporter.locator(BODY).fill("First paragraph, sent while online.")
    expect(reporter.locator("[data-compose-status]")).to_contain_text("Draft saved", timeout=5000)
    stored = newsroom.post_state(title=title)
    assert stored["status"] == "draft"

    reporter.context.set_offline(True)
    reporter.locator(BODY).press("End")
    reporter.keyboard.type(" Second sentence, typed with no connection.")
    expect(reporter.locator("[data-compose-status]")).to_contain_text("Offline", timeout=5000)
    expect(reporter.locator("#desk-connection")).to_contain_text("Offline")
    kept = json.loads(reporter.evaluate(
        f"localStorage.getItem('newsroom-desk:{DEMO_SLUG}:{stored['id']}')"))  # fmt: skip
    assert "typed with no connection" in kept["words"]["body"]

    reporter.context.set_offline(False)
    wait_until(reporter, lambda: "typed with no connection" in newsroom.post_state(
        stored["id"])["body"], timeout=10, what="the offline text to reach the server")  # fmt: skip
    body = newsroom.post_state(stored["id"])["body"]
    assert "First paragraph, sent while online." in body


def test_submit_pressed_offline_is_submitted_when_the_connection_returns(
    open_desk: Any, newsroom: Any
) -> None:
    """The intent survives the network: Submit pressed with no connection waits as a
    submission (said so), and reaches the editors' queue on reconnect, not as a draft."""
    reporter = open_desk("reporter")
    title = unique("Turnout in Fulton County")
    reporter.fill("#id_title", title)
    reporter.locator(BODY).fill("Turnout is at 71 per cent.")
    reporter.context.set_offline(True)
    reporter.click('#compose button[value="submit"]')
    expect(reporter.locator("[data-compose-status]")).to_contain_text(
        "Will be submitted for approval when the connection returns"
    )
    expect(reporter.locator("#compose")).to_have_attribute("data-waiting", "submit")
    # New post waits too: the box stays open until its action is taken.
    reporter.click("#compose [data-new-post]")
    expect(reporter.locator("#id_title")).to_have_value(title)
    assert newsroom.post_state(title=title).get("status") in (None, "draft")

    reporter.context.set_offline(False)
    wait_until(reporter, lambda: newsroom.post_state(title=title).get("status") == "submitted",
               timeout=10, what="the submission made offline to arrive")  # fmt: skip
    mine = reporter.locator("#region-queue [data-list=awaiting]", has_text=title)
    expect(mine).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(reporter.locator("#desk-toast")).to_contain_text("submitted")


def test_a_reporter_is_offered_no_editor_controls_and_forged_requests_are_refused(
    open_desk: Any, newsroom: Any, server: Any
) -> None:
    post = newsroom.publish(title=unique("Published by an editor"))
    reporter = open_desk("reporter")
    desk = reporter.locator("#desk")
    for name in ["Publish now", "Publish", "Schedule", "Schedule…", "Pin", "Unpin",
                 "Retract…", "Key event", "Correct"]:  # fmt: skip
        expect(desk.get_by_role("button", name=name, exact=True)).to_have_count(0)
    expect(reporter.locator("#id_key_event")).to_have_count(0)
    expect(reporter.locator("#id_summary-points, #summary-points")).to_have_count(0)

    token = json.loads(reporter.get_attribute("#desk", "data-hx-headers"))["X-CSRFToken"]
    headers = {"X-CSRFToken": token, "Referer": server.page(DESK)}
    for step, form in [("publish", {}), ("pin", {}), ("unpin", {}), ("mark_key_event", {}),
                       ("retract", {"reason": "forged"}),
                       ("schedule", {"publish_at": display_time(3600)})]:  # fmt: skip
        answer = reporter.request.post(server.page(f"{DESK}posts/{post['id']}/{step}/"),
                                       form=form, headers=headers)  # fmt: skip
        assert answer.status == 403, f"{step}: {answer.status}"
    state = newsroom.post_state(post["id"])
    assert state["status"] == "published"
    assert not state["pinned"]
    assert not state["key_event"]

    # Filing with "publish" as the action: the draft is kept, the publishing refused.
    title = unique("Forged publish")
    answer = reporter.request.post(server.page(f"{DESK}compose/save/"), headers=headers,
                                   form={"title": title, "action": "publish"})  # fmt: skip
    assert answer.status == 400
    assert "Only editors can publish" in answer.text()
    assert newsroom.post_state(title=title)["status"] == "draft"


SIZES = {"desktop": {"width": 1400, "height": 1000}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize(
    ("username", "viewport"), [("editor", "desktop"), ("editor", "phone"), ("reporter", "phone")]
)
def test_the_desk_has_no_axe_violations(open_desk: Any, axe_script: Path, username: str,
                                        viewport: str) -> None:  # fmt: skip
    from .test_accessibility import describe

    page = open_desk(username, viewport=SIZES[viewport], bypass_csp=True)
    page.add_script_tag(path=str(axe_script))
    violations = page.evaluate("async () => (await axe.run(document)).violations")
    assert violations == [], (
        f"axe-core on the desk ({username}, {viewport}):\n{describe(violations)}"
    )


def test_every_desk_action_is_reachable_from_the_keyboard(open_desk: Any, newsroom: Any) -> None:
    title = unique("Keyboard-filed post")
    page = open_desk("editor")
    page.keyboard.press("Alt+Shift+Digit1")
    assert page.evaluate("document.activeElement.id") == "compose-pane"
    page.keyboard.press("Tab")  # the first field of the compose box: the title
    assert page.evaluate("document.activeElement.id") == "id_title"
    page.keyboard.type(title)
    page.keyboard.press("Tab")  # one Tab: the body (the toolbar comes after it)
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Body"
    page.keyboard.type("Filed without a mouse.")
    # The toolbar is one Tab stop after the body; arrows move along it; Tab leaves it.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('[role=toolbar]') !== null")
    first = page.evaluate("document.activeElement.title || document.activeElement.textContent")
    page.keyboard.press("ArrowRight")
    second = page.evaluate("document.activeElement.title || document.activeElement.textContent")
    assert second != first
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('[role=toolbar]') === null")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#desk-toast")).to_contain_text("published")
    assert newsroom.post_state(title=title)["status"] == "published"
    # The timeline's buttons are plain buttons in the tab order (no mouse-only controls).
    page.keyboard.press("Alt+Shift+Digit3")
    assert page.evaluate("document.activeElement.id") == "timeline-pane"
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Pin":
            break
    else:
        raise AssertionError("Tab never reached a Pin button in the timeline")
    page.keyboard.press("Enter")
    expect(page.locator("#desk-toast")).to_contain_text("pinned")
    # "?" shows the shortcuts (outside a text field), none of them a browser's own keys.
    page.keyboard.press("?")
    dialog = page.locator("#desk-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Alt + Shift + 1 / 2 / 3")
    expect(dialog).not_to_contain_text("Ctrl/⌘ + Shift + P")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.focus("#id_title")
    page.keyboard.type("Why?")  # in a text field "?" is a question mark
    expect(page.locator("#id_title")).to_have_value("Why?")
    expect(dialog).to_be_hidden()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_desk_screenshots_for_the_docs(open_desk: Any, viewport: str) -> None:
    """The README's and docs' pictures of the desk, taken by the suite itself."""
    page = open_desk("editor", viewport=SIZES[viewport])
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the desk scrolls sideways by {overflow}px at {viewport} width"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"desk-{viewport}.png"))


def test_the_three_regions_share_one_laptop_screen_and_a_phone_has_tabs(open_desk: Any) -> None:
    laptop = open_desk("editor", viewport={"width": 1366, "height": 768})
    panes = ["#compose-pane", "#queue-pane", "#timeline-pane"]
    for pane in panes:
        box = laptop.locator(pane).bounding_box()
        assert box is not None
        assert box["y"] < 768 and box["y"] + box["height"] <= 768, (pane, box)  # noqa: PT018
    # Each scrolls on its own: the long ones scroll, the page itself hardly.
    assert laptop.evaluate("(() => { const p = document.getElementById('compose-pane');"
                           " return p.scrollHeight > p.clientHeight; })()")  # fmt: skip
    before = laptop.locator("#compose-pane").bounding_box()
    laptop.locator("#timeline-pane").evaluate("pane => { pane.scrollTop = 600; }")
    assert laptop.evaluate("document.getElementById('timeline-pane').scrollTop") > 0
    assert laptop.evaluate("window.scrollY") == 0  # the page stood still…
    assert laptop.locator("#compose-pane").bounding_box() == before  # …and so did compose

    phone = open_desk("editor", viewport={"width": 390, "height": 844})
    expect(phone.locator("#compose-pane")).to_be_visible()
    expect(phone.locator("#queue-pane")).to_be_hidden()
    phone.get_by_role("button", name="Queue", exact=True).click()
    expect(phone.locator("#queue-pane")).to_be_visible()
    expect(phone.locator("#compose-pane")).to_be_hidden()
    phone.get_by_role("button", name="Live page").click()
    expect(phone.locator("#timeline-pane")).to_be_visible()
