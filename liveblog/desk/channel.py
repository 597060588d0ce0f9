"""The desk's staff channel: the staff log of one blog as Server-Sent Events, and who is
on the desk.

Only signed-in staff who may see posts get it (``views.stream`` checks); it carries the
staff log (``DeskChange``: drafts, submissions, returned notes, schedules, locks, and a
mirror of every public change), never the public stream's events, and the public stream
never carries it. The discipline is the public channel's: each event has the log's
sequence as its id, a desk reconnecting with ``Last-Event-ID`` (or ``?after=``) gets
every entry after it, in order, and none twice.

A desk's events are few (a newsroom's staff, not its readers), so each connection reads
the log itself: at once when this process commits a staff change (``desk_changed``),
and every ``NEWSROOM_DESK_POLL_SECONDS`` otherwise (changes made by other processes).
All of its database work runs in the live channel's database thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncGenerator
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from ..live import presence as reader_presence
from ..live.db import DB_THREAD, close_connections, in_db_thread
from ..live.hub import hub
from ..models import DeskChange, DeskPresence, LiveBlog

# Past this many entries at once, a desk reloads its regions instead of replaying them.
CATCH_UP_LIMIT = 200
PRESENCE_EVERY = 2.0  # seconds between looks at who is on the desk
RENEW_EVERY = 15.0  # seconds between renewals of this desk's own presence
HEARTBEAT_EVERY = 15.0

_loop: asyncio.AbstractEventLoop | None = None
_waiters: defaultdict[int, set[asyncio.Event]] = defaultdict(set)


def on_desk_changed(sender: object, *, blog_id: int, seq: int, **kwargs: object) -> None:
    """``desk_changed`` receiver: wake this process's desks of the blog (thread-safe)."""
    loop = _loop
    if loop is None or loop.is_closed():
        return
    for event in list(_waiters.get(blog_id, ())):
        loop.call_soon_threadsafe(event.set)


def sse(event: str, data: dict[str, Any], *, seq: int | None = None) -> bytes:
    head = f"id: {seq}\n" if seq is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


def changes_after(blog_id: int, after: int) -> tuple[list[dict[str, object]], int]:
    """The staff log after ``after`` and the position it brings the desk to. Past
    ``CATCH_UP_LIMIT`` entries the list is empty: the desk redraws every region, and
    the position is the log's end (a cursor from another database ends up here too)."""
    close_old_connections()
    entries = DeskChange.objects.filter(blog_id=blog_id, seq__gt=after).order_by("seq")
    changes = [entry.as_event() for entry in entries[: CATCH_UP_LIMIT + 1]]
    if len(changes) <= CATCH_UP_LIMIT:
        return changes, int(changes[-1]["seq"]) if changes else after  # type: ignore[call-overload]
    last = LiveBlog.objects.values_list("desk_seq", flat=True).get(pk=blog_id)
    return [], last


def on_desk(blog_id: int) -> dict[str, object]:
    """Who is on the desk (their display names) and how many readers the page has."""
    visits = DeskPresence.objects.current(blog_id).select_related("user__reporter")
    names = sorted({_name(visit.user) for visit in visits})
    return {"staff": names, "readers": reader_presence.reader_count(blog_id)}


def _on_desk_from_thread(blog_id: int) -> dict[str, object]:
    close_old_connections()  # the channel's own thread, never a request's
    return on_desk(blog_id)


def _name(user: Any) -> str:
    reporter = getattr(user, "reporter", None)
    return str(reporter.display_name if reporter else (user.get_full_name() or user.get_username()))


def enter(token: str, blog_id: int, user_id: int) -> None:
    close_old_connections()
    # Rows of desks that never said goodbye (a killed process): gone after a day.
    DeskPresence.objects.filter(last_seen__lt=timezone.now() - timedelta(days=1)).delete()
    DeskPresence.objects.update_or_create(
        token=token, defaults={"blog_id": blog_id, "user_id": user_id, "last_seen": timezone.now()}
    )


def leave(token: str) -> None:
    close_old_connections()
    DeskPresence.objects.filter(token=token).delete()


async def events(blog_id: int, after: int, user_id: int) -> AsyncGenerator[bytes, None]:
    """One desk's stream: the staff log after ``after``, then each new entry; a
    ``presence`` event whenever who is on the desk (or the reader count) changes."""
    global _loop
    _loop = asyncio.get_running_loop()
    wake = asyncio.Event()
    _waiters[blog_id].add(wake)
    token = uuid.uuid4().hex
    sent, shown = after, None
    presence_at = renewed_at = 0.0
    quiet_since = time.monotonic()
    try:
        yield b"retry: 2000\n\n"
        await in_db_thread(enter, token, blog_id, user_id)
        renewed_at = time.monotonic()
        while True:
            wake.clear()
            changes, last = await in_db_thread(changes_after, blog_id, sent)
            if last != sent:
                yield sse("desk", {"seq": last, "changes": changes}, seq=last)
                sent, quiet_since = last, time.monotonic()
            now = time.monotonic()
            if now - renewed_at >= RENEW_EVERY:
                await in_db_thread(enter, token, blog_id, user_id)
                renewed_at = now
            if now - presence_at >= PRESENCE_EVERY:
                current = await in_db_thread(_on_desk_from_thread, blog_id)
                presence_at = now
                if current != shown:
                    yield sse("presence", current)
                    shown, quiet_since = current, now
            if now - quiet_since >= HEARTBEAT_EVERY:
                yield b": keep-alive\n\n"
                quiet_since = now
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), settings.NEWSROOM_DESK_POLL_SECONDS)
    finally:
        _waiters[blog_id].discard(wake)
        if not _waiters[blog_id]:
            _waiters.pop(blog_id, None)
        with contextlib.suppress(Exception):
            await in_db_thread(leave, token)
        if not _waiters and not hub.feeds:  # nobody left to serve: give the connection back
            DB_THREAD.submit(close_connections)
