"""Circuit breakers: after a dependency fails, leave it alone for a few seconds.

A stopped Redis refuses at once; a hung one (paused, or a socket that accepts and never
answers) costs every caller its full socket timeout. One failure opens the breaker for
``NEWSROOM_BREAKER_PAUSE`` seconds, during which callers skip the dependency and degrade
(the cache misses, the live channel polls the database, throttles count per process);
then a single caller probes it while the others keep skipping, and its success closes
the breaker again. So a hung Redis costs a process one timeout every few seconds, not
one per request, and nothing needs a restart when it returns.

``redis`` is the one breaker every Redis use in a process shares: the cache, the live
channel, presence, throttles. A toolkit module: it imports no app.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings

logger = logging.getLogger(__name__)


class Breaker:
    """Thread-safe; ``allows()`` before a call, then ``failed()`` or ``succeeded()``."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._lock = threading.Lock()
        self._open_until = 0.0  # 0: closed
        self._probing = False
        self.last_error = ""
        self.failures = 0

    @property
    def pause(self) -> float:
        return float(getattr(settings, "NEWSROOM_BREAKER_PAUSE", 5.0))

    def allows(self) -> bool:
        """Whether to call the dependency now: yes while closed; when open, no until the
        pause is over, then yes for one caller at a time (the probe)."""
        if not self._open_until:
            return True
        with self._lock:
            if not self._open_until:
                return True
            if self._probing or time.monotonic() < self._open_until:
                return False
            self._probing = True
            return True

    def failed(self, error: BaseException) -> None:
        with self._lock:
            if not self._open_until:
                logger.warning("%s unavailable (%s); left alone for %ss", self.name, error,
                               self.pause)  # fmt: skip
            self._open_until = time.monotonic() + self.pause
            self._probing = False
            self.last_error = f"{type(error).__name__}: {error}"[:200]
            self.failures += 1

    def succeeded(self) -> None:
        if not self._open_until:
            return
        with self._lock:
            if self._open_until:
                logger.warning("%s is back", self.name)
            self._open_until, self._probing = 0.0, False

    @property
    def state(self) -> str:
        """ "closed" (in use), "open" (skipped) or "probing" (one caller is trying it)."""
        if not self._open_until:
            return "closed"
        return "probing" if self._probing else "open"

    def reset(self) -> None:
        """Closed, as at start-up (tests; a configuration change)."""
        with self._lock:
            self._open_until, self._probing, self.last_error = 0.0, False, ""


redis = Breaker("Redis")
