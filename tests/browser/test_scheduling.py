"""Scheduled posts and background work with a real Celery worker and beat on Redis.

Not eager mode: a private Redis, a uvicorn server, a worker and beat run as processes,
and the driver (the editor) schedules posts through the services with the same Redis.
"""

from __future__ import annotations

import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from .support import (
    DEMO_SLUG,
    BrowserDatabase,
    CeleryProcess,
    Newsroom,
    RedisServer,
    Server,
    unique,
    wait_until,
)

pytestmark = pytest.mark.browser


@dataclass
class Stack:
    redis: RedisServer
    server: Server
    worker: CeleryProcess
    beat: CeleryProcess
    editor: Newsroom


@pytest.fixture
def stack(
    browser_db: BrowserDatabase, browser_workdir: Path, make_server: Callable[..., Server]
) -> Iterator[Stack]:
    workdir = browser_workdir / f"celery-{uuid.uuid4().hex[:6]}"
    workdir.mkdir()
    redis = RedisServer(workdir)
    redis.start()
    env = {**browser_db.env, "REDIS_URL": redis.url}
    worker, beat = CeleryProcess("worker", env, workdir), CeleryProcess("beat", env, workdir)
    editor = Newsroom(env, workdir)
    server = make_server("celery", REDIS_URL=redis.url)
    try:
        worker.start()
        beat.start()
        editor.start()
        yield Stack(redis, server, worker, beat, editor)
    finally:
        editor.stop()
        beat.stop()
        worker.stop()
        redis.stop()


def fetch(url: str, timeout: float = 5.0) -> tuple[int, float, str]:
    started = time.monotonic()
    with urllib.request.urlopen(url, timeout=timeout) as response:
        body = response.read().decode()
        return response.status, time.monotonic() - started, body


def test_scheduled_post_reaches_an_open_page_within_two_seconds_of_its_time(stack, open_reader):
    reader = open_reader(stack.server)
    post = stack.editor.schedule(unique("Polls close"), seconds=6)
    assert post["status"] == "scheduled"
    assert reader.item(post["id"]).count() == 0

    wait_until(
        reader.page,
        lambda: reader.item(post["id"]).count() == 1,
        timeout=post["at"] - time.time() + 5,
        what="the scheduled post on the open page",
    )
    arrived = time.time()
    assert arrived - post["at"] <= 2.0, f"{arrived - post['at']:.2f}s after its time"
    assert arrived >= post["at"] - 0.1, "before its time"
    reader.assert_not_reloaded()
    assert stack.editor.announcements(post["id"]) == 1


def test_worker_down_across_the_publish_time(stack, open_reader):
    stack.worker.stop()
    reader = open_reader(stack.server)
    post = stack.editor.schedule(unique("Embargoed"), seconds=3)
    time.sleep(max(0.0, post["at"] - time.time()) + 1)

    # Visible to a fresh load at its time: visibility is a query, not a worker's job.
    fresh = open_reader(stack.server)
    assert fresh.item(post["id"]).count() == 1
    assert reader.item(post["id"]).count() == 0  # not announced yet: nothing pushed

    stack.worker.start()
    wait_until(
        reader.page,
        lambda: reader.item(post["id"]).count() == 1,
        timeout=20,
        what="the push once the worker is back",
    )
    reader.page.wait_for_timeout(6000)  # a sweeper round and the timer: still once
    assert reader.item(post["id"]).count() == 1
    assert stack.editor.announcements(post["id"]) == 1


def test_redis_outage_leaves_pages_and_admin_working_and_loses_nothing(
    stack, open_reader, editor_page
):
    reader = open_reader(stack.server)
    admin = editor_page(stack.server)
    stack.redis.stop()

    status, elapsed, _ = fetch(stack.server.page(f"/live/{DEMO_SLUG}/?live=off"))
    assert (status, elapsed < 3) == (200, True), f"page took {elapsed:.1f}s"
    started = time.monotonic()
    response = admin.goto(stack.server.page("/admin/liveblog/post/"))
    assert response.status == 200
    assert time.monotonic() - started < 5

    started = time.monotonic()
    live = stack.editor.publish(unique("During the outage"))
    scheduled = stack.editor.schedule(unique("Scheduled in the outage"), seconds=2)
    assert time.monotonic() - started < 10, "writes hung on the dead Redis"
    wait_until(
        reader.page,
        lambda: reader.item(live["id"]).count() == 1,
        timeout=10,
        what="a post published during the outage (database poll)",
    )

    stack.redis.start()  # same port, empty: whatever was queued is gone
    wait_until(
        reader.page,
        lambda: reader.item(scheduled["id"]).count() == 1,
        timeout=30,
        what="the scheduled post, announced by the sweeper after Redis returns",
    )
    reader.page.wait_for_timeout(2000)
    for post in (live, scheduled):
        assert reader.item(post["id"]).count() == 1
        assert stack.editor.announcements(post["id"]) == 1
    reader.assert_not_reloaded()


def test_renditions_are_made_by_the_worker_and_used_by_the_page(stack):
    post = stack.editor.publish(unique("With a photo"))
    stack.editor.add_image(post["id"])
    page = stack.server.page(f"/live/{DEMO_SLUG}/posts/{post['id']}/")

    def has_srcset() -> bool:
        return 'type="image/webp" srcset="/media/renditions/' in fetch(page)[2]

    deadline = time.monotonic() + 20
    while not has_srcset():
        assert time.monotonic() < deadline, "no renditions on the page after 20 s"
        time.sleep(0.3)
    html = fetch(page)[2]
    assert " 320w" in html
    assert " 1200w" in html
