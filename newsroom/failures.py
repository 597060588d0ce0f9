"""The last failures, for the operations view: every warning and error logged by
Newsroom's own code (``newsroom``, ``liveblog``, ``results``, ``partners``), in any
process, kept as the last ``KEEP`` (when, where, what): in this process's memory at once,
and in the shared cache (Redis when configured) by a thread of its own.

A logging handler (settings.LOGGING) that never raises and never waits on anything: a
record may be logged while its logger holds a lock (the Redis breaker logs with its lock
held), so the handler only queues the record; the writer thread takes it to the cache,
whose own breaker makes a dead or hung Redis cost it nothing. A toolkit module: it
imports no app.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import socket
import threading
import time
from collections import deque
from typing import Any

KEEP = 20
KEY = "newsroom:last-failures"
OURS = ("newsroom", "liveblog", "results", "partners")
PROCESS = f"{socket.gethostname()}:{os.getpid()}"

_recent: deque[dict[str, Any]] = deque(maxlen=KEEP)  # this process's own
_pending: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()
_writer: threading.Thread | None = None
_writer_lock = threading.Lock()


class LastFailures(logging.Handler):
    """Keeps WARNING and above from Newsroom's loggers."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith(OURS):
            return
        with contextlib.suppress(Exception):  # a failure to keep a failure is dropped
            message = record.getMessage()
            if record.exc_info and record.exc_info[1] is not None:
                message += f" ({type(record.exc_info[1]).__name__}: {record.exc_info[1]})"
            entry = {"at": record.created, "level": record.levelname, "where": record.name,
                     "what": message[:500], "process": PROCESS}  # fmt: skip
            _recent.appendleft(entry)
            _pending.put(entry)
            _start_writer()


def _start_writer() -> None:
    global _writer
    if _writer is not None and _writer.is_alive():
        return
    with _writer_lock:
        if _writer is None or not _writer.is_alive():
            _writer = threading.Thread(target=_write_forever, name="last-failures", daemon=True)
            _writer.start()


def _write_forever() -> None:
    while True:
        entry = _pending.get()
        with contextlib.suppress(Exception):  # the cache is down: the entry stays local
            remember(entry)


def remember(entry: dict[str, Any]) -> None:
    """Add ``entry`` to the shared list (the writer thread's work; tests call it)."""
    from django.core.cache import cache

    entries = [entry, *(cache.get(KEY) or [])][:KEEP]
    cache.set(KEY, entries, 7 * 24 * 3600)


def flush(timeout: float = 2.0) -> None:
    """Wait until the queued entries are in the shared cache (tests)."""
    deadline = time.monotonic() + timeout
    while not _pending.empty() and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)  # the last one being written


def last() -> list[dict[str, Any]]:
    """The last failures of every process (and this one's, whatever the cache says),
    newest first."""
    from django.core.cache import cache

    shared: list[dict[str, Any]] = []
    with contextlib.suppress(Exception):  # the page says the cache is down elsewhere
        shared = list(cache.get(KEY) or [])
    seen, merged = set(), []
    for entry in sorted([*shared, *_recent], key=lambda e: e.get("at", 0), reverse=True):
        key = (entry.get("at"), entry.get("process"), entry.get("what"))
        if key not in seen:
            seen.add(key)
            merged.append(entry)
    return merged[:KEEP]


def age(entry: dict[str, Any]) -> float:
    return max(0.0, time.time() - float(entry.get("at", 0)))
