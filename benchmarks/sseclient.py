"""A lean Server-Sent Events load client: thousands of readers in one process.

Run by the push benchmark as ``python -m benchmarks.sseclient --port P --path … --count N
--sources 127.1``; it is driven over stdin/stdout with one JSON object a line:

- ``{"cmd": "connect", "after": S}``: open every connection (bounded concurrency), answer
  ``{"connected": n, "failed": f, "seconds": t}`` once each has its response headers.
- ``{"cmd": "arm", "seq": X}``: start watching for the event ``id: X`` (answers at once);
  then ``{"cmd": "collect", "timeout": T}``: answer with the monotonic times at which
  each reader had received the whole event (null where it did not in time), and how
  many streams the server closed (``reopened``): a reader whose stream the server closes
  opens it again after the stream's retry (2 s) from its last id, as EventSource does.
- ``{"cmd": "drop"}``: reset every connection (a reconnect storm's first half).
- ``{"cmd": "reconnect", "seq": X, "timeout": T}``: reconnect all at once, each with
  ``?after=`` its own last id; answer with the times each first held an event with
  ``id >= X`` (the catch-up), plus the start time.
- ``{"cmd": "quit"}``.

Plain asyncio protocols on raw sockets (no HTTP library), uvloop when installed: the
client must never be what limits the measurement. Readers connect from distinct loopback
addresses (``--sources 127.1``: 127.1.0.1, 127.1.0.2, …, ``--per-address`` readers each),
as a crowd comes from many addresses: the production limits per client address (nginx's
``limit_conn``, the stream processes' own) stay on while it runs. Every time is
``time.monotonic()``, one clock for all processes of the machine. Loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import re
import socket
import struct
import sys
import time

ID_LINE = re.compile(rb"(?:^|\n)id: (\d+)\n")


class Reader(asyncio.Protocol):
    """One reader's connection: tracks the newest complete event id it has received."""

    __slots__ = ("buffer", "client", "connected", "dropped", "headers_done", "last_id", "slot",
                 "transport")  # fmt: skip

    def __init__(self, client: Client, slot: int) -> None:
        self.client = client
        self.slot = slot  # the reader's place in the crowd (the same across reconnects)
        self.dropped = False  # closed by the benchmark itself
        self.transport: asyncio.Transport | None = None
        self.buffer = b""
        self.headers_done = asyncio.get_running_loop().create_future()
        self.last_id = 0
        self.connected = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.connected = True

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer + data
        if not self.headers_done.done():
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                self.buffer = buffer
                return
            status = buffer[: buffer.find(b"\r\n")]
            if b" 200 " not in status:
                self.headers_done.set_exception(ConnectionError(status.decode(errors="replace")))
                return
            self.headers_done.set_result(None)
            buffer = buffer[end + 4 :]
        # Events end with a blank line; only complete events count as received.
        end = buffer.rfind(b"\n\n")
        if end < 0:
            self.buffer = buffer
            return
        complete, self.buffer = buffer[: end + 2], buffer[end + 2 :]
        ids = ID_LINE.findall(complete)
        if ids:
            newest = int(ids[-1])
            if newest > self.last_id:
                self.last_id = newest
                self.client.received(self, newest)

    def connection_lost(self, exc: Exception | None) -> None:
        self.connected = False
        if not self.headers_done.done():
            self.headers_done.set_exception(ConnectionError(str(exc or "closed")))
        elif not self.dropped:
            self.client.lost(self)  # closed by the server: reconnect, as EventSource does

    def drop(self) -> None:
        """Close with a reset (SO_LINGER 0): no TIME_WAIT left behind, as a crash would."""
        if self.transport is None:
            return
        self.dropped = True
        sock = self.transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.transport.abort()


class Client:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.readers: list[Reader] = []
        self.reopened = 0  # streams the server closed, opened again
        self.waiting_for = 0
        self.got: dict[int, float] = {}
        self.all_done: asyncio.Event | None = None

    def received(self, reader: Reader, seq: int) -> None:
        if self.waiting_for and seq >= self.waiting_for:
            key = reader.slot
            if key not in self.got:
                self.got[key] = time.monotonic()
                if len(self.got) >= len(self.readers) and self.all_done is not None:
                    self.all_done.set()

    def source(self, index: int) -> str | None:
        """The loopback address reader ``index`` connects from (the same on reconnect)."""
        if not self.args.sources:
            return None
        block = index // self.args.per_address  # 254 usable addresses per third octet
        return f"{self.args.sources}.{block // 254}.{block % 254 + 1}"

    def lost(self, reader: Reader) -> None:
        """A stream the server closed: open it again after the stream's ``retry`` (2 s)
        from the last id it had, as a browser's EventSource does, and count it."""
        self.reopened += 1
        asyncio.get_running_loop().call_later(2.0, lambda: asyncio.ensure_future(
            self._reopen(reader)))  # fmt: skip

    async def _reopen(self, old: Reader) -> None:
        try:
            new = await self._open(old.slot, old.last_id, None)
        except Exception:
            self.lost(old)  # refused or unreachable: try again later
            return
        with contextlib.suppress(ValueError):
            self.readers[self.readers.index(old)] = new

    async def _open(self, index: int, after: int, gate: asyncio.Semaphore | None) -> Reader:
        loop = asyncio.get_running_loop()
        request = (
            f"GET {self.args.path}?after={after} HTTP/1.1\r\nHost: {self.args.host_header}\r\n"
            "Accept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n"
        ).encode()
        if gate is not None:
            await gate.acquire()
        try:
            _, reader = await loop.create_connection(
                lambda: Reader(self, index),
                self.args.host,
                self.args.port,
                local_addr=(source, 0) if (source := self.source(index)) else None,
            )
            reader.last_id = after
            assert reader.transport is not None
            reader.transport.write(request)
            await asyncio.wait_for(reader.headers_done, 60)
            return reader
        finally:
            if gate is not None:
                gate.release()

    async def connect(self, afters: list[int], concurrency: int) -> dict[str, object]:
        gate = asyncio.Semaphore(concurrency) if concurrency else None
        started = time.monotonic()
        results = await asyncio.gather(
            *(self._open(index, after, gate) for index, after in enumerate(afters)),
            return_exceptions=True,
        )
        self.readers = [r for r in results if isinstance(r, Reader)]
        errors = [str(r) for r in results if not isinstance(r, Reader)]
        return {
            "connected": len(self.readers),
            "failed": len(errors),
            "errors": sorted(set(errors))[:5],
            "started": started,
            "seconds": time.monotonic() - started,
        }

    def arm(self, seq: int) -> dict[str, object]:
        self.got = {}
        self.all_done = asyncio.Event()
        self.waiting_for = seq
        early = [reader for reader in self.readers if reader.last_id >= seq]
        return {"armed": len(self.readers), "early": len(early)}

    async def collect(self, timeout: float) -> dict[str, object]:
        assert self.all_done is not None
        if len(self.got) < len(self.readers):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.all_done.wait(), timeout)
        self.waiting_for = 0
        times = [self.got.get(reader.slot) for reader in self.readers]
        return {"times": times, "missing": sum(t is None for t in times),
                "reopened": self.reopened}  # fmt: skip

    def drop(self) -> dict[str, object]:
        for reader in self.readers:
            reader.drop()
        return {"dropped": len(self.readers)}

    async def reconnect(self, seq: int, timeout: float, concurrency: int) -> dict[str, object]:
        afters = [reader.last_id for reader in self.readers]
        self.got = {}
        self.all_done = asyncio.Event()
        self.waiting_for = seq
        started = time.monotonic()
        outcome = await self.connect(afters, concurrency)
        if len(self.got) < len(self.readers):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.all_done.wait(), timeout)
        self.waiting_for = 0
        times = [self.got.get(reader.slot) for reader in self.readers]
        return {**outcome, "started": started, "times": times,
                "missing": sum(t is None for t in times) + int(outcome["failed"])}  # fmt: skip


async def serve(args: argparse.Namespace) -> None:
    client = Client(args)
    loop = asyncio.get_running_loop()
    stdin = asyncio.StreamReader(limit=2**20)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)

    def answer(message: dict[str, object]) -> None:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()

    answer({"ready": True})
    while line := await stdin.readline():
        command = json.loads(line)
        match command["cmd"]:
            case "connect":
                afters = [int(command.get("after", 0))] * args.count
                answer(await client.connect(afters, int(command.get("concurrency", 256))))
            case "arm":
                answer(client.arm(int(command["seq"])))
            case "collect":
                answer(await client.collect(float(command["timeout"])))
            case "drop":
                answer(client.drop())
            case "reconnect":
                answer(
                    await client.reconnect(
                        int(command["seq"]),
                        float(command["timeout"]),
                        int(command.get("concurrency", 0)),
                    )
                )
            case "quit":
                client.drop()
                answer({"bye": True})
                return


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--host-header", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument(
        "--sources",
        default="",
        help="connect from 127.A.x.y (give 127.A), a few readers an address",
    )
    parser.add_argument(
        "--per-address",
        type=int,
        default=32,
        help="readers per source address (below the per-client limits)",
    )
    args = parser.parse_args()
    sources = args.sources.split(".")
    if not args.host.startswith("127.") or (
        args.sources and (len(sources) != 2 or sources[0] != "127" or not sources[1].isdigit())
    ):
        parser.error("loopback only: --sources 127.A")  # fmt: skip
    # The client's own garbage-collector pauses must not count as delivery latency (its
    # objects are freed by reference counting; it makes no cycles worth collecting).
    gc.disable()
    try:
        import uvloop
    except ImportError:
        asyncio.run(serve(args))
    else:
        uvloop.run(serve(args))


if __name__ == "__main__":
    main()
