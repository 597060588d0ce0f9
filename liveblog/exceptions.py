"""Errors the services raise besides ``PermissionDenied`` and ``ValidationError``."""

from __future__ import annotations

from newsroom.web.conflicts import Conflict, StaleVersion


class StaleEdit(StaleVersion):
    """Someone saved the post after this editor opened it: refuse, never overwrite."""

    def __init__(self, *, expected: int, current: int, title: str = "") -> None:
        super().__init__(
            f"“{title}” was changed by someone else since you opened it "
            f"(you have version {expected}, the post is now at version {current}). "
            "Reload it, then apply your changes again.",
            expected=expected,
            current=current,
        )


class PinConflict(Conflict):
    """Two editors pinned two posts of one blog at the same moment, twice over."""


class SummaryConflict(Conflict):
    """The key points changed after this editor opened them: nothing was saved."""

    def __init__(self) -> None:
        super().__init__(
            "Someone else changed the key points after you opened them: yours are below, "
            "theirs are shown. Nothing was saved."
        )
