"""SIGTERM while a thousand readers hold streams: the stream server ends them and exits
within seconds (no graceful-shutdown timeout to lean on, as in the demo), and the readers
reconnect to the restarted server and catch up, nothing missed or doubled."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from .support import DEMO_SLUG, BrowserDatabase, Newsroom, Server, unique

READERS = 1000
EXIT_WITHIN = 5.0  # seconds from SIGTERM to the process gone (the bound)


T = TypeVar("T")


def run_apart(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` in a thread of its own: Playwright's sync API keeps an event loop
    running in this thread for the rest of the browser tests."""
    with ThreadPoolExecutor(1) as apart:
        return apart.submit(asyncio.run, coroutine).result()


async def open_stream(port: int, after: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"GET /live/{DEMO_SLUG}/stream/?after={after} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Accept: text/event-stream\r\n\r\n".encode()
    )
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    assert b" 200 " in head.split(b"\r\n", 1)[0], head
    assert b"retry: 2000" in await reader.readuntil(b"retry: 2000")  # connected and served
    return reader, writer


async def read_until(reader: asyncio.StreamReader, marker: bytes) -> bytes:
    seen = b""
    while marker not in seen:
        chunk = await reader.read(65536)
        if not chunk:
            break
        seen += chunk
    return seen


def test_sigterm_with_a_thousand_streams_exits_in_seconds_and_readers_catch_up(
    browser_db: BrowserDatabase, browser_workdir: Path, newsroom: Newsroom
):
    # Every reader comes from 127.0.0.1 here: lift the per-address cap for this server.
    server = Server("sigterm", browser_db.env, browser_workdir, graceful=None,
                    NEWSROOM_STREAM_MAX_PER_CLIENT=str(2 * READERS))  # fmt: skip
    server.start()
    try:
        last = newsroom.last_seq()

        async def stop_with_streams_open() -> tuple[float, list[bytes]]:
            streams = await asyncio.gather(*(open_stream(server.port, last)
                                             for _ in range(READERS)))  # fmt: skip
            started = time.monotonic()
            assert server.process is not None
            server.process.send_signal(signal.SIGTERM)
            ends = await asyncio.wait_for(
                asyncio.gather(*(reader.read() for reader, _ in streams)), EXIT_WITHIN
            )
            await asyncio.get_running_loop().run_in_executor(None, server.process.wait,
                                                             EXIT_WITHIN)  # fmt: skip
            took = time.monotonic() - started
            for _, writer in streams:
                writer.close()
            return took, ends

        took, ends = run_apart(stop_with_streams_open())

        assert took < EXIT_WITHIN, f"exited {took:.1f}s after SIGTERM"
        assert len(ends) == READERS  # every stream ended cleanly (EOF), none hung
        title = unique("Filed while the stream server restarted")
        newsroom.publish(title)
        server.start()

        async def reconnect() -> list[bytes]:
            streams = await asyncio.gather(*(open_stream(server.port, last)
                                             for _ in range(READERS)))  # fmt: skip
            seen = await asyncio.wait_for(
                asyncio.gather(*(read_until(reader, title.encode()) for reader, _ in streams)),
                30,
            )
            for _, writer in streams:
                writer.close()
            return seen

        caught_up = run_apart(reconnect())

        carrying = {sum(title.encode() in event for event in seen.split(b"\n\n"))
                    for seen in caught_up}  # fmt: skip
        assert carrying == {1}, carrying  # each reader got it in exactly one event
    finally:
        server.stop()
