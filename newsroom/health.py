"""Health endpoints for load balancers and monitoring.

``/healthz`` (liveness) answers from the process alone. ``/readyz`` (readiness) checks
the database, Redis when configured, and a worker's heartbeat when tasks run on workers.
Each check is bounded by short timeouts and the Redis breaker, so a dead or hung
dependency is reported in well under a second instead of hanging the probe.

Only the database is needed to serve: without it the answer is 503 (take this process
out of the pool). Without Redis or a worker, pages, poll and API still answer from the
database, so the answer is 200 with ``"status": "degraded"`` and what is degraded: a load
balancer must not take every process out because Redis hung.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import breaker
from .celery import HEARTBEAT_KEY

HEARTBEAT_STALE = 60.0  # seconds; beat asks for a heartbeat every 10


@never_cache
@require_GET
def liveness(request: HttpRequest) -> JsonResponse:
    """The process is up and answering. Anyone may call it."""
    return JsonResponse({"status": "ok"})


def _database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True}
    except Exception as error:
        return {"ok": False, "error": str(error)[:200]}


def _redis() -> dict[str, Any]:
    if not settings.REDIS_URL:
        return {"ok": True, "configured": False}
    from redis import Redis

    if not breaker.redis.allows():  # failed a moment ago: say so without waiting again
        return {"ok": False, "configured": True, "breaker": breaker.redis.state,
                "error": breaker.redis.last_error}  # fmt: skip
    timeout = settings.REDIS_CACHE_TIMEOUT
    try:
        client = Redis.from_url(settings.REDIS_URL, socket_connect_timeout=timeout,
                                socket_timeout=timeout)  # fmt: skip
        with client:
            client.ping()
    except Exception as error:
        breaker.redis.failed(error)
        return {"ok": False, "configured": True, "breaker": breaker.redis.state,
                "error": str(error)[:200]}  # fmt: skip
    breaker.redis.succeeded()
    return {"ok": True, "configured": True, "breaker": "closed"}


def _worker(redis_ok: bool) -> dict[str, Any]:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "mode": "in-process"}
    if not redis_ok:
        return {"ok": False, "mode": "celery", "error": "Redis is down: no heartbeat to read"}
    try:
        beat = cache.get(HEARTBEAT_KEY)
    except Exception as error:
        return {"ok": False, "mode": "celery", "error": str(error)[:200]}
    age = None if beat is None else round(time.time() - beat, 1)
    return {
        "ok": age is not None and age < HEARTBEAT_STALE,
        "mode": "celery",
        "last_heartbeat_age_seconds": age,
    }


def dependencies() -> dict[str, dict[str, Any]]:
    """Each dependency's check, bounded (the readiness probe's and the metrics')."""
    checks = {"database": _database(), "redis": _redis()}
    checks["worker"] = _worker(checks["redis"]["ok"])
    return checks


@never_cache
@require_GET
def readiness(request: HttpRequest) -> JsonResponse:
    """200 "ok" when everything is there; 200 "degraded" (and what is) when Redis or the
    worker is missing but pages can be served from the database; 503 "unavailable"
    without the database. Anyone may call it (it names no secret)."""
    checks = dependencies()
    if not checks["database"]["ok"]:
        status = "unavailable"
    elif all(check["ok"] for check in checks.values()):
        status = "ok"
    else:
        status = "degraded"
    degraded = [name for name, check in checks.items() if not check["ok"]]
    return JsonResponse({"status": status, "degraded": degraded, "checks": checks},
                        status=503 if status == "unavailable" else 200)  # fmt: skip
