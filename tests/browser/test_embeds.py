"""Embeds in a real Chromium: the page asks no third party for anything until the reader
clicks, then loads that provider's player (and remembers the choice if asked); a link
pasted on the desk reaches an open page without a reload (issue: what newsrooms post).

The providers are faked on 127.0.0.1 (``tests/oembed_fake.py``); the players' own
addresses (platform.twitter.com…) are answered by Playwright's router, so nothing here
reaches the internet, while the page's requests are recorded as the browser made them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.oembed_fake import LINKS, TEXT, FakeProviders

from .conftest import Reader
from .support import DEMO_SLUG, LIVE_TIMEOUT_MS, ROOT, Counted, unique, wait_until

expect = pytest.importorskip(
    "playwright.sync_api", reason="Playwright for Python is not installed"
).expect

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "docs" / "screenshots"
OURS = {"127.0.0.1", "localhost"}
PLAYER = "<!doctype html><title>player</title><p>The provider's player</p>"


@pytest.fixture
def providers() -> Iterator[FakeProviders]:
    fake = FakeProviders()
    yield fake
    fake.close()


def outside(requests: list[str]) -> list[str]:
    """The requests that left our own server (anything not on loopback)."""
    return [url for url in requests
            if urlsplit(url).scheme in {"http", "https", "ws", "wss"}
            and urlsplit(url).hostname not in OURS]  # fmt: skip


def players_answered(context: Any) -> list[str]:
    """Answer every request that would leave the machine with a small page, and list
    them: the browser made them (that is what the test counts), the internet never sees
    them."""
    answered: list[str] = []

    def answer(route: Any) -> None:
        answered.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body=PLAYER)  # fmt: skip

    context.route(lambda url: urlsplit(url).hostname not in OURS, answer)
    return answered


def test_no_third_party_request_before_a_click_and_the_player_after(
    server: Any, newsroom: Any, providers: FakeProviders, new_context: Any
) -> None:
    post = newsroom.publish(title=unique("Reactions from across the web"))["id"]
    for slug in sorted(LINKS):
        made = newsroom.embed(post, LINKS[slug], providers.providers())
        assert made["problem"] == "", (slug, made)
    context = new_context()
    answered = players_answered(context)
    reader = Reader(context.new_page())
    reader.open(server.page(f"/live/{DEMO_SLUG}/"))
    card = reader.item(post)
    expect(card.locator("[data-embed]")).to_have_count(len(LINKS))
    expect(card.locator('[data-provider="x"] .embed-text')).to_contain_text(TEXT)
    reader.page.mouse.wheel(0, 20_000)  # every card scrolled past: lazy images load too
    reader.page.wait_for_timeout(500)

    assert outside(reader.requests) == []
    assert answered == []
    assert reader.page.locator("iframe").count() == 0

    card.locator('[data-provider="x"] [data-embed-load]').click()
    frame = card.locator('[data-provider="x"] iframe')
    expect(frame).to_have_attribute("src", "https://platform.twitter.com/embed/Tweet.html"
                                           "?id=1854253765439500398&dnt=true")  # fmt: skip
    expect(frame).to_have_attribute("title", "Post on X by Kamala Harris")
    wait_until(reader.page, lambda: answered, what="the player's request")
    assert [urlsplit(u).hostname for u in outside(reader.requests)] == ["platform.twitter.com"]
    assert reader.page.locator("iframe").count() == 1  # the other providers still wait
    assert reader.errors == []


def test_always_show_a_provider_is_remembered_in_this_browser_only(
    server: Any, newsroom: Any, providers: FakeProviders, new_context: Any
) -> None:
    post = newsroom.publish(title=unique("A chart from the graphics desk"))["id"]
    newsroom.embed(post, LINKS["datawrapper"], providers.providers())
    newsroom.embed(post, LINKS["youtube"], providers.providers())
    context = new_context()
    players_answered(context)
    reader = Reader(context.new_page())
    reader.open(server.page(f"/live/{DEMO_SLUG}/"))
    chart = reader.item(post).locator('[data-provider="datawrapper"]')
    chart.locator("[data-embed-always]").check()  # and so it loads now
    expect(chart.locator("iframe")).to_have_attribute(
        "src", "https://datawrapper.dwcdn.net/AbC12/3/"
    )

    reader.open(server.page(f"/live/{DEMO_SLUG}/"))  # a later visit, same browser
    chart = reader.item(post).locator('[data-provider="datawrapper"]')
    expect(chart.locator("iframe")).to_have_count(1)
    expect(chart.locator("[data-embed-always]")).to_be_checked()
    expect(reader.item(post).locator('[data-provider="youtube"] iframe')).to_have_count(0)

    stranger = Reader(new_context().new_page())  # another browser remembers nothing
    stranger.open(server.page(f"/live/{DEMO_SLUG}/"))
    expect(stranger.item(post).locator("iframe")).to_have_count(0)
    assert outside(stranger.requests) == []


def test_a_link_pasted_on_the_desk_reaches_an_open_page_without_a_reload(
    make_server: Any, providers: FakeProviders, open_desk: Any, new_context: Any
) -> None:
    site = make_server("embeds", NEWSROOM_EMBED_PROVIDERS=json.dumps(providers.providers()),
                       NEWSROOM_OUTBOUND_TRUSTED_NETWORKS="127.0.0.0/8")  # fmt: skip
    reader = Reader(new_context().new_page())
    reader.open(site.page(f"/live/{DEMO_SLUG}/"))
    desk = open_desk("editor", target=site)
    title = unique("Harris thanks her supporters")

    steps = Counted(desk)
    steps.fill("#id_title", title)
    steps.fill("#id_embed_url", LINKS["bluesky"])
    steps.click("#compose button[value=publish]")
    assert steps.count == 3
    expect(desk.locator("#desk-toast")).to_contain_text("Embedded: Bluesky post by BBC News")

    card = reader.page.locator(".posts-item", has_text=title)
    expect(card.locator('[data-provider="bluesky"] .embed-text')).to_contain_text(
        TEXT, timeout=LIVE_TIMEOUT_MS
    )
    reader.assert_not_reloaded()
    assert outside(reader.requests) == []
    card.scroll_into_view_if_needed()
    card.screenshot(path=str(SCREENSHOTS / "embed-card.png"))


def test_a_provider_that_is_down_still_lets_the_post_out_as_a_link_card(
    make_server: Any, providers: FakeProviders, open_desk: Any, new_context: Any
) -> None:
    providers.modes["x"] = "500"
    site = make_server("embeds-down", NEWSROOM_EMBED_PROVIDERS=json.dumps(providers.providers()),
                       NEWSROOM_OUTBOUND_TRUSTED_NETWORKS="127.0.0.0/8")  # fmt: skip
    reader = Reader(new_context().new_page())
    reader.open(site.page(f"/live/{DEMO_SLUG}/"))
    desk = open_desk("editor", target=site)
    title = unique("Reaction on X")
    desk.fill("#id_title", title)
    desk.fill("#id_embed_url", LINKS["x"])
    desk.click("#compose button[value=publish]")

    expect(desk.locator("#desk-toast")).to_contain_text("Shown as a link card: X is having trouble")
    card = reader.page.locator(".posts-item", has_text=title)
    expect(card.locator('[data-provider="x"] .embed-link')).to_have_attribute(
        "href", LINKS["x"], timeout=LIVE_TIMEOUT_MS
    )


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_post_with_every_kind_of_card_has_no_axe_violations(
    server: Any, newsroom: Any, providers: FakeProviders, new_context: Any, axe_script: Any,
    viewport: str,
) -> None:  # fmt: skip
    from .test_accessibility import axe_violations, describe

    post = newsroom.publish(title=unique("Every kind of card"))["id"]
    for slug in sorted(LINKS):
        newsroom.embed(post, LINKS[slug], providers.providers())
    providers.modes["x"] = "500"
    newsroom.embed(post, "https://x.com/someone/status/1", providers.providers())  # a link card
    newsroom.embed(post, "https://example.com/story", providers.providers())  # not a provider
    url = server.page(f"/live/{DEMO_SLUG}/posts/{post}/")
    violations = axe_violations(new_context, axe_script, url, viewport, ready=".embed")
    assert violations == [], f"axe-core violations on {url} ({viewport}):\n{describe(violations)}"
