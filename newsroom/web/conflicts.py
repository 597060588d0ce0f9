"""The one conflict every writer can hit: the thing changed since the caller read it.

Domain code raises a subclass (``liveblog.exceptions.StaleEdit``); the API answers it
412 ``stale_version`` with both versions, whatever app raised it.
"""

from __future__ import annotations


class Conflict(Exception):
    """The request lost a race with another that changed the same thing at the same
    moment: nothing was written; try again (the API answers 409 ``conflict``)."""


class StaleVersion(Exception):
    """Refuse a write made against ``expected``: the stored version is ``current``."""

    def __init__(self, message: str, *, expected: int, current: int) -> None:
        self.expected = expected
        self.current = current
        super().__init__(message)
