"""Telling open pages that a blog changed: called once a change has committed, through
the configured push transport (``transports``)."""

from __future__ import annotations

from ..signals import CommittedChange
from .transports import transport


def on_change_committed(sender: object, *, change: CommittedChange, **kwargs: object) -> None:
    """``change_committed`` receiver (connected in ``LiveblogConfig.ready``)."""
    announce(change.blog_id, change.seq)


def announce(blog_id: int, seq: int) -> None:
    """Tell every open page of the blog, however the transport reaches them. Never raises
    and never waits long."""
    transport().announce(blog_id, seq)
