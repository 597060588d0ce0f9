"""The admin's rich text editor for post bodies, in a real browser under our CSP."""

from __future__ import annotations

import pytest

from .support import BODY_EDITOR, save_post_in_admin, start_post_in_admin, unique

expect = pytest.importorskip(
    "playwright.sync_api", reason="Playwright for Python is not installed"
).expect

pytestmark = pytest.mark.browser


def test_reporter_formats_a_body_with_the_editor_and_it_is_saved_clean(server, editor_page):
    editor = editor_page(server)
    refused: list[str] = []
    editor.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    start_post_in_admin(editor, server, unique("Formatted in the editor"))
    editor.keyboard.type("Polls close at ")
    editor.keyboard.press("Control+b")
    editor.keyboard.type("7pm")
    editor.keyboard.press("Control+b")
    editor.keyboard.press("Enter")
    editor.keyboard.type("A second paragraph.")
    save_post_in_admin(editor)

    saved = editor.locator("#id_body").input_value()
    assert saved == "<p>Polls close at <strong>7pm</strong></p><p>A second paragraph.</p>"
    # The editor opens again on the saved body, and nothing was refused by the CSP.
    expect(editor.locator(f"{BODY_EDITOR} strong")).to_have_text("7pm")
    assert refused == []
