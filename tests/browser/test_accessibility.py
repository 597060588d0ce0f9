"""Accessibility: axe-core on the live page, a permalink and the index; keyboard use."""

from __future__ import annotations

import pytest

from .support import DEMO_SLUG

expect = pytest.importorskip(
    "playwright.sync_api", reason="Playwright for Python is not installed"
).expect

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['failureSummary'].splitlines()[-1]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    … and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


def axe_violations(
    new_context, axe_script, url: str, viewport: str, ready: str = "article.post"
) -> list[dict]:
    """axe-core's violations (all of its default rules) on ``url``."""
    # The page's CSP refuses the injected axe-core script: bypass it for these tests only.
    page = new_context(bypass_csp=True, viewport=VIEWPORTS[viewport]).new_page()
    response = page.goto(url)
    assert response is not None
    assert response.status == 200
    expect(page.locator(ready).first).to_be_visible()
    page.add_script_tag(path=str(axe_script))
    return page.evaluate("async () => (await axe.run(document)).violations")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_live_page_has_no_axe_violations(server, new_context, axe_script, viewport):
    url = server.page(f"/live/{DEMO_SLUG}/")
    violations = axe_violations(new_context, axe_script, url, viewport)
    assert violations == [], f"axe-core violations on {url} ({viewport}):\n{describe(violations)}"


def test_permalink_has_no_axe_violations(server, newsroom, new_context, axe_script):
    url = server.page(f"/live/{DEMO_SLUG}/posts/{newsroom.visible_posts()[0]}/")
    violations = axe_violations(new_context, axe_script, url, "desktop")
    assert violations == [], f"axe-core violations on {url}:\n{describe(violations)}"


def test_index_of_live_blogs_has_no_axe_violations(server, new_context, axe_script):
    url = server.page("/live/")
    violations = axe_violations(new_context, axe_script, url, "phone", ready=".blog-item")
    assert violations == [], f"axe-core violations on {url}:\n{describe(violations)}"


def focused(page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {tag: el.tagName, text: (el.textContent || "").trim(),
                    cls: el.className || "", id: el.id || ""};
        }"""
    )


def tab_until(page, text: str, limit: int = 400) -> int:
    """Press Tab until the focused element's text is ``text``; return how many presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if focused(page)["text"] == text:
            return presses
    raise AssertionError(f"Tab never reached “{text}” in {limit} presses")


def load_older_with_the_keyboard(server, newsroom, open_reader):
    """Open the live page, Tab to "Show older posts" and press Enter; return the details."""
    # At least two full pages of posts, so "Show older posts" brings exactly 20 more.
    expected = newsroom.ensure_posts(41)
    reader = open_reader(server)
    page = reader.page
    assert reader.item_ids() == [f"item-post-{i}" for i in expected[:20]]

    page.keyboard.press("Tab")
    first = focused(page)
    assert "skip-link" in first["cls"], f"the first Tab stop is {first}, not the skip link"
    expect(page.locator(".skip-link")).to_be_in_viewport()
    all_posts = tab_until(page, "All posts")
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Key events"
    older = tab_until(page, "Show older posts")
    assert all_posts >= 1
    assert older >= 1

    with page.expect_response(lambda r: f"/live/{DEMO_SLUG}/posts/?before=" in r.url) as answer:
        page.keyboard.press("Enter")
    assert answer.value.status == 200
    assert answer.value.request.headers.get("hx-request") == "true"
    expect(page.locator("#posts > li.posts-item")).to_have_count(40)
    return reader, expected


def test_keyboard_reaches_the_controls_and_loads_older_posts(server, newsroom, open_reader):
    reader, expected = load_older_with_the_keyboard(server, newsroom, open_reader)
    ids = reader.item_ids()
    assert len(set(ids)) == 40, "an older post was appended twice"
    assert ids == [f"item-post-{i}" for i in expected[:40]]
    expect(reader.page.locator("template[data-append]")).to_have_count(0)
    # The next page's link replaces the one used (41+ posts: there is a third page).
    expect(reader.page.locator("#older a")).to_have_count(1)
    expect(reader.page.locator("#older a")).to_have_text("Show older posts")
    reader.assert_not_reloaded()
    assert not reader.errors


def test_keyboard_focus_continues_with_the_older_posts(server, newsroom, open_reader):
    reader, expected = load_older_with_the_keyboard(server, newsroom, open_reader)
    first_loaded = f"item-post-{expected[20]}"
    reader.page.keyboard.press("Tab")
    where = focused(reader.page)
    inside = reader.page.evaluate(
        "id => document.getElementById(id).contains(document.activeElement)", first_loaded
    )
    assert inside, f"after loading older posts, Tab went to {where}, not into #{first_loaded}"
