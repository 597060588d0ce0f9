"""How many readers each blog has right now, across every server process, and how each
stream process is doing (its readers, its delivery lag: the operations view).

Each process reports its own counts every few seconds: into a Redis hash per blog when
Redis is there, otherwise into this process's memory (the embedded single-process
setup). A process that stops reporting drops out after ``STALE`` seconds.
"""

from __future__ import annotations

import json
import os
import socket
import time
from typing import Any, cast

from asgiref.sync import sync_to_async

from . import redis as live_redis
from .lag import Summary

STALE = 30.0
_local: dict[str, tuple[float, dict[int, int]]] = {}
_processes: dict[str, dict[str, Any]] = {}
PROCESS = f"{socket.gethostname()}:{os.getpid()}"


def _key(blog_id: int) -> str:
    return live_redis.key("readers", blog_id)


def _report(token: str, counts: dict[int, int], delivery: Summary | None = None) -> None:
    now = time.time()
    _local[token] = (now, counts)
    status = {"at": now, "process": PROCESS, "readers": sum(counts.values()),
              "blogs": {str(b): c for b, c in counts.items() if c},
              "lag": delivery.as_dict() if delivery else None}  # fmt: skip
    _processes[token] = status
    client = live_redis.client()
    if client is None:
        return
    try:
        with client.pipeline() as pipe:
            for blog_id, count in counts.items():
                pipe.hset(_key(blog_id), token, f"{count}:{now}")
                pipe.expire(_key(blog_id), int(STALE * 2))
            pipe.hset(live_redis.key("processes"), token, json.dumps(status))
            pipe.expire(live_redis.key("processes"), int(STALE * 2))
            pipe.execute()
    except Exception as error:
        live_redis.failed(error)
    else:
        live_redis.succeeded()


async def report(token: str, counts: dict[int, int], delivery: Summary | None = None) -> None:
    await sync_to_async(_report, thread_sensitive=False)(token, counts, delivery)


def processes() -> list[dict[str, Any]]:
    """Each stream process that reported lately: its readers (per blog id) and delivery
    lag, all processes through Redis (this process's own without it)."""
    cutoff = time.time() - STALE
    found: dict[str, dict[str, Any]] = dict(_processes)
    client = live_redis.client()
    if client is not None:
        try:
            raw = cast("dict[bytes, bytes]", client.hgetall(live_redis.key("processes")))
        except Exception as error:
            live_redis.failed(error)
        else:
            live_redis.succeeded()
            for token, value in raw.items():
                try:
                    found[token.decode()] = json.loads(value)
                except ValueError:
                    continue
    return sorted((p for p in found.values() if p.get("at", 0) >= cutoff),
                  key=lambda p: str(p.get("process")))  # fmt: skip


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
