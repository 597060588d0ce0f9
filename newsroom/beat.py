"""The embedded beat: without a broker, the web process runs the beat schedule itself.

With ``REDIS_URL`` a Celery beat process sends ``CELERY_BEAT_SCHEDULE``'s tasks to the
workers. Without it (the embedded defaults: ``make demo``, a laptop) there is no beat
and no worker, so the stream server (``liveblog.live.asgi``) runs the same schedule in
its own process: each entry at its interval, in one thread of its own, eagerly. The
tasks are the production ones (the sweeper of scheduled posts, webhook retries, …), so
the two setups differ only in who runs them. A toolkit module: it names tasks only by
their registered names.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.db import close_old_connections

from .queueing import registered

logger = logging.getLogger(__name__)
TICK = 0.25  # seconds between looks at the schedule

_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embedded-beat")


class EmbeddedBeat:
    """Runs each schedule entry every ``schedule`` seconds, first one interval in."""

    def __init__(self, schedule: dict[str, dict[str, Any]], *, now: float) -> None:
        self.entries = {
            name: entry for name, entry in schedule.items() if isinstance(entry["schedule"], float)
        }
        self.next_run = {name: now + entry["schedule"] for name, entry in self.entries.items()}

    def due(self, now: float) -> list[str]:
        """The entries whose time has come; each is then due again one interval later."""
        names = [name for name, at in self.next_run.items() if at <= now]
        for name in names:
            self.next_run[name] = now + self.entries[name]["schedule"]
        return names

    def run(self, name: str) -> None:
        """Run one entry's task here and now; a failure is logged, never raised."""
        entry = self.entries[name]
        try:
            # Called directly (not .apply()): the same code, without a log line per run
            # on the demo's console every second.
            registered(entry["task"])(*entry.get("args", ()), **entry.get("kwargs", {}))
        except Exception:
            logger.exception("embedded beat: %s failed", name)

    def run_in_thread(self, name: str) -> None:
        """``run`` in the beat's own thread, with a usable database connection (like a
        worker: stale or broken connections are dropped before and after)."""
        close_old_connections()
        try:
            self.run(name)
        finally:
            close_old_connections()

    async def forever(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(TICK)
            for name in self.due(time.monotonic()):
                await loop.run_in_executor(_THREAD, self.run_in_thread, name)


def start() -> asyncio.Task[None] | None:
    """Start the embedded beat on the running loop if there is no broker (else None)."""
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        return None
    beat = EmbeddedBeat(settings.CELERY_BEAT_SCHEDULE, now=time.monotonic())
    return asyncio.get_running_loop().create_task(beat.forever())


async def stop(task: asyncio.Task[None] | None) -> None:
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
