"""The night at a glance, for editors and the operations team: readers per blog and per
stream process, the live channel's delivery lag, events per minute, the wire feed's age
and last error, the worker's heartbeat and the task queue, the database, Redis and every
breaker, the last failures. ``overview()`` gathers it (each part bounded: a dead or hung
dependency is reported, never waited on); the admin's *Operations* page shows it and
refreshes itself, and ``/metrics`` gives the same figures to Prometheus.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from liveblog.edge.grip import engines
from liveblog.live import presence
from liveblog.live import redis as live_redis
from liveblog.models import LiveBlog
from results import feed_status
from results.models import WireDocument

from . import breaker, failures, health, oembed

QUEUE = "celery"  # Celery's default queue: the key its Redis broker keeps the tasks in


def queue_depth() -> int | None:
    """Tasks waiting in the broker (None: no Redis broker, or it did not answer)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return 0
    client = live_redis.client()
    if client is None:
        return None
    try:
        depth = int(client.llen(QUEUE))
    except Exception as error:
        live_redis.failed(error)
        return None
    live_redis.succeeded()
    return depth


def _lag(processes: list[dict[str, Any]]) -> dict[str, Any]:
    """The worst of the processes' figures: a reader is as late as its own process."""
    p50s = [p["lag"]["p50"] for p in processes if p.get("lag") and p["lag"]["p50"] is not None]
    p99s = [p["lag"]["p99"] for p in processes if p.get("lag") and p["lag"]["p99"] is not None]
    per_minute = [p["lag"]["per_minute"] for p in processes if p.get("lag")]
    return {"p50": max(p50s, default=None), "p99": max(p99s, default=None),
            # every process delivers every change to its own readers: the busiest says it
            "per_minute": max(per_minute, default=0)}  # fmt: skip


def _breakers() -> list[tuple[str, str]]:
    found = [("Redis", breaker.redis.state)]
    if settings.NEWSROOM_GRIP_URLS:
        found += [(f"Edge engine {engine.url}", engine.breaker.state) for engine in engines()]
    found += [(b.name, b.state) for b in oembed.breakers()]
    return found


def overview() -> dict[str, Any]:
    checks = health.dependencies()
    processes = presence.processes()
    live = list(LiveBlog.objects.filter(status=LiveBlog.Status.LIVE).only("pk", "slug", "title")
                .order_by("title")[:50])  # fmt: skip
    # Each process's report holds its readers per blog: one read for every blog, not one
    # Redis call per blog.
    per_blog: dict[str, int] = {}
    for process in processes:
        for blog_id, count in (process.get("blogs") or {}).items():
            per_blog[str(blog_id)] = per_blog.get(str(blog_id), 0) + int(count)
    blogs = [{"blog": blog, "readers": per_blog.get(str(blog.pk), 0)} for blog in live]
    latest = (
        WireDocument.objects.only("received_at", "size", "outcome")
        .order_by("-received_at", "-id")
        .first()
    )
    now = time.time()
    return {
        "checks": checks,
        "processes": processes,
        "blogs": blogs,
        "readers": sum(b["readers"] for b in blogs),
        "lag": _lag(processes),
        "feed": feed_status.status(),
        "recorded": latest,
        "recorded_age": now - latest.received_at.timestamp() if latest else None,
        "queue": queue_depth(),
        "breakers": _breakers(),
        "failures": [{**f, "age": failures.age(f)} for f in failures.last()],
        "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    }


def may_see(request: HttpRequest) -> bool:
    """Editors and administrators (who may change blogs, or are superusers)."""
    user = request.user
    return bool(user.is_active and user.is_staff
                and (user.is_superuser or user.has_perm("liveblog.change_liveblog")))  # fmt: skip


@never_cache
@staff_member_required
def operations(request: HttpRequest) -> HttpResponse:
    """The admin's Operations page; ``?part=1`` is the part that refreshes itself."""
    if not may_see(request):
        raise PermissionDenied("The operations view is for editors and administrators.")
    from django.contrib import admin

    context = {**overview(), "title": "Operations"}
    if request.GET.get("part"):
        return render(request, "admin/operations_part.html", context)
    return render(request, "admin/operations.html", {**admin.site.each_context(request),
                                                     **context})  # fmt: skip
