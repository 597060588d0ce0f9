"""Rate limits per caller (API key or user), by scope.

Rates come from ``NEWSROOM_API_THROTTLE_RATES``, read at each request. Scopes:
``partner-read`` (partner keys reading), ``staff-read`` (staff sessions and staff tokens
reading), ``staff-write`` (every write), ``partner-write`` (webhook management). A
throttled request gets 429 with ``Retry-After``. Counts live in the default cache
(Redis in production, so every process shares them).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from newsroom import breaker
from newsroom.web.callers import caller_id

from .auth import Partner

logger = logging.getLogger(__name__)
LOCAL_COUNTS = LocMemCache("newsroom-throttles", {"OPTIONS": {"MAX_ENTRIES": 100_000}})


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
    on its own (a per-process allowance) while the Redis breaker is open
    (``newsroom.breaker``), then tries the shared cache again: the API keeps answering,
    never a 500, and never waits more than one short timeout.
    """

    def allow_request(self, request: Request, view: Any) -> bool:
        ident = caller_id(request)
        if ident is None:
            return True  # only the public schema and docs are reachable anonymously
        self.scope = throttle_scope(request, view)
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.key = self.cache_format % {"scope": self.scope, "ident": ident}
        if breaker.redis.allows():
            try:
                allowed = super().allow_request(request, view)
            except Exception as error:  # a cache that raises rather than degrades
                breaker.redis.failed(error)
            else:
                # The breaker's cache degrades to misses: trust the count only if the
                # shared cache answered.
                if breaker.redis.state == "closed":
                    return allowed
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
