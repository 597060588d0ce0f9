"""Editors at work on results in the admin, with a reader's page open beside them: a
corrected winner call (the banner stays until a second editor confirms), and results
typed into a pre-filled form that shows the shares before anything is recorded."""

from __future__ import annotations

import re

import pytest

from .support import LIVE_TIMEOUT_MS, open_races

expect = pytest.importorskip(
    "playwright.sync_api", reason="Playwright for Python is not installed"
).expect

pytestmark = pytest.mark.browser
CALLS = "/admin/results/winnercall/"


def test_a_corrected_call_keeps_the_banner_until_a_second_editor_confirms(
    server, newsroom, open_reader, editor_page
):
    newsroom.restore_call("Donald Trump")
    reader = open_reader(server)
    banner = reader.page.locator("#results .results-winner")
    expect(banner).to_have_text("TRUMP WINS")
    try:
        # The first editor proposes the correction…
        editor = editor_page(server)
        editor.goto(server.page(CALLS))
        row = editor.locator("#result_list tbody tr", has_text="Shown on pages").filter(
            has_text="US presidential election 2024"
        )  # not one of its states' calls
        row.get_by_role("link", name="Correct…").click()
        editor.get_by_label("Winner").select_option(label="Kamala Harris (DEM)")
        editor.get_by_label("What is corrected").fill("Browser test: the call was wrong")
        editor.get_by_role("button", name="Correct").click()
        expect(editor.locator(".messagelist")).to_contain_text(
            "stays on the pages until a second editor confirms it"
        )
        # This race's correction (other tests' imports leave AP calls waiting too).
        pending = editor.locator("#result_list tbody tr", has_text="waiting for a second editor"
                                 ).filter(has_text="US presidential election 2024")  # fmt: skip
        expect(pending).to_have_count(1)
        # …cannot confirm it alone, and readers still see the standing call.
        pending.locator("input.action-select").check()
        editor.select_option("select[name=action]", "confirm")
        editor.locator("button[name=index]").click()
        expect(editor.locator(".messagelist")).to_contain_text("A second editor must confirm")
        reader.page.wait_for_timeout(1000)
        expect(banner).to_have_text("TRUMP WINS")

        # The second editor confirms: the banner changes on the open page, never empty.
        reader.page.evaluate(
            """() => {
              window.__banners = [];
              new MutationObserver(() => {
                const b = document.querySelector('#results .results-winner');
                window.__banners.push(b ? b.textContent : '');
              }).observe(document.getElementById('live'), {subtree: true, childList: true});
            }"""
        )
        second = editor_page(server, "editor2")
        second.goto(server.page(CALLS))
        pending = second.locator("#result_list tbody tr", has_text="waiting for a second editor"
                                 ).filter(has_text="US presidential election 2024")  # fmt: skip
        pending.get_by_role("link", name="Confirm the call").click()  # the row's own link
        second.get_by_role("button", name="Confirm the call").click()
        expect(second.locator(".messagelist")).to_contain_text("correction confirmed")
        expect(banner).to_have_text("HARRIS WINS", timeout=LIVE_TIMEOUT_MS)
        assert "" not in reader.page.evaluate("window.__banners")  # no moment without a call
        reader.assert_not_reloaded()
        assert not reader.errors
    finally:
        newsroom.restore_call("Donald Trump")


def test_the_results_form_is_prefilled_and_shows_the_shares_before_recording(
    server, newsroom, open_reader, editor_page
):
    reader = open_reader(server)
    open_races(reader.page)
    editor = editor_page(server)
    editor.goto(server.page("/admin/results/race/"))
    editor.get_by_role("link", name="US presidential election 2024").click()
    editor.get_by_role("link", name="Record results…").click()

    harris = editor.get_by_label("Kamala Harris: votes")
    trump = editor.get_by_label("Donald Trump: votes")
    # Pre-filled with what readers see now, and with the current time.
    shown = reader.page.locator("#results .results-pv").first.inner_text()
    assert f"{int(harris.input_value()):,} votes" in shown
    assert editor.locator("#id_as_of_0").input_value()
    assert editor.locator("#id_as_of_1").input_value()

    harris.fill(str(int(harris.input_value()) + 1_000))
    trump.fill(str(int(trump.input_value()) + 2_000))
    editor.get_by_label("Total votes").fill("")
    editor.get_by_role("button", name="Check the shares").click()
    shares = editor.locator("#shares-to-publish")
    expect(shares).to_contain_text("What readers will see")
    expect(shares).to_contain_text("shares of the listed candidates only")
    expect(shares.locator("li")).to_have_count(2)
    share_text = shares.locator("li").first.inner_text()
    assert re.fullmatch(r"Kamala Harris: \d+\.\d%", share_text), share_text
    new_harris = int(harris.input_value())

    editor.get_by_role("button", name="Record these results").click()
    expect(editor.locator(".messagelist")).to_contain_text("recorded")
    expect(reader.page.locator("#results .results-pv").first).to_contain_text(
        f"{new_harris:,} votes", timeout=LIVE_TIMEOUT_MS
    )
    expect(reader.page.locator("#results .results-pv").first).to_contain_text(
        share_text.split(": ")[1]
    )
    reader.assert_not_reloaded()
