"""Django's Redis cache behind the shared Redis breaker: a sick Redis is a cache miss.

Everything Newsroom caches can be rebuilt from the database (renderings, ETags of the
feed poller, the worker's heartbeat), so when Redis fails or hangs the cache answers as
an empty one would (reads miss, writes are dropped, ``add`` reports the key taken, so a
caller never believes it took a lock it did not) within one short socket timeout, and
the breaker (``newsroom.breaker.redis``) spares every later call that timeout until
Redis answers again.

``CACHES["default"]["BACKEND"] = "newsroom.cache.RedisCache"`` (settings, with
``REDIS_URL``). A toolkit module: it imports no app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from redis.exceptions import RedisError

from . import breaker

T = TypeVar("T")


class RedisCache(DjangoRedisCache):
    def _guarded(self, fallback: T, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        if not breaker.redis.allows():
            return fallback
        try:
            result = call(*args, **kwargs)
        except (RedisError, OSError) as error:
            breaker.redis.failed(error)
            return fallback
        except Exception:  # Redis answered (a missing key, a value that will not pickle)
            breaker.redis.succeeded()
            raise
        breaker.redis.succeeded()
        return result

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._guarded(default, super().get, key, default, version)

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return self._guarded({}, super().get_many, keys, version)

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._guarded(False, super().has_key, key, version)

    def add(self, key: Any, value: Any, timeout: Any = None, version: int | None = None) -> bool:
        return self._guarded(False, super().add, key, value, timeout, version)

    def set(self, key: Any, value: Any, timeout: Any = None, version: int | None = None) -> None:
        self._guarded(None, super().set, key, value, timeout, version)

    def set_many(self, data: dict[Any, Any], timeout: Any = None,
                 version: int | None = None) -> list[Any]:  # fmt: skip
        return self._guarded(list(data), super().set_many, data, timeout, version)

    def touch(self, key: Any, timeout: Any = None, version: int | None = None) -> bool:
        return self._guarded(False, super().touch, key, timeout, version)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._guarded(False, super().delete, key, version)

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._guarded(None, super().delete_many, keys, version)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        # A counter that cannot be read cannot be moved: ValueError, as for a missing key,
        # which callers already handle.
        result: int | None = self._guarded(None, super().incr, key, delta, version)
        if result is None:
            raise ValueError(f"Key '{key}' not found (the cache is unavailable)")
        return result

    def clear(self) -> None:
        self._guarded(None, super().clear)
