"""One reader's Server-Sent Events, shared by the Django view and the lean ASGI path."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncGenerator

from django.conf import settings

from newsroom.params import sequence

from .hub import HEARTBEAT, hub
from .render import LiveEvent, op

HEADERS = {
    "Content-Type": "text/event-stream",
    "Cache-Control": "no-cache, no-transform",
    "X-Accel-Buffering": "no",  # nginx: pass events through unbuffered
}


class Admission:
    """How many streams this process holds, in all and per client: past either limit a
    new reader is refused cleanly (the page then polls) before the process runs out of
    file descriptors and fails everyone (NEWSROOM_STREAM_MAX_READERS, _PER_CLIENT)."""

    def __init__(self) -> None:
        self.total = 0
        self.by_client: Counter[str] = Counter()

    def refusal(self, client: str) -> tuple[int, bytes] | None:
        """``(status, message)`` if this client may not open another stream now."""
        if self.total >= settings.NEWSROOM_STREAM_MAX_READERS:
            return 503, b"This server has all the live readers it can take: polling instead."
        if self.by_client[client] >= settings.NEWSROOM_STREAM_MAX_PER_CLIENT:
            return 429, b"Too many live streams from one address."
        return None

    def enter(self, client: str) -> None:
        self.total += 1
        self.by_client[client] += 1

    def leave(self, client: str) -> None:
        self.total -= 1
        self.by_client[client] -= 1
        if self.by_client[client] <= 0:
            del self.by_client[client]


admission = Admission()
RETRY_AFTER = "5"


async def admitted(client: str, chunks: AsyncGenerator[bytes, None]) -> AsyncGenerator[bytes, None]:
    """``chunks`` counted as one of ``client``'s streams for as long as it runs."""
    admission.enter(client)
    try:
        async for chunk in chunks:
            yield chunk
    finally:
        admission.leave(client)
        await chunks.aclose()


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
    yield b"retry: 2000\n\n"
    async for item in hub.subscribe(blog_id, after):
        if item is HEARTBEAT:
            yield b": keep-alive\n\n"
            continue
        assert isinstance(item, LiveEvent)
        yield item.wire
        if item.ended:
            yield b"event: ended\ndata: ended\n\n"
