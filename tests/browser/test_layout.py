"""Every page a newcomer opens fits a laptop (1366 px) and a phone (390 px): none is wider
than its window, and at laptop width no admin table hides a column behind a scrollbar.
The screenshots go to docs/screenshots/ (the README shows the reader page and the desk)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .support import DEMO_SLUG, ROOT

pytestmark = pytest.mark.browser
SCREENSHOTS = ROOT / "docs" / "screenshots"
WIDTHS = {"laptop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
PAGES = {
    "reader": f"/live/{DEMO_SLUG}/",
    "results": "/results/us-president-2024/",
    "admin-posts": "/admin/liveblog/post/",
    "admin-post": None,  # the newest demo post's change page (its id is looked up)
    "admin-race": None,
    "admin-calls": "/admin/results/winnercall/",
}
# At laptop width a changelist's table must show every column without its own scrollbar.
SIDEWAYS = """() => [...document.querySelectorAll('#changelist .results, .results-table')]
  .filter(e => e.scrollWidth > e.clientWidth + 1)
  .map(e => `${e.className}: ${e.scrollWidth} > ${e.clientWidth}`)"""


@pytest.mark.parametrize("width", list(WIDTHS))
def test_pages_fit_their_window_and_are_photographed(server, newsroom, editor_page, width):
    phone = width == "phone"
    page = editor_page(server, viewport=WIDTHS[width], is_mobile=phone, has_touch=phone)
    post_id = newsroom.visible_posts()[0]
    paths = dict(PAGES)
    paths["admin-post"] = f"/admin/liveblog/post/{post_id}/change/"
    page.goto(server.page("/admin/results/race/"))
    paths["admin-race"] = page.get_by_role(
        "link", name="US presidential election 2024"
    ).get_attribute("href")
    problems = []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, path in paths.items():
        assert path is not None
        response = page.goto(server.page(path))
        assert response.status == 200, (name, response.status)
        page.wait_for_load_state("load")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            problems.append(f"{name}: {overflow}px wider than the {width} window")
        if width == "laptop":
            problems += [f"{name}: {box}" for box in page.evaluate(SIDEWAYS)]
        shot: Path = SCREENSHOTS / f"{name}-{width}.png"
        page.screenshot(path=str(shot))
    assert problems == [], "\n".join(problems)
