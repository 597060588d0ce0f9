"""The night at a glance (issue 29): the live channel's delivery lag, the last failures,
the wire feed's age, and the admin's Operations page that shows them with the readers,
the worker, the queue, the database, Redis and the breakers; /metrics gives the same."""

from __future__ import annotations

import logging
import time

import pytest
from django.core.cache import cache
from django.test import Client

from liveblog.live import lag, presence
from newsroom import failures, operations
from results import feed_status
from results.tasks import poll_feed
from tests import factories
from tests.newsroom.test_metrics import TOKEN, samples

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh():
    lag.deliveries = lag.Deliveries()
    presence._processes.clear()
    presence._local.clear()
    cache.delete(failures.KEY)
    failures._recent.clear()
    yield
    lag.deliveries = lag.Deliveries()
    presence._processes.clear()
    presence._local.clear()


def test_delivery_lag_is_read_as_percentiles_of_the_last_minutes():
    ring = lag.Deliveries()
    now = 1_000_000.0
    ring.record(now - 3600 - 10.0, now=now - 3600)  # an hour ago: out of the percentiles
    for n in range(100):
        ring.record(now - (n + 1) / 1000, now=now)  # 1 ms .. 100 ms

    summary = ring.summary(now=now)

    assert summary.delivered == 101
    assert summary.per_minute == 100
    assert summary.p50 == pytest.approx(0.051)
    assert summary.p99 == pytest.approx(0.100)
    assert lag.Deliveries().summary().p50 is None


def test_newsrooms_own_warnings_are_kept_as_the_last_failures_and_others_are_not():
    logging.getLogger("results.tasks").error("Results feed answered HTTP %s", 503)
    logging.getLogger("somebody.else").error("not ours")
    try:
        raise ValueError("bad row")
    except ValueError:
        logging.getLogger("liveblog.webhooks").exception("Delivery failed")

    failures.flush()
    failures._recent.clear()  # what the other processes see: the shared list
    kept = failures.last()

    assert [(f["where"], f["what"]) for f in kept] == [
        ("liveblog.webhooks", "Delivery failed (ValueError: bad row)"),
        ("results.tasks", "Results feed answered HTTP 503"),
    ]
    for n in range(30):
        logging.getLogger("newsroom.test").warning("again %s", n)
    failures.flush()
    assert len(failures.last()) == failures.KEEP


def test_a_broken_cache_never_breaks_logging(monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(failures, "remember", broken)
    logging.getLogger("newsroom.test").error("still logged")  # no exception, no loop
    failures.flush()
    assert [f["what"] for f in failures.last()] == ["still logged"]  # this process's own


DEADLOCK = """
import os, socket, django
closed = socket.socket(); closed.bind(("127.0.0.1", 0))
port = closed.getsockname()[1]; closed.close()
os.environ["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
django.setup()
from newsroom import breaker
breaker.redis.failed(ConnectionError("refused"))  # logs "Redis unavailable" under its lock
print("returned")
"""


def test_a_warning_logged_under_the_redis_breakers_lock_never_waits_on_redis():
    """The breaker logs "Redis unavailable" with its lock held; keeping that warning must
    not ask the cache (whose breaker is that lock) in the same thread: it hung the suite.
    In a process of its own (with Redis configured, and down), so a hang fails here."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "newsroom.settings", "DJANGO_DEBUG": "true"}
    try:
        done = subprocess.run([sys.executable, "-c", DEADLOCK], env=env, capture_output=True,
                              text=True, timeout=20, check=False)  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.fail("logging the breaker's warning deadlocked")
    assert "returned" in done.stdout, done.stderr[-2000:]


def test_the_feed_is_fresh_when_it_answers_and_stale_when_it_stops(feed, settings, monkeypatch):
    settings.NEWSROOM_RESULTS_FEED_STALE_SECONDS = 60
    assert feed_status.status()["stale"]  # configured, never answered

    poll_feed()
    fresh = feed_status.status()
    assert (fresh["stale"], fresh["age"] < 5) == (False, True)
    assert "snapshot" in fresh["last_outcome"]

    from datetime import timedelta

    from django.utils import timezone

    later = timezone.now() + timedelta(seconds=120)
    monkeypatch.setattr(feed_status.timezone, "now", lambda: later)
    assert feed_status.status()["stale"]


def test_a_feed_error_is_kept_with_its_age(feed):
    feed.status = 403
    poll_feed()
    status = feed_status.status()
    assert status["last_error"] == "HTTP 403"
    assert status["last_error_age"] < 5


@pytest.fixture
def live_blog(blog):
    blog.status = blog.Status.LIVE
    blog.save()
    return blog


def test_the_operations_page_shows_readers_lag_feed_worker_and_failures(
    live_blog, editor, client, feed, settings
):
    presence._report("stream-1", {live_blog.pk: 42}, lag.Deliveries().summary())
    lag.deliveries.record(time.time() - 0.120)
    presence._report("stream-2", {live_blog.pk: 8}, lag.deliveries.summary())
    poll_feed()
    logging.getLogger("results.tasks").error("Results feed answered HTTP 503")
    client.force_login(editor)

    page = client.get("/admin/operations/").content.decode()

    assert '<div data-ops="readers"><dt>Readers connected</dt><dd>50</dd>' in page
    assert f'data-ops-blog="{live_blog.slug}"><th scope="row"><a href="/admin/desk/' in page
    row = page.split(f'data-ops-blog="{live_blog.slug}"', 1)[1].split("</tr>", 1)[0]
    assert row.endswith("<td>50</td>")  # both processes' readers of this blog
    assert "120 ms / 120 ms" in page  # p50 / p99: the worst process's
    assert "answered 0 s ago" in page
    if settings.CELERY_TASK_ALWAYS_EAGER:
        assert "in this process (no Redis)" in page
    else:  # no worker answers the tests' beat: said plainly
        assert "<strong>no heartbeat</strong>" in page or "not answering" in page
    assert "Results feed answered HTTP 503" in page
    assert 'data-ops-breaker="Redis">Redis: <strong>closed</strong>' in page
    part = client.get("/admin/operations/?part=1").content.decode()
    assert part.startswith('\n<div id="ops"') or part.lstrip().startswith('<div id="ops"')
    assert 'data-hx-trigger="every 2s"' in part


def test_the_operations_page_is_for_editors_and_administrators(reporter, client):
    assert Client().get("/admin/operations/").status_code == 302  # to the login
    client.force_login(reporter)
    assert client.get("/admin/operations/").status_code == 403
    outsider = factories.UserFactory(username="reader", is_staff=False)
    client.force_login(outsider)
    assert client.get("/admin/operations/").status_code == 302


def test_metrics_give_the_same_figures(settings, feed):
    settings.NEWSROOM_METRICS_TOKEN = TOKEN
    lag.deliveries.record(time.time() - 0.25)
    poll_feed()

    got = samples(Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}"))

    assert got[("newsroom_delivery_lag_seconds", (("quantile", "0.99"),))] == pytest.approx(
        0.25, abs=0.05
    )
    assert got[("newsroom_events_delivered_total", ())] == 1.0
    assert got[("newsroom_results_feed_stale", ())] == 0.0
    assert got[("newsroom_results_feed_age_seconds", ())] < 5
    assert got[("newsroom_task_queue_depth", ())] == operations.queue_depth()  # 0 in-process


def test_the_desk_links_editors_to_the_operations_page(blog, editor, reporter, client):
    client.force_login(editor)
    assert (
        'href="/admin/operations/">Operations</a>'
        in client.get(f"/admin/desk/{blog.slug}/").content.decode()
    )
    client.force_login(reporter)
    assert "/admin/operations/" not in client.get(f"/admin/desk/{blog.slug}/").content.decode()
