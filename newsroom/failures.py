"""The last failures, for the operations view: every warning and error logged by
Newsroom's own code (``newsroom``, ``liveblog``, ``results``, ``partners``), in any
process, kept as the last ``KEEP`` (when, where, what), in the shared cache (Redis when
configured; this process's memory otherwise).

A logging handler (settings.LOGGING): it never raises, and never logs (a cache failure
while recording a failure would otherwise loop). A toolkit module: it imports no app.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from typing import Any

KEEP = 20
KEY = "newsroom:last-failures"
OURS = ("newsroom", "liveblog", "results", "partners")
_inside = threading.local()
PROCESS = f"{socket.gethostname()}:{os.getpid()}"


class LastFailures(logging.Handler):
    """Keeps WARNING and above from Newsroom's loggers."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith(OURS) or getattr(_inside, "busy", False):
            return
        _inside.busy = True
        try:
            message = record.getMessage()
            if record.exc_info and record.exc_info[1] is not None:
                message += f" ({type(record.exc_info[1]).__name__}: {record.exc_info[1]})"
            entry = {"at": record.created, "level": record.levelname, "where": record.name,
                     "what": message[:500], "process": PROCESS}  # fmt: skip
            remember(entry)
        except Exception:  # a failure to record a failure is dropped
            pass
        finally:
            _inside.busy = False


def remember(entry: dict[str, Any]) -> None:
    from django.core.cache import cache

    entries = [entry, *(cache.get(KEY) or [])][:KEEP]
    cache.set(KEY, entries, 7 * 24 * 3600)


def last() -> list[dict[str, Any]]:
    """The last failures, newest first."""
    from django.core.cache import cache

    try:
        entries = cache.get(KEY) or []
    except Exception:  # the view says the cache is down elsewhere
        return []
    return sorted(entries, key=lambda e: e.get("at", 0), reverse=True)[:KEEP]


def age(entry: dict[str, Any]) -> float:
    return max(0.0, time.time() - float(entry.get("at", 0)))
