"""Parsing public query parameters strictly: what a browser or a crowd may send is bounded.

``str.isdigit()`` accepts "²" and "١" that ``int()`` refuses (a 500 waiting to happen);
only ASCII digits, and no more than fit the database's 64-bit integers, pass here.
"""

from __future__ import annotations

import re

_SEQUENCE = re.compile(r"[0-9]{1,18}")


def sequence(value: str | None) -> int | None:
    """A change-sequence number (``?since=``, ``?after=``, ``Last-Event-ID``), or None
    when the value is anything but 1 to 18 ASCII digits."""
    if value is None or not _SEQUENCE.fullmatch(value):
        return None
    return int(value)
