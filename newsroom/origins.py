"""Web origins typed by people (the sites that may frame a blog): checked strictly, so
nothing but ``scheme://host[:port]`` ever reaches a security header.

A toolkit module: it imports no app.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

MAX_ORIGINS = 20
_ORIGIN = re.compile(
    r"^https?://(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
    r"(?::\d{1,5})?$"
)


def _lines(text: str) -> list[str]:
    return [line.strip().rstrip("/").lower() for line in (text or "").splitlines() if line.strip()]


def validate_origins(text: str) -> None:
    """Each line an origin (``https://www.example.com``, ``http://127.0.0.1:8001``), at
    most ``MAX_ORIGINS``; a path, a wildcard or a quote is refused, naming the line."""
    lines = _lines(text)
    if len(lines) > MAX_ORIGINS:
        raise ValidationError(f"List at most {MAX_ORIGINS} sites.")
    for line in lines:
        if not _ORIGIN.match(line):
            raise ValidationError(
                f"“{line[:80]}” is not an origin: write the scheme and the host only, e.g. "
                "https://www.example.com (a port if it is not the usual one; no path)."
            )


def origins_in(text: str) -> list[str]:
    """The valid origins of ``text`` (a stored value is validated already; anything else
    is left out rather than written into a header)."""
    return [line for line in _lines(text) if _ORIGIN.match(line)]
