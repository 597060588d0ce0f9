"""One reader's Server-Sent Events, shared by the Django view and the lean ASGI path:
the status ladder (``ladder``, written once), the per-process admission, and the bytes."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.http import HttpResponse

from newsroom.params import sequence

from . import sse
from .hub import HEARTBEAT, hub
from .operations import LiveEvent, op

HEADERS = {
    "Content-Type": "text/event-stream",
    "Cache-Control": "no-cache, no-transform",
    "X-Accel-Buffering": "no",  # nginx: pass events through unbuffered
}


class Admission:
    """How many streams this process holds, in all and per key (a client address; a
    session and an account): past any limit a new one is refused cleanly (a reader's
    page then polls) before the process runs out of file descriptors and fails everyone.
    Limits are settings' names, read at each connection."""

    def __init__(self, total: str, full: bytes, per: list[tuple[str, bytes]]) -> None:
        self.limit, self.full, self.per = total, full, per
        self.total = 0
        self.counts: list[Counter[str]] = [Counter() for _ in per]

    def refusal(self, *keys: str) -> tuple[int, bytes] | None:
        """``(status, message)`` if a stream with these keys may not open now."""
        if self.total >= getattr(settings, self.limit):
            return 503, self.full
        for (limit, message), counts, key in zip(self.per, self.counts, keys, strict=True):
            if counts[key] >= getattr(settings, limit):
                return 429, message
        return None

    def enter(self, *keys: str) -> None:
        self.total += 1
        for counts, key in zip(self.counts, keys, strict=True):
            counts[key] += 1

    def leave(self, *keys: str) -> None:
        self.total -= 1
        for counts, key in zip(self.counts, keys, strict=True):
            counts[key] -= 1
            if counts[key] <= 0:
                del counts[key]

    @property
    def by_client(self) -> Counter[str]:
        """The streams of each key of the first kind (readers: per client address)."""
        return self.counts[0]


admission = Admission(
    "NEWSROOM_STREAM_MAX_READERS",
    b"This server has all the live readers it can take: polling instead.",
    [("NEWSROOM_STREAM_MAX_PER_CLIENT", b"Too many live streams from one address.")],
)
RETRY_AFTER = "5"
ENDED = sse.event("ended", "ended")  # after the event that ends the blog: the page stops


class Admitted:
    """``chunks`` counted under ``keys`` (``to``'s kinds, in order) from the moment it is
    admitted (not when it is first read: a flood arriving at once must not all pass the
    check) until ``close()``, which Django calls on a streaming response's iterator when
    the response ends, read or not (the lean ASGI path calls it itself). Iterating gives
    ``chunks`` itself: no generator layer of its own between each event and each reader
    (one more step per reader per event is milliseconds at 10,000 readers)."""

    def __init__(self, keys: tuple[str, ...], chunks: AsyncGenerator[bytes, None],
                 to: Admission) -> None:  # fmt: skip
        self.keys, self.chunks, self.to = keys, chunks, to
        self._counted = True
        to.enter(*keys)

    def __aiter__(self) -> AsyncGenerator[bytes, None]:
        return self.chunks

    def close(self) -> None:
        if self._counted:
            self._counted = False
            self.to.leave(*self.keys)


def admitted(keys: tuple[str, ...], chunks: AsyncGenerator[bytes, None], *,
             to: Admission = admission) -> Admitted:  # fmt: skip
    """``chunks`` as one of ``to``'s streams under ``keys``, counted from now on."""
    return Admitted(keys, chunks, to)


def from_elsewhere(last_seq: int, after: int) -> bytes | None:
    """A cursor beyond the blog's position comes from another database (a restored
    backup, a dev copy): the page must reload, not wait for numbers it already "has"."""
    if after <= last_seq:
        return None
    return LiveEvent(seq=last_seq, html=op("reload")).wire


def cursor(after: str | None, last_event_id: str | None) -> int | None:
    """The reader's cursor: ``?after=`` or the browser's ``Last-Event-ID``, whichever is
    newer; None when either is not a sequence number."""
    values = [sequence(after or "0"), sequence(last_event_id or "0")]
    if None in values:
        return None
    return max(v for v in values if v is not None)


async def events(blog_id: int, after: int) -> AsyncGenerator[bytes, None]:
    """The stream's bytes: the retry hint, a catch-up from ``after``, then live events
    and keep-alives, until the blog ends or the reader falls too far behind."""
    yield sse.RETRY
    async for item in hub.subscribe(blog_id, after):
        if item is HEARTBEAT:
            yield sse.KEEP_ALIVE
            continue
        assert isinstance(item, LiveEvent)
        yield item.wire
        if item.ended:
            yield ENDED


@dataclass(frozen=True)
class Answer:
    """A stream request answered at once: refused, ended, told to reload, or (an edge
    engine's transport) handed over with its catch-up."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Opening:
    """A reader to serve from ``after`` on: the push transport decides how. ``path`` and
    ``headers`` (lower-case names) are the request's, for a transport that answers an
    edge engine (its signature, its own cursor, the link back to this URL)."""

    blog_id: int
    after: int
    client: str
    path: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    last_seq: int = -1  # the blog's position as the ladder saw it (-1: not known)


async def ladder(*, method: str, slug: str, after: str | None, last_event_id: str | None,
                 client: str, path: str = "",
                 headers: Mapping[str, str] | None = None) -> Answer | Opening:  # fmt: skip
    """The stream's status ladder, once for the Django view and the lean ASGI path:
    405 but for GET, 404 for no such blog, 400 for a cursor that is not a sequence
    number, 204 for an ended blog (the browser stops reconnecting), a reload for a cursor
    from another database; else a reader to open."""
    if method != "GET":
        return Answer(405)
    blog = await hub.blog_state(slug)
    if blog is None:
        return Answer(404, b"No such live blog.")
    position = cursor(after, last_event_id)
    if position is None:
        return Answer(400, b"after must be a change sequence number")
    if blog.ended:
        return Answer(204)
    if (reload := from_elsewhere(blog.last_seq, position)) is not None:
        return Answer(200, reload, dict(HEADERS))
    return Opening(blog.pk, position, client, path, headers or {}, blog.last_seq)


@dataclass(frozen=True)
class DeskOpening:
    """A desk (staff channel) allowed to follow ``blog_id`` from ``after`` on, as
    ``user_id`` (the desk's view checked); ``path`` and ``headers`` as in ``Opening``."""

    blog_id: int
    after: int
    user_id: int
    path: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    token: str = ""  # the desk's presence token, when an engine asks again for it


def http_response(answer: Answer) -> HttpResponse:
    """An ``Answer`` as Django's response (the Django views' half of the ladder)."""
    kind = answer.headers.get("Content-Type", "text/plain")
    response = HttpResponse(answer.body, status=answer.status, content_type=kind)
    for name, value in answer.headers.items():
        response[name] = value
    return response


def refused(status: int, message: bytes) -> Answer:
    """A stream this process will not hold now: the page polls and tries again later."""
    return Answer(status, message, {"Content-Type": "text/plain; charset=utf-8",
                                    "Retry-After": RETRY_AFTER})  # fmt: skip
