"""The per-process fan-out of live updates.

One hub per server process. For each blog with connected readers it keeps a feed that
knows the last sequence it fanned out; when woken it reads the new changes from the
database once, renders them once, and puts the events on every reader's queue.

The same subscription carries the desks' staff channel (``listen``): "blog 7's staff log
moved" wakes this process's open desks (``liveblog.desk.channel``), which read their own
log; the hub knows nothing of it but the channel's name.

Wake-ups come from three places, so that nothing depends on one of them:
- this process's own writes (``notify`` after commit), at once;
- Redis pub/sub (channel ``<prefix>:live``), one subscription per process (never one
  per reader), for writes made by other processes and machines;
- a safety poll of ``LiveBlog.last_seq`` for the blogs being watched, every second when
  Redis is absent or down, every few seconds otherwise.
The database is the source of truth: Redis carries only "blog 7 has news".

All of the hub's database work runs in one thread of its own (``db.py``), never in a
reader's request thread. Catch-ups are rendered once per (cursor, position) and shared
by every reader that asks for the same one, so a crowd reconnecting at once costs a
handful of renders, not one per reader.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any, TypeVar

from asgiref.sync import sync_to_async
from django.conf import settings

from newsroom import breaker
from newsroom.params import sequence

from ..models.blog import BlogState
from . import db as live_db
from . import lag, positions, presence
from . import redis as live_redis
from .operations import LiveEvent

logger = logging.getLogger(__name__)
T = TypeVar("T")
QUEUE_SIZE = 256  # a reader this far behind is dropped; its page reconnects and catches up
HEARTBEAT = object()
OVERFLOW = object()
CLOSING = object()  # the server is stopping: end the stream; the page reconnects elsewhere


class BlogFeed:
    def __init__(self, hub: Hub, blog_id: int, last_seq: int) -> None:
        self.hub = hub
        self.blog_id = blog_id
        self.last_seq = last_seq
        self.queues: set[asyncio.Queue[object]] = set()
        # Catch-ups being or already rendered up to ``last_seq``, by the reader's cursor.
        self.catch_ups: dict[int, asyncio.Future[LiveEvent | None]] = {}
        self._running = False
        self._again = False

    def kick(self) -> None:
        """Fetch and fan out what is new; coalesces wake-ups that arrive while busy."""
        if self._running:
            self._again = True
            return
        self._running = True
        self.hub.spawn(self._advance())

    async def _advance(self) -> None:
        try:
            while True:
                self._again = False
                events = await live_db.in_db_thread(live_db.new_events, self.blog_id, self.last_seq)
                if events:
                    self.catch_ups.clear()  # they end at the old position
                for event in events:
                    self.fan_out(event)
                    self.last_seq = event.seq
                    if event.recorded_at:
                        lag.deliveries.record(event.recorded_at)
                if not (self._again or len(events) >= 500):
                    return
        except Exception:
            logger.exception("live: could not advance blog %s", self.blog_id)
        finally:
            self._running = False

    async def catch_up(self, after: int) -> LiveEvent | None:
        """The changes after ``after`` up to ``last_seq`` as one event (None: current).

        Events above ``last_seq`` reach the reader's queue from ``_advance`` (the queue
        is registered first), so stopping here misses nothing; readers with the same
        cursor share one render.
        """
        upto = self.last_seq
        if after >= upto:
            return None
        future = self.catch_ups.get(after)
        if future is None:
            future = asyncio.ensure_future(
                live_db.in_db_thread(live_db.catch_up, self.blog_id, after, upto)
            )
            if len(self.catch_ups) >= 64:
                self.catch_ups.clear()
            self.catch_ups[after] = future
        try:
            return await asyncio.shield(future)  # one reader leaving must not cancel it
        except asyncio.CancelledError:
            raise
        except Exception:
            if self.catch_ups.get(after) is future:
                del self.catch_ups[after]
            raise

    def fan_out(self, event: LiveEvent) -> None:
        for queue in list(self.queues):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                self.queues.discard(queue)
                with contextlib.suppress(asyncio.QueueFull):
                    queue.get_nowait()
                    queue.put_nowait(OVERFLOW)


class Hub:
    def __init__(self) -> None:
        self.feeds: dict[int, BlogFeed] = {}
        self.loop: asyncio.AbstractEventLoop | None = None
        self.token = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.redis_ok = False
        self.closing = False
        self.closers: list[Callable[[], None]] = []  # other streams to end with the readers'
        self._tasks: set[asyncio.Task[None]] = set()
        self._lookups: dict[str, asyncio.Future[BlogState | None]] = {}
        # Other channels carried by the hub's subscription: name → what a message wakes
        # (called in the loop's thread with the blog and its position).
        self.listeners: dict[str, Callable[[int, int], None]] = {}

    def listen(self, channel: str, wake: Callable[[int, int], None]) -> None:
        """Carry ``channel`` too (connected at import, before the loop starts)."""
        self.listeners[channel] = wake

    def tell(self, channel: str, blog_id: int, seq: int) -> None:
        """Thread-safe: wake ``channel``'s listener in this process (its own writes)."""
        loop, wake = self.loop, self.listeners.get(channel)
        if loop is None or loop.is_closed() or wake is None:
            return
        loop.call_soon_threadsafe(wake, blog_id, seq)

    def healthy(self) -> bool:
        """Whether news really arrives through Redis: subscribed, and this process's own
        Redis calls succeeding (a hung Redis keeps a subscription open while nothing
        comes through it). Safety polls slow down only then."""
        return bool(settings.REDIS_URL and self.redis_ok and breaker.redis.state == "closed")

    # --- wake-ups -----------------------------------------------------------------
    def notify(self, blog_id: int) -> None:
        """Thread-safe: a change of ``blog_id`` committed in this process."""
        loop = self.loop
        if loop is None or loop.is_closed() or blog_id not in self.feeds:
            return
        loop.call_soon_threadsafe(self._kick, blog_id)

    def _kick(self, blog_id: int) -> None:
        feed = self.feeds.get(blog_id)
        if feed is not None:
            feed.kick()

    def spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def start(self) -> None:
        """Serve from the running event loop (a reader's or a desk's first connect)."""
        loop = asyncio.get_running_loop()
        if self.loop is loop:
            return
        self.loop = loop  # a new event loop (a restarted server, a test): start afresh
        self.closing = False
        self.feeds.clear()
        self._tasks.clear()
        self._lookups.clear()
        positions.clear()  # nor trust what the old loop's process remembered
        self.spawn(self._poll_forever())
        self.spawn(self._heartbeat_forever())
        if settings.REDIS_URL:
            self.spawn(self._listen_forever())

    async def _poll_forever(self) -> None:
        reported: dict[int, int] = {}
        while True:
            # Polling slows only while changes really arrive through Redis.
            slower = 5 if self.healthy() else 1
            await asyncio.sleep(settings.NEWSROOM_LIVE_POLL_SECONDS * slower)
            try:
                if self.feeds:
                    seqs = await live_db.in_db_thread(live_db.last_seqs, list(self.feeds))
                    for blog_id, seq in seqs.items():
                        feed = self.feeds.get(blog_id)
                        if feed is not None and seq > feed.last_seq:
                            feed.kick()
                # Report every blog this process has readers of, and zero for those it
                # just lost, so counts fall as soon as readers leave.
                counts = {blog_id: 0 for blog_id in reported} | self.readers()
                await presence.report(self.token, counts, lag.deliveries.summary())
                reported = {b: c for b, c in counts.items() if c}
            except Exception:
                logger.exception("live: safety poll failed")

    async def _heartbeat_forever(self) -> None:
        """Every ``NEWSROOM_LIVE_HEARTBEAT`` seconds, a keep-alive for each idle reader
        (one with nothing queued), so no connection goes quiet for longer than that."""
        while True:
            await asyncio.sleep(settings.NEWSROOM_LIVE_HEARTBEAT)
            for feed in list(self.feeds.values()):
                for queue in list(feed.queues):
                    if queue.empty():
                        queue.put_nowait(HEARTBEAT)

    async def _listen_forever(self) -> None:
        from redis.asyncio import Redis

        delay = 0.5
        while True:
            client = Redis.from_url(
                settings.REDIS_URL,
                socket_connect_timeout=settings.REDIS_SOCKET_TIMEOUT,
                health_check_interval=10,
            )
            try:
                async with client.pubsub() as pubsub:
                    names = {live_redis.key(c): c for c in ("live", *self.listeners)}
                    await pubsub.subscribe(*names)
                    self.redis_ok, delay = True, 0.5
                    # Anything published while we were away: let the database tell us.
                    for feed in list(self.feeds.values()):
                        feed.kick()
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            channel = _text(message.get("channel", b""))
                            self._on_message(message.get("data", b""), names.get(channel))
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if self.redis_ok:
                    logger.warning("live: Redis subscription lost (%s); polling meanwhile", error)
                self.redis_ok = False
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10)
            finally:
                with contextlib.suppress(Exception):
                    await client.aclose()

    def _on_message(self, data: bytes | str, channel: str | None = "live") -> None:
        """ "7:42" on ``channel``: blog 7's log reached 42 in another process."""
        blog, _, seq = _text(data).partition(":")
        blog_id = sequence(blog)
        if blog_id is None:
            return
        if channel == "live":
            positions.forget(blog_id)
            self._kick(blog_id)
        elif (wake := self.listeners.get(channel or "")) is not None:
            wake(blog_id, sequence(seq) or 0)

    # --- readers --------------------------------------------------------------------
    async def blog_state(self, slug: str) -> BlogState | None:
        """A blog's id, status and position, from memory when fresh (see ``state``)."""
        state = positions.cached(slug)
        if state is not None:
            return state
        # Readers arriving together (a reconnect storm) share one lookup.
        lookup = self._lookups.get(slug)
        if lookup is None or lookup.get_loop() is not asyncio.get_running_loop():
            lookup = asyncio.ensure_future(sync_to_async(live_db.lookup_blog)(slug))
            self._lookups[slug] = lookup
            lookup.add_done_callback(lambda _: self._lookups.pop(slug, None))
        return await asyncio.shield(lookup)

    async def subscribe(self, blog_id: int, after: int) -> AsyncIterator[object]:
        """Events for one reader: a catch-up from ``after``, then live ones, in order.

        Yields ``LiveEvent``s, ``HEARTBEAT`` when idle, and stops after ``OVERFLOW``
        (the reader fell too far behind) or the event that ends the blog.
        """
        self.start()
        if self.closing:
            return
        feed = self.feeds.get(blog_id)
        if feed is None:
            seqs = await live_db.in_db_thread(live_db.last_seqs, [blog_id])
            feed = self.feeds.setdefault(blog_id, BlogFeed(self, blog_id, seqs.get(blog_id, 0)))
        queue: asyncio.Queue[object] = asyncio.Queue(maxsize=QUEUE_SIZE)
        feed.queues.add(queue)  # before the catch-up, so nothing falls between the two
        try:
            if self.stopping():  # the server began to stop while this reader was on its way
                return
            sent = after
            catch_up = await feed.catch_up(after)
            if catch_up is not None:
                yield catch_up
                sent = catch_up.seq
                if catch_up.ended:
                    return
            while True:
                # No timer per reader: the hub's heartbeat puts HEARTBEAT on idle queues
                # (a timeout per wait was a third of the cost of fanning an event out).
                item = await queue.get()
                if item is HEARTBEAT:
                    yield HEARTBEAT
                    continue
                if item is OVERFLOW or item is CLOSING:
                    return
                assert isinstance(item, LiveEvent)
                if item.seq <= sent:
                    continue  # already in the catch-up
                yield item
                sent = item.seq
                if item.ended:
                    return
        finally:
            feed.queues.discard(queue)
            if not feed.queues and self.feeds.get(blog_id) is feed:
                del self.feeds[blog_id]
                if not self.feeds:  # nobody left to serve: give the connection back
                    live_db.DB_THREAD.submit(live_db.close_connections)

    def stopping(self) -> bool:
        """Whether ``close_streams`` has run (asked after an ``await``: it may have run
        meanwhile)."""
        return self.closing

    def close_streams(self) -> None:
        """The server is stopping: end every reader's stream now (in the loop's thread).

        Each stream ends cleanly, so the server's graceful shutdown has nothing to wait
        for; each page's EventSource reconnects (to another process, or to this one
        restarted) and catches up from its last event: nothing is missed or doubled."""
        self.closing = True
        for close in self.closers:
            close()
        for feed in list(self.feeds.values()):
            for queue in list(feed.queues):
                while True:
                    try:
                        queue.put_nowait(CLOSING)
                        break
                    except asyncio.QueueFull:
                        queue.get_nowait()  # it is ending: what it had not read is caught up

    def readers(self) -> dict[int, int]:
        return {blog_id: len(feed.queues) for blog_id, feed in self.feeds.items()}


def _text(data: bytes | str) -> str:
    return data.decode(errors="replace") if isinstance(data, bytes) else data


hub = Hub()
