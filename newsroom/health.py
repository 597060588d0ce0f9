"""Health endpoints for load balancers and monitoring.

``/healthz`` (liveness) answers from the process alone. ``/readyz`` (readiness) checks
what serving needs: the database, Redis when configured, and a worker's heartbeat when
tasks run on workers. Each check is bounded by short timeouts, so a dead dependency
makes the answer 503 quickly instead of hanging the probe.
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

    try:
        client = Redis.from_url(settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5)
        with client:
            client.ping()
        return {"ok": True, "configured": True}
    except Exception as error:
        return {"ok": False, "configured": True, "error": str(error)[:200]}


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


@never_cache
@require_GET
def readiness(request: HttpRequest) -> JsonResponse:
    """200 when the database, Redis and a worker are there; 503 with what is not."""
    checks = {"database": _database(), "redis": _redis()}
    checks["worker"] = _worker(checks["redis"]["ok"])
    ready = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks},
                        status=200 if ready else 503)  # fmt: skip
