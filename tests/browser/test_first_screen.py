"""The news on the first screen (issue: where readers look): on the demo, with its results
header, its summary and a pinned post, the newest post starts inside the first viewport
of a 1366 x 768 laptop and of a 390 x 844 phone. The results are one line per race that
opens into the full board, and stays open while the header is redrawn live."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .support import DEMO_SLUG, LIVE_TIMEOUT_MS, ROOT, wait_until

expect = pytest.importorskip(
    "playwright.sync_api", reason="Playwright for Python is not installed"
).expect

pytestmark = pytest.mark.browser

SCREENS = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
SCREENSHOTS = ROOT / "docs" / "screenshots"


@pytest.fixture
def pinned(newsroom: Any) -> Iterator[int]:
    """The demo's oldest post pinned (a long one, with a photo), unpinned after."""
    post = newsroom.visible_posts()[-1]
    newsroom.pin(post)
    yield post
    newsroom.unpin(post)


@pytest.mark.parametrize("screen", list(SCREENS))
def test_the_newest_post_starts_inside_the_first_screen(
    server: Any, new_context: Any, pinned: int, screen: str
) -> None:
    phone = screen == "phone"
    page = new_context(viewport=SCREENS[screen], is_mobile=phone, has_touch=phone).new_page()
    page.goto(server.page(f"/live/{DEMO_SLUG}/"))
    expect(page.locator("#pinned-box")).to_be_visible()
    expect(page.locator("#summary")).to_be_visible()
    expect(page.locator("#results .results-strip").first).to_be_visible()

    newest = page.locator("#posts > li").first.locator("article")
    box = newest.bounding_box()
    assert box is not None
    assert box["y"] < SCREENS[screen]["height"] - 48, (
        f"the newest post starts at y = {box['y']:.0f} px on a {screen} "
        f"({SCREENS[screen]['height']} px high)"
    )
    # What is shown compactly is there in full one click away.
    assert page.locator("#summary-points").evaluate("box => box.open") is not phone
    page.locator("#pinned-box > summary").click()
    expect(page.locator(f"#pinned-post-{pinned}")).to_be_visible()
    page.locator("#pinned-box > summary").click()
    page.screenshot(path=str(SCREENSHOTS / f"first-screen-{screen}.png"))


def test_a_race_opened_by_the_reader_stays_open_when_the_header_is_redrawn(
    server: Any, newsroom: Any, open_reader: Any
) -> None:
    reader = open_reader(server)
    race = reader.page.locator("#results details.results-race").first
    race.locator("> summary").click()
    expect(race.locator(".results-candidates")).to_be_visible()
    before = reader.applied_seq()

    newsroom.record_results({"Kamala Harris": (74_400_000, 226), "Donald Trump": (76_900_000, 312)})
    restore = {"Kamala Harris": (74_332_538, 226), "Donald Trump": (76_869_569, 312)}

    wait_until(reader.page, lambda: reader.applied_seq() > before, LIVE_TIMEOUT_MS / 1000,
               what="the new results")  # fmt: skip
    race = reader.page.locator("#results details.results-race").first
    expect(race).to_have_attribute("open", "")
    expect(race.locator(".results-pv").first).to_contain_text("74,400,000")
    reader.assert_not_reloaded()
    newsroom.record_results(restore)  # the demo's final figures again, for the tests after
