"""Metrics for the operations team: ``/metrics`` in Prometheus' text format.

Read at each scrape, never per reader (no label names a reader, a session or a post):
each dependency's state (the readiness checks, bounded by their timeouts and breakers),
the worker's last heartbeat, each breaker (Redis, every edge engine), the streams this
process holds (readers and desks), and each live blog's change-log position. Figures of
a process are that process's: scrape every web and stream process.

Refused (403) unless the request carries ``NEWSROOM_METRICS_TOKEN`` as a bearer token or
comes from one of ``NEWSROOM_METRICS_NETWORKS`` (the client address as ``proxies``
reads it behind trusted proxies); with neither set, nobody may read it.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterator

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.core import (
    CollectorRegistry,
    CounterMetricFamily,
    GaugeMetricFamily,
    Metric,
)

from liveblog.desk import channel as desk_channel
from liveblog.edge.grip import engines
from liveblog.live import lag
from liveblog.live import stream as live_stream
from liveblog.models import LiveBlog
from results import feed_status

from . import breaker, health, operations
from .proxies import client_ip

STATES = {"closed": 0, "probing": 1, "open": 2}


class NewsroomCollector:
    """Everything ``/metrics`` shows, gathered when it is asked."""

    def collect(self) -> Iterator[Metric]:
        checks = health.dependencies()
        up = GaugeMetricFamily("newsroom_dependency_up",
                               "1 if the dependency answers (the readiness checks)",
                               labels=["dependency"])  # fmt: skip
        for name, check in checks.items():
            up.add_metric([name], 1.0 if check["ok"] else 0.0)
        yield up
        age = checks["worker"].get("last_heartbeat_age_seconds")
        if age is not None:
            yield GaugeMetricFamily("newsroom_worker_heartbeat_age_seconds",
                                    "Seconds since a Celery worker last answered the beat",
                                    value=float(age))  # fmt: skip
        states = GaugeMetricFamily("newsroom_breaker_state",
                                   "0 closed (in use), 1 probing, 2 open (left alone)",
                                   labels=["dependency"])  # fmt: skip
        states.add_metric(["redis"], STATES[breaker.redis.state])
        if settings.NEWSROOM_GRIP_URLS:
            for engine in engines():
                states.add_metric([f"grip:{engine.url}"], STATES[engine.breaker.state])
        yield states
        streams = GaugeMetricFamily("newsroom_streams_open",
                                    "Streams this process holds, by kind",
                                    labels=["kind"])  # fmt: skip
        streams.add_metric(["reader"], live_stream.admission.total)
        streams.add_metric(["desk"], desk_channel.admission.total)
        yield streams
        delivery = lag.deliveries.summary()
        yield CounterMetricFamily("newsroom_events_delivered",
                                  "Changes this process handed to its readers",
                                  value=float(delivery.delivered))  # fmt: skip
        if delivery.p50 is not None and delivery.p99 is not None:
            late = GaugeMetricFamily("newsroom_delivery_lag_seconds",
                                     "From a change being recorded to its event handed to "
                                     "this process's readers, over the last five minutes",
                                     labels=["quantile"])  # fmt: skip
            late.add_metric(["0.5"], delivery.p50)
            late.add_metric(["0.99"], delivery.p99)
            yield late
        feed = feed_status.status()
        if feed["configured"]:
            yield GaugeMetricFamily("newsroom_results_feed_stale",
                                    "1 if the results feed has not answered for too long",
                                    value=1.0 if feed["stale"] else 0.0)  # fmt: skip
            if feed["age"] is not None:
                yield GaugeMetricFamily("newsroom_results_feed_age_seconds",
                                        "Seconds since the results feed last answered",
                                        value=float(feed["age"]))  # fmt: skip
        depth = operations.queue_depth()
        if depth is not None:
            yield GaugeMetricFamily(
                "newsroom_task_queue_depth", "Tasks waiting for a Celery worker", value=float(depth)
            )
        position = GaugeMetricFamily("newsroom_blog_position",
                                     "The last sequence number of each live blog's change log",
                                     labels=["blog"])  # fmt: skip
        live = LiveBlog.objects.filter(status=LiveBlog.Status.LIVE)
        for slug, seq in live.values_list("slug", "last_seq")[:200]:
            position.add_metric([slug], float(seq))
        yield position


def allowed(request: HttpRequest) -> bool:
    token = settings.NEWSROOM_METRICS_TOKEN
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if token and scheme == "Bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
        return True
    if not settings.NEWSROOM_METRICS_NETWORKS:
        return False
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network, strict=False)
               for network in settings.NEWSROOM_METRICS_NETWORKS)  # fmt: skip


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not allowed(request):
        return HttpResponse("Metrics need NEWSROOM_METRICS_TOKEN or an allowed network.\n",
                            status=403, content_type="text/plain")  # fmt: skip
    registry = CollectorRegistry(auto_describe=False)
    registry.register(NewsroomCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
