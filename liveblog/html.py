"""Post bodies: keep a reporter's formatting, drop everything that could run.

Bodies are sanitised on the way in (by the services), so every reader of the stored HTML,
the page, the feeds, the API and partners, gets the same safe markup.
"""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "small",
    "a", "blockquote", "q", "cite", "ul", "ol", "li", "h2", "h3", "h4", "hr",
    "abbr", "code", "pre", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
MAX_SPAN = 20  # a cell spans at most this many rows or columns (the editor's own tables: 1)
MAX_START = 10_000  # the first number of a numbered list
URL_SCHEMES = {"http", "https", "mailto", "tel"}
_BLOCK_TAG = re.compile(r"<\s*(p|blockquote|ul|ol|h[2-4]|pre|hr|table)\b", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
# A link the cleaner left without an address (its `javascript:` href dropped, or none to
# begin with) keeps only the rel it was given: `<a rel=…>` without href is invalid HTML
# and a dead link, so its words stay and the tag goes. The cleaner's output is normalised
# (no nested links, attributes quoted), which is what makes a pattern safe here.
_DEAD_LINK = re.compile(
    r'<a(?![^>]*\shref="[^"]+")(?:\s[^>]*)?>(.*?)</a>', re.IGNORECASE | re.DOTALL
)


def sanitize_body(value: str) -> str:
    """Return safe HTML for a post body.

    Plain text (no block-level tags) is turned into paragraphs, one per blank-line
    separated block, so bodies filed as text from the API read like the page.
    """
    value = (value or "").strip()
    if not value:
        return ""
    if not _BLOCK_TAG.search(value):
        blocks = [b.strip() for b in re.split(r"\n\s*\n", value) if b.strip()]
        value = "".join(f"<p>{b.replace(chr(10), '<br>')}</p>" for b in blocks)
    cleaned = nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
        clean_content_tags={"script", "style"},
        attribute_filter=_bounded,
    )
    return _DEAD_LINK.sub(r"\1", cleaned).strip()


def _bounded(tag: str, attribute: str, value: str) -> str | None:
    """Numbers in attributes are whole and bounded (a cell spanning 10,000 columns would
    stretch every reader's page); anything else is dropped."""
    if attribute in {"colspan", "rowspan", "start"}:
        limit = MAX_START if attribute == "start" else MAX_SPAN
        try:
            number = int(value.strip())
        except ValueError:
            return None
        return str(min(max(number, 1), limit))
    return value


def paragraphs_to_html(paragraphs: list[str]) -> str:
    """Plain paragraphs (as captured from a page) to body HTML."""
    return "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)


def body_text(value: str) -> str:
    """The body as plain text, for feeds, search and summaries."""
    return " ".join(html.unescape(_TAG.sub(" ", value or "")).split())
