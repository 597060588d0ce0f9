"""The live channel's database work, kept off the readers' request threads.

The hub runs it in one thread of its own (``DB_THREAD``): run in a reader's request
context, each connected reader would get a thread holding a database connection for as
long as it stays, which exhausts PostgreSQL's connections at a few hundred readers.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from asgiref.sync import sync_to_async
from django.db import close_old_connections, connection, connections

from ..models import LiveBlog
from ..models.blog import BlogState
from . import state as live_state
from .render import LiveEvent, render_catch_up, render_new

T = TypeVar("T")

# The hub's one database thread in this process (one connection, whatever the readers).
DB_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="live-db")


async def in_db_thread(function: Callable[..., T], *args: Any) -> T:
    """Run ``function`` in the hub's database thread, never in a reader's request thread."""
    return await sync_to_async(function, thread_sensitive=False, executor=DB_THREAD)(*args)


def close_connections() -> None:
    connections.close_all()


def new_events(blog_id: int, after: int) -> list[LiveEvent]:
    close_old_connections()
    return render_new(blog_id, after)


def catch_up(blog_id: int, after: int, upto: int) -> LiveEvent | None:
    close_old_connections()
    return render_catch_up(blog_id, after, upto=upto)


def lookup_blog(slug: str) -> BlogState | None:
    """Runs in the reader's request thread (it must see the request's own transaction),
    which lives as long as the stream: its database connection must not."""
    try:
        return live_state.fetch(slug)
    finally:
        if not connection.in_atomic_block:
            connection.close()


def last_seqs(blog_ids: list[int]) -> dict[int, int]:
    close_old_connections()
    return dict(LiveBlog.objects.filter(pk__in=blog_ids).values_list("pk", "last_seq"))
