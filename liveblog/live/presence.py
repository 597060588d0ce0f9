"""How many readers each blog has right now, across every server process.

Each process reports its own counts every few seconds: into a Redis hash per blog when
Redis is there, otherwise into this process's memory (the embedded single-process
setup). A process that stops reporting drops out after ``STALE`` seconds.
"""

from __future__ import annotations

import time
from typing import cast

from asgiref.sync import sync_to_async

from . import redis as live_redis

STALE = 30.0
_local: dict[str, tuple[float, dict[int, int]]] = {}


def _key(blog_id: int) -> str:
    return live_redis.key("readers", blog_id)


def _report(token: str, counts: dict[int, int]) -> None:
    now = time.time()
    _local[token] = (now, counts)
    client = live_redis.client()
    if client is None:
        return
    try:
        with client.pipeline() as pipe:
            for blog_id, count in counts.items():
                pipe.hset(_key(blog_id), token, f"{count}:{now}")
                pipe.expire(_key(blog_id), int(STALE * 2))
            pipe.execute()
    except Exception as error:
        live_redis.failed(error)
    else:
        live_redis.succeeded()


async def report(token: str, counts: dict[int, int]) -> None:
    await sync_to_async(_report, thread_sensitive=False)(token, counts)


def reader_count(blog_id: int) -> int:
    """Connected readers of a blog, all processes together (best effort)."""
    cutoff = time.time() - STALE
    client = live_redis.client()
    if client is not None:
        try:
            total = 0
            # The client does not decode responses: the values are bytes.
            for value in cast("dict[bytes, bytes]", client.hgetall(_key(blog_id))).values():
                count, _, stamp = value.decode().partition(":")
                if float(stamp) >= cutoff:
                    total += int(count)
        except Exception as error:
            live_redis.failed(error)
        else:
            live_redis.succeeded()
            return total
    return sum(counts.get(blog_id, 0) for stamp, counts in _local.values() if stamp >= cutoff)
