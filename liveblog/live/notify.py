"""Telling open pages that a blog changed: called once a change has committed."""

from __future__ import annotations

from ..signals import CommittedChange
from . import redis as live_redis
from . import state as live_state
from .hub import hub


def on_change_committed(sender: object, *, change: CommittedChange, **kwargs: object) -> None:
    """``change_committed`` receiver (connected in ``LiveblogConfig.ready``)."""
    announce(change.blog_id, change.seq)


def announce(blog_id: int, seq: int) -> None:
    """Wake this process's readers at once, and every other process through Redis.

    Never raises and never waits long: if Redis is down, the other processes' database
    poll delivers the change within a second or two.
    """
    live_state.forget(blog_id)
    hub.notify(blog_id)
    client = live_redis.client()
    if client is None:
        return
    try:
        client.publish(live_redis.key("live"), f"{blog_id}:{seq}")
    except Exception as error:
        live_redis.failed(error)
    else:
        live_redis.succeeded()
