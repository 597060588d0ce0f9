"""A Redis client for the live channel that can never hang a request.

Short timeouts, and after a failure Redis is left alone for a few seconds (readers are
then served by the database poll), so a Redis outage costs one fast failure, not one
slow failure per request. The pause is the process's one Redis breaker
(``newsroom.breaker.redis``), shared with the cache, presence and the throttles.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from django.conf import settings

from newsroom import breaker

if TYPE_CHECKING:
    from redis import Redis


@cache
def _client(url: str) -> Redis:
    from redis import Redis

    timeout = settings.REDIS_CACHE_TIMEOUT
    return Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)


def client() -> Redis | None:
    """The shared client, or None when Redis is not configured or the breaker is open.
    A caller that gets a client reports the outcome: ``failed(error)`` or ``succeeded()``."""
    if not settings.REDIS_URL or not breaker.redis.allows():
        return None
    return _client(settings.REDIS_URL)


def key(*parts: object) -> str:
    """A Redis key or channel name in this newsroom's namespace (several may share Redis)."""
    return ":".join([settings.NEWSROOM_REDIS_PREFIX, *map(str, parts)])


def failed(error: Exception) -> None:
    breaker.redis.failed(error)


def succeeded() -> None:
    breaker.redis.succeeded()
