"""The live channel's database work, kept off the readers' request threads.

The hub runs it in one thread of its own (``DB_THREAD``): run in a reader's request
context, each connected reader would get a thread holding a database connection for as
long as it stays, which exhausts PostgreSQL's connections at a few hundred readers.

That thread keeps its one connection for as long as the process serves streams
(``fresh_connection``): request threads under ASGI give theirs back after each request
(``CONN_MAX_AGE`` 0), but closing the hub's before each event made every event and
every reconnecting reader's catch-up open a new PostgreSQL connection (p99 at 1,000
readers 44 → 59 ms, a 5,000-reader reconnect storm 1.7 → 16 s). It is checked for
health instead: after an error, and every ``HEALTH_CHECK_SECONDS``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from asgiref.sync import sync_to_async
from django.db import connection, connections

from ..models import LiveBlog
from ..models.blog import BlogState
from . import positions
from .operations import LiveEvent, render_catch_up, render_new

T = TypeVar("T")

# The hub's one database thread in this process (one connection, whatever the readers).
DB_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="live-db")


async def in_db_thread(function: Callable[..., T], *args: Any) -> T:
    """Run ``function`` in the hub's database thread, never in a reader's request thread."""
    return await sync_to_async(function, thread_sensitive=False, executor=DB_THREAD)(*args)


def close_connections() -> None:
    connections.close_all()


HEALTH_CHECK_SECONDS = 30.0
_checked_at = 0.0


def fresh_connection() -> None:
    """Before the hub's thread uses the database: keep its connection, unless it broke.

    Checked (one ``SELECT 1``) after an error and every ``HEALTH_CHECK_SECONDS``; a
    broken or closed one is replaced on the next query. Never the request threads'
    ``close_old_connections``, which under ASGI (``CONN_MAX_AGE`` 0) closes it every time.
    """
    global _checked_at
    if connection.connection is None:
        return
    now = time.monotonic()
    if connection.errors_occurred or now - _checked_at >= HEALTH_CHECK_SECONDS:
        _checked_at = now
        if not connection.is_usable():
            connection.close()
        connection.errors_occurred = False


def new_events(blog_id: int, after: int) -> list[LiveEvent]:
    fresh_connection()
    return render_new(blog_id, after)


def catch_up(blog_id: int, after: int, upto: int) -> LiveEvent | None:
    fresh_connection()
    return render_catch_up(blog_id, after, upto=upto)


def lookup_blog(slug: str) -> BlogState | None:
    """Runs in the reader's request thread (it must see the request's own transaction),
    which lives as long as the stream: its database connection must not."""
    try:
        return positions.fetch(slug)
    finally:
        if not connection.in_atomic_block:
            connection.close()


def last_seqs(blog_ids: list[int]) -> dict[int, int]:
    fresh_connection()
    return dict(LiveBlog.objects.filter(pk__in=blog_ids).values_list("pk", "last_seq"))
