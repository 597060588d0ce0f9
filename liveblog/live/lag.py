"""How late the live channel is: for each change this process delivered, the time from
the change being recorded to its event being handed to every reader here (the hub's own
timing, once per change, not per reader). Kept for the last few thousand changes, read by
the operations view and ``/metrics`` as p50/p99 and events per minute."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass

WINDOW = 4096  # deliveries remembered
RECENT = 300.0  # seconds: the percentiles are of the last five minutes


@dataclass(frozen=True)
class Summary:
    delivered: int  # since the process started
    per_minute: int  # in the last minute
    p50: float | None  # seconds, over the last RECENT seconds (None: nothing delivered)
    p99: float | None

    def as_dict(self) -> dict[str, float | int | None]:
        return {"delivered": self.delivered, "per_minute": self.per_minute,
                "p50": self.p50, "p99": self.p99}  # fmt: skip


class Deliveries:
    """Thread-safe ring of (when, lag) pairs."""

    def __init__(self, size: int = WINDOW) -> None:
        self._items: deque[tuple[float, float]] = deque(maxlen=size)
        self._lock = threading.Lock()
        self.delivered = 0

    def record(self, recorded_at: float, *, now: float | None = None) -> None:
        """A change recorded at ``recorded_at`` (epoch seconds) was just handed out."""
        now = time.time() if now is None else now
        with self._lock:
            self._items.append((now, max(0.0, now - recorded_at)))
            self.delivered += 1

    def summary(self, *, now: float | None = None) -> Summary:
        now = time.time() if now is None else now
        with self._lock:
            items = list(self._items)
            delivered = self.delivered
        recent = sorted(lag for at, lag in items if at >= now - RECENT)
        per_minute = sum(1 for at, _ in items if at >= now - 60)
        return Summary(delivered=delivered, per_minute=per_minute,
                       p50=_quantile(recent, 0.50), p99=_quantile(recent, 0.99))  # fmt: skip


def _quantile(ordered: list[float], q: float) -> float | None:
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


deliveries = Deliveries()
