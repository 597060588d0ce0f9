"""Server-Sent Events on the wire, one encoder for the live channel and the desk's staff
channel (https://html.spec.whatwg.org/multipage/server-sent-events.html)."""

from __future__ import annotations

RETRY = b"retry: 2000\n\n"  # the first bytes of every stream: reconnect after 2 s
KEEP_ALIVE = b": keep-alive\n\n"  # a comment: keeps proxies from closing a quiet stream


def event(name: str, data: str, *, id: int | None = None) -> bytes:
    """One event: its id (the log's sequence, which the browser sends back as
    ``Last-Event-ID``), its name and its data, one ``data:`` line per line."""
    head = f"id: {id}\n" if id is not None else ""
    lines = "".join(f"data: {line}\n" for line in data.splitlines() or [""])
    return f"{head}event: {name}\n{lines}\n".encode()
