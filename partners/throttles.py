"""Rate limits per caller (API key or user), by scope.

Rates come from ``NEWSROOM_API_THROTTLE_RATES``, read at each request. Scopes:
``partner-read`` (partner keys reading), ``staff-read`` (staff sessions and staff tokens
reading), ``staff-write`` (every write), ``partner-write`` (webhook management). A
throttled request gets 429 with ``Retry-After``. Counts live in the default cache
(Redis in production, so every process shares them).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from newsroom.apikit.callers import caller_id

from .auth import Partner

logger = logging.getLogger(__name__)
SHARED_PAUSE = 5.0  # seconds to count locally after the shared cache failed
LOCAL_COUNTS = LocMemCache("newsroom-throttles", {"OPTIONS": {"MAX_ENTRIES": 100_000}})
_shared_down_until = 0.0


def throttle_scope(request: Request, view: Any) -> str:
    if explicit := getattr(view, "throttle_scope", None):
        return str(explicit)
    partner = isinstance(request.user, Partner)
    if request.method in SAFE_METHODS:
        return "partner-read" if partner else "staff-read"
    return "partner-write" if partner else "staff-write"


class CallerRateThrottle(SimpleRateThrottle):
    """Like DRF's ``ScopedRateThrottle``, keyed by the key id or user id, scope by method.

    Counts live in the shared cache (Redis). When it fails or hangs, this process counts
    on its own (a per-process allowance, logged) for ``SHARED_PAUSE`` seconds before
    trying the shared cache again: the API keeps answering, never a 500.
    """

    def allow_request(self, request: Request, view: Any) -> bool:
        ident = caller_id(request)
        if ident is None:
            return True  # only the public schema and docs are reachable anonymously
        self.scope = throttle_scope(request, view)
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.key = self.cache_format % {"scope": self.scope, "ident": ident}
        global _shared_down_until
        if time.monotonic() >= _shared_down_until:
            try:
                return super().allow_request(request, view)
            except Exception as error:  # Redis down or hung (its timeouts bound the wait)
                _shared_down_until = time.monotonic() + SHARED_PAUSE
                logger.warning("API throttles count per process for %ss: %s", SHARED_PAUSE, error)
        self.cache = LOCAL_COUNTS
        return super().allow_request(request, view)

    def get_rate(self) -> str | None:
        if self.scope is None:  # set by allow_request before it asks
            return None
        return settings.NEWSROOM_API_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        return self.key

    def __init__(self) -> None:  # the rate depends on the request: read it there
        pass
