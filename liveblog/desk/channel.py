"""The desk's staff channel: the staff log of one blog as Server-Sent Events, and who is
on the desk.

Only signed-in staff who may see posts get it (``views.stream`` checks at connect, and
``Desks`` again every ``RECHECK_EVERY`` seconds: a turned-off account's desks close); it
carries the staff log (``DeskChange``: drafts, submissions, returned notes, schedules,
locks, and a mirror of every public change), never the public stream's events, and the
public stream never carries it. The discipline is the public channel's: each event has
the log's sequence as its id, a desk reconnecting with ``Last-Event-ID`` (or ``?after=``)
gets every entry after it, in order, and none twice.

It rides on the live channel's stack: the hub carries its wake-ups (a staff change
committed in this process wakes its desks at once, one in another process through the
hub's one Redis subscription: ``transport().announce_desk``), the log is read the way
the public one is (``DeskChange.objects.catch_up``: in order, redrawn past
``CATCH_UP_LIMIT``), events go out through the same encoder (``live.sse``), all database
work runs in the live channel's database thread, and a stopping server ends the desks
with the readers. What stays its own is staff-only: who may follow it, who is on the
desk, and the JSON it carries.

One loop per process serves every open desk (``Desks``): a safety poll of the log
positions of all blogs with desks open (every second while Redis is away, every few
seconds otherwise, as the hub's), one look a couple of seconds for who is on each
blog's desk, one renewal of all this process's desks, one re-check of their accounts, so
an open desk costs nothing while nothing happens, however many are open. A desk reads
the log only when its blog's position moved past it, and desks at the same position
share that read.

Desks are limited per browser session, per account and per process
(``NEWSROOM_DESK_MAX_*``, ``admission``): one reporter's session cannot hold hundreds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db.models import Q
from django.utils import timezone

from ..live import presence as reader_presence
from ..live import sse
from ..live.db import DB_THREAD, close_connections, fresh_connection, in_db_thread
from ..live.hub import hub
from ..live.stream import Admission
from ..models import DeskChange, DeskPresence, LiveBlog, Post

PRESENCE_EVERY = 2.0  # seconds between looks at who is on the desk
RENEW_EVERY = 15.0  # seconds between renewals of this process's desks' presence
RECHECK_EVERY = 5.0  # seconds between re-checks that the desks' accounts may still follow
HEARTBEAT_EVERY = 15.0
CLOSED = "This account can no longer follow the desk: sign in again."

admission = Admission(
    "NEWSROOM_DESK_MAX_STREAMS",
    b"This server has all the desks it can take: try again in a moment.",
    [("NEWSROOM_DESK_MAX_PER_SESSION", b"Too many desks open in this browser: close one."),
     ("NEWSROOM_DESK_MAX_PER_USER", b"Too many desks open under this account: close one.")],
)  # fmt: skip


GRANT_SALT = "newsroom.desk.grant"
GRANT_MAX_AGE = 12 * 3600  # each hold issues a fresh one: only a desk gone quiet for hours


@dataclass(frozen=True)
class Grant:
    """An edge engine asking again on a desk's behalf (its next link carries no cookies):
    which account, which blog, and that desk's presence token. Signed by the origin
    when it held the desk; the account is checked again at every use."""

    user_id: int
    blog_id: int
    token: str

    def signed(self) -> str:
        return signing.dumps([self.user_id, self.blog_id, self.token], salt=GRANT_SALT,
                             compress=True)  # fmt: skip

    @classmethod
    def read(cls, value: str | None) -> Grant | None:
        """The grant in ``value``, or None if absent, tampered with or too old."""
        if not value:
            return None
        try:
            user_id, blog_id, token = signing.loads(value, salt=GRANT_SALT,
                                                    max_age=GRANT_MAX_AGE)  # fmt: skip
            return cls(int(user_id), int(blog_id), str(token)[:64])
        except (signing.BadSignature, TypeError, ValueError):
            return None


def event(name: str, data: dict[str, Any], *, seq: int | None = None) -> bytes:
    return sse.event(name, json.dumps(data, separators=(",", ":")), id=seq)


# --- Database work (the live channel's thread) -------------------------------------------
def changes_after(blog_id: int, after: int) -> tuple[list[dict[str, object]], int]:
    """``staff_events`` in the live channel's database thread."""
    fresh_connection()
    return staff_events(blog_id, after)


def staff_events(blog_id: int, after: int, *, upto: int | None = None) -> tuple[
        list[dict[str, object]], int]:  # fmt: skip
    """The staff log after ``after`` (up to ``upto``) and the position it brings the desk
    to. Past ``CATCH_UP_LIMIT`` entries the list is empty: the desk redraws every region,
    and the position is the log's end (a cursor from another database ends up here too)."""
    entries, more = DeskChange.objects.catch_up(blog_id, after, upto=upto)
    if not more:
        # Whose post each entry is about (one query): a reporter's desk tells them when a
        # colleague published, scheduled or returned their post. Ids only, never titles:
        # every desk of the blog gets the staff log.
        ids = {entry.post_id for entry in entries if entry.post_id}
        authors = (
            dict(Post.objects.filter(pk__in=ids).values_list("pk", "author_id")) if ids else {}
        )
        events = [
            entry.as_event() | {"author": authors.get(entry.post_id or 0)} for entry in entries
        ]
        return events, entries[-1].seq if entries else after
    last = LiveBlog.objects.values_list("desk_seq", flat=True).get(pk=blog_id)
    return [], last


def on_desk(blog_id: int) -> dict[str, object]:
    """Who is on the desk (their display names) and how many readers the page has."""
    visits = DeskPresence.objects.current(blog_id).select_related("user__reporter")
    names = sorted({_name(visit.user) for visit in visits})
    return {"staff": names, "readers": reader_presence.reader_count(blog_id)}


def _name(user: Any) -> str:
    reporter = getattr(user, "reporter", None)
    return str(reporter.display_name if reporter else (user.get_full_name() or user.get_username()))


def desk_positions(blog_ids: list[int]) -> dict[int, int]:
    """Each blog's staff log position: the one query a poll costs for every open desk."""
    fresh_connection()
    return dict(LiveBlog.objects.filter(pk__in=blog_ids).values_list("pk", "desk_seq"))


def look_around(
    blog_ids: list[int], tokens: list[str], renew: bool
) -> dict[int, dict[str, object]]:
    """Renew this process's desks (one update) if due, then who is on each blog's desk."""
    fresh_connection()
    if renew and tokens:
        DeskPresence.objects.filter(token__in=tokens).update(last_seen=timezone.now())
    return {blog_id: on_desk(blog_id) for blog_id in blog_ids}


def still_allowed(user_ids: list[int]) -> set[int]:
    """Of ``user_ids``, the accounts that may still follow a desk (active staff who may
    see posts, as ``views.stream`` asks at connect): one query for all of them."""
    fresh_connection()
    view_post = Q(codename="view_post", content_type__app_label="liveblog")
    from django.contrib.auth.models import Permission

    perm = Permission.objects.filter(view_post).values_list("pk", flat=True).first()
    may = Q(is_superuser=True) | Q(user_permissions=perm) | Q(groups__permissions=perm)
    users = get_user_model().objects.filter(pk__in=user_ids, is_active=True, is_staff=True)
    return set(users.filter(may).values_list("pk", flat=True).distinct())


def enter(token: str, blog_id: int, user_id: int) -> None:
    fresh_connection()
    arrive(token, blog_id, user_id)


def arrive(token: str, blog_id: int, user_id: int) -> None:
    """This desk is on the blog's desk (renewed while it stays)."""
    # Rows of desks that never said goodbye (a killed process): gone after a day.
    DeskPresence.objects.filter(last_seen__lt=timezone.now() - timedelta(days=1)).delete()
    DeskPresence.objects.update_or_create(
        token=token, defaults={"blog_id": blog_id, "user_id": user_id, "last_seen": timezone.now()}
    )


def leave(token: str) -> None:
    fresh_connection()
    DeskPresence.objects.filter(token=token).delete()


# --- This process's open desks ---------------------------------------------------------
@dataclass(eq=False)
class Desk:
    blog_id: int
    user_id: int
    token: str = field(default_factory=lambda: uuid.uuid4().hex)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    closed: str = ""  # why the process closed it
    ending: bool = False  # the server is stopping: end quietly (the desk reconnects)


class Desks:
    """Every desk open in this process, and the one loop that serves them."""

    def __init__(self) -> None:
        self.open: set[Desk] = set()
        self.positions: dict[int, int] = {}  # blog → its staff log position, as last seen
        self.presence: dict[int, dict[str, object]] = {}
        self.loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._reads: dict[tuple[int, int], asyncio.Future[tuple[list[dict[str, object]], int]]]
        self._reads = {}

    def join(self, desk: Desk) -> None:
        loop = asyncio.get_running_loop()
        if self.loop is not loop:  # a new event loop (a restarted server, a test)
            self.loop, self._task = loop, None
            self.positions.clear()
            self.presence.clear()
            self._reads.clear()
        self.open.add(desk)
        hub.start()  # its subscription carries the desks' wake-ups
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._serve())

    def leave(self, desk: Desk) -> None:
        self.open.discard(desk)

    def close_all(self) -> None:
        """The server is stopping: end every desk's stream (in the loop's thread)."""
        for desk in list(self.open):
            desk.ending = True
            desk.wake.set()

    def moved(self, blog_id: int, seq: int) -> None:
        """The blog's staff log reached ``seq``: wake its desks (in the loop's thread)."""
        if seq > self.positions.get(blog_id, -1):
            self.positions[blog_id] = seq
        self._wake({blog_id})

    def _wake(self, blog_ids: set[int]) -> None:
        for desk in list(self.open):
            if desk.blog_id in blog_ids:
                desk.wake.set()

    async def changes(self, blog_id: int, after: int) -> tuple[list[dict[str, object]], int]:
        """The log after ``after``; desks at the same position share one read."""
        key = (blog_id, after)
        future = self._reads.get(key)
        if future is None:
            future = asyncio.ensure_future(in_db_thread(changes_after, blog_id, after))
            self._reads[key] = future
            future.add_done_callback(lambda done: self._reads.pop(key, None))
        return await asyncio.shield(future)

    async def _serve(self) -> None:
        looked = renewed = rechecked = polled = time.monotonic()
        while self.open:
            await asyncio.sleep(settings.NEWSROOM_DESK_POLL_SECONDS)
            blogs = sorted({desk.blog_id for desk in self.open})
            if not blogs:
                continue
            now = time.monotonic()
            # The safety poll: news arrives through the hub; while it really does, the
            # database is asked every few seconds only (as the hub's own poll).
            every = settings.NEWSROOM_DESK_POLL_SECONDS * (5 if hub.healthy() else 1)
            if now - polled >= every * 0.99:
                polled = now
                with contextlib.suppress(Exception):
                    for blog_id, seq in (await in_db_thread(desk_positions, blogs)).items():
                        if seq > self.positions.get(blog_id, -1):
                            self.moved(blog_id, seq)
            if now - looked >= PRESENCE_EVERY:
                renew = now - renewed >= RENEW_EVERY
                tokens = [desk.token for desk in self.open]
                with contextlib.suppress(Exception):
                    seen = await in_db_thread(look_around, blogs, tokens, renew)
                    changed = {b for b, shown in seen.items() if self.presence.get(b) != shown}
                    self.presence.update(seen)
                    self._wake(changed)
                    renewed = now if renew else renewed
                looked = now
            if now - rechecked >= RECHECK_EVERY:
                users = sorted({desk.user_id for desk in self.open})
                with contextlib.suppress(Exception):
                    allowed = await in_db_thread(still_allowed, users)
                    for desk in list(self.open):
                        if desk.user_id not in allowed:
                            desk.closed = CLOSED
                            desk.wake.set()
                rechecked = now
        self._task = None
        if not hub.feeds:  # nobody left to serve: give the connection back
            DB_THREAD.submit(close_connections)


desks = Desks()
hub.closers.append(desks.close_all)  # a stopping server ends the desks with the readers


async def events(blog_id: int, after: int, user_id: int) -> AsyncGenerator[bytes, None]:
    """One desk's stream: the staff log after ``after``, then each new entry; a
    ``presence`` event whenever who is on the desk (or the reader count) changes; a
    ``closed`` event, and the end, if the account may no longer follow the desk."""
    desk = Desk(blog_id, user_id)
    desks.join(desk)
    sent, shown = after, None
    quiet_since = time.monotonic()
    first = True
    try:
        yield sse.RETRY
        await in_db_thread(enter, desk.token, blog_id, user_id)
        while True:
            desk.wake.clear()
            if desk.ending:
                return
            if desk.closed:
                yield event("closed", {"reason": desk.closed})
                return
            if first or desks.positions.get(blog_id, sent) > sent:
                changes, last = await desks.changes(blog_id, sent)
                if last != sent:
                    yield event("desk", {"seq": last, "changes": changes}, seq=last)
                    sent, quiet_since = last, time.monotonic()
            current = desks.presence.get(blog_id)
            if first and current is None:
                current = await in_db_thread(_on_desk_now, blog_id)
                desks.presence.setdefault(blog_id, current)
            if current is not None and current != shown:
                yield event("presence", current)
                shown, quiet_since = current, time.monotonic()
            first = False
            if time.monotonic() - quiet_since >= HEARTBEAT_EVERY:
                yield sse.KEEP_ALIVE
                quiet_since = time.monotonic()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(desk.wake.wait(), HEARTBEAT_EVERY)
    finally:
        desks.leave(desk)
        with contextlib.suppress(Exception):
            await in_db_thread(leave, desk.token)


def _on_desk_now(blog_id: int) -> dict[str, object]:
    fresh_connection()
    return on_desk(blog_id)
