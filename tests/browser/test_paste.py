"""Clean paste: what Word and Google Docs put on the clipboard (fixtures in ``clipboard/``)
pasted into the body, on the desk and in the admin, is saved as the lists, table and
paragraphs it stands for: no typed bullets, no empty paragraphs, no breaks between
blocks, and no formatting running on into what is typed after it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from .support import BODY, BODY_EDITOR, save_post_in_admin, start_post_in_admin, unique

expect = pytest.importorskip(
    "playwright.sync_api", reason="Playwright for Python is not installed"
).expect

pytestmark = pytest.mark.browser
CLIPBOARD = Path(__file__).with_name("clipboard")
SOURCES = ["word", "google-docs"]


def paste(page: Any, selector: str, html: str) -> None:
    """Paste ``html`` where the cursor is, as the browser delivers a paste from another
    program (a paste event whose clipboard holds the HTML and its plain text)."""
    page.locator(selector).evaluate(
        """(element, html) => {
            const data = new DataTransfer();
            data.setData("text/html", html);
            const text = new DOMParser().parseFromString(html, "text/html").body.textContent;
            data.setData("text/plain", text);
            element.dispatchEvent(new ClipboardEvent("paste", {
                clipboardData: data, bubbles: true, cancelable: true,
            }));
        }""",
        html,
    )


def assert_clean(body: str) -> None:
    """The pasted passage as its structure, and what was typed after it as plain text."""
    plain = re.sub(r"<(td|th|table)\b[^>]*>", r"<\1>", body)  # the editor's own cell spans
    assert "<p><strong>Exit polls</strong> in Georgia show:</p>" in plain, body
    assert (
        "<ul><li><p>Turnout is up in Atlanta</p>"
        "<ul><li><p>Fulton County queues past 7pm</p></li></ul></li>"
        "<li><p>Rural counties count slowly</p></li></ul>"
    ) in plain, body
    assert (
        "<ol><li><p>Polls close at 7pm</p></li><li><p>First results by 8pm</p></li></ol>" in plain
    )
    assert (
        "<tr><td><p>Age 18-29</p></td><td><p>54% Harris</p></td></tr>"
        "<tr><td><p>Age 65+</p></td><td><p>51% Trump</p></td></tr>"
    ) in plain, body
    link = '<a href="https://www.bbc.co.uk/news/election/us2024"[^>]*>the results</a>'
    assert re.search(f"<p>See {link}</p><p>Typed after it\\.</p>$", plain), body
    for leaked in ("·", "<p></p>", "<br", "<u>", "<span", "style=", "class=", "&nbsp;", "mso"):
        assert leaked not in body, (leaked, body)


@pytest.mark.parametrize("source", SOURCES)
def test_a_passage_pasted_on_the_desk_keeps_its_lists_and_table(
    open_desk: Any, newsroom: Any, source: str
) -> None:
    editor = open_desk("editor")
    title = unique(f"Pasted from {source}")
    editor.fill("#id_title", title)
    editor.locator(BODY).click()
    paste(editor, BODY, (CLIPBOARD / f"{source}.html").read_text())
    editor.keyboard.press("Enter")
    editor.keyboard.type("Typed after it.")
    expect(editor.locator(f"{BODY} table td")).to_have_count(4)
    editor.click('#compose button[value="draft"]')
    expect(editor.locator("#desk-toast")).to_contain_text("saved", timeout=10_000)
    assert_clean(newsroom.post_state(title=title)["body"])


@pytest.mark.parametrize("source", SOURCES)
def test_a_passage_pasted_in_the_admin_keeps_its_lists_and_table(
    server: Any, editor_page: Any, source: str
) -> None:
    editor = editor_page(server)
    start_post_in_admin(editor, server, unique(f"Pasted in the admin from {source}"))
    paste(editor, BODY_EDITOR, (CLIPBOARD / f"{source}.html").read_text())
    editor.keyboard.press("Enter")
    editor.keyboard.type("Typed after it.")
    save_post_in_admin(editor)
    assert_clean(editor.locator("#id_body").input_value())
