"""Telling open pages (and open desks) that a blog changed: called once a change has
committed, through the configured push transport (``transports``)."""

from __future__ import annotations

from ..signals import CommittedChange
from .transports import transport


def on_change_committed(sender: object, *, change: CommittedChange, **kwargs: object) -> None:
    """``change_committed`` receiver (connected in ``LiveblogConfig.ready``)."""
    announce(change.blog_id, change.seq)


def on_desk_changed(sender: object, *, blog_id: int, seq: int, **kwargs: object) -> None:
    """``desk_changed`` receiver: the staff log moved (connected in ``ready``)."""
    transport().announce_desk(blog_id, seq)


def announce(blog_id: int, seq: int) -> None:
    """Tell every open page of the blog, however the transport reaches them. Never raises
    and never waits long."""
    transport().announce(blog_id, seq)
