"""One reader's Server-Sent Events, shared by the Django view and the lean ASGI path."""

from __future__ import annotations

from collections.abc import AsyncGenerator

from newsroom.params import sequence

from .hub import HEARTBEAT, hub
from .render import LiveEvent

HEADERS = {
    "Content-Type": "text/event-stream",
    "Cache-Control": "no-cache, no-transform",
    "X-Accel-Buffering": "no",  # nginx: pass events through unbuffered
}


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
