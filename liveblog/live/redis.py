"""A Redis client for the live channel that can never hang a request.

Short timeouts, and after a failure Redis is left alone for a few seconds (readers are
then served by the database poll), so a Redis outage costs one fast failure, not one
slow failure per request.
"""

from __future__ import annotations

import logging
import time
from functools import cache
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from redis import Redis

logger = logging.getLogger(__name__)
PAUSE_AFTER_FAILURE = 5.0
_down_until = 0.0


@cache
def _client(url: str) -> Redis:
    from redis import Redis

    return Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)


def client() -> Redis | None:
    """The shared client, or None when Redis is not configured or recently failed."""
    if not settings.REDIS_URL or time.monotonic() < _down_until:
        return None
    return _client(settings.REDIS_URL)


def key(*parts: object) -> str:
    """A Redis key or channel name in this newsroom's namespace (several may share Redis)."""
    return ":".join([settings.NEWSROOM_REDIS_PREFIX, *map(str, parts)])


def failed(error: Exception) -> None:
    global _down_until
    if time.monotonic() >= _down_until:
        logger.warning("live: Redis unavailable (%s); retrying in %ss", error, PAUSE_AFTER_FAILURE)
    _down_until = time.monotonic() + PAUSE_AFTER_FAILURE
