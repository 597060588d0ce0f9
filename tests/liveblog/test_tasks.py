"""Background work: timers for scheduled posts, the sweeper, renditions, enqueueing that
never breaks a request, and health. (A real worker against Redis is exercised in
tests/browser/test_scheduling.py and tests/newsroom/test_celery.py.)"""

from __future__ import annotations

import io
import time
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from liveblog import services, tasks
from liveblog.models import Change, Post, PostImage
from liveblog.renditions import make_renditions
from newsroom import celery as newsroom_celery
from newsroom.queueing import enqueue

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch, settings):
    """Run as with a broker (not eager) and record what would be queued, with its ETA."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    sent: list[tuple[str, tuple, dict]] = []

    def fake_apply_async(args=(), **options):
        sent.append((tasks.announce_post.name, tuple(args), options))

    monkeypatch.setattr(tasks.announce_post, "apply_async", fake_apply_async)
    return sent


@pytest.fixture
def in_process(monkeypatch, settings):
    """Run queued tasks in this process (as without Redis), whatever the environment."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    monkeypatch.setitem(newsroom_celery.app.conf, "task_always_eager", True)


def published_changes(post) -> int:
    return Change.objects.filter(post=post, kind="published").count()


def test_scheduling_soon_queues_a_timer_at_the_posts_second(
    draft, editor, queued, django_capture_on_commit_callbacks
):
    at = timezone.now() + timedelta(seconds=30)
    with django_capture_on_commit_callbacks(execute=True):
        post = services.post_publish(post=draft, by=editor, at=at)
    assert queued == [("liveblog.tasks.announce_post", (post.pk, post.version), {"eta": at})]


def test_a_long_embargo_queues_no_eta_task_until_it_comes_near(
    draft, editor, queued, django_capture_on_commit_callbacks
):
    at = timezone.now() + timedelta(hours=6)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_publish(post=draft, by=editor, at=at)
        tasks.publish_due_posts()
    assert queued == []

    Post.objects.filter(pk=draft.pk).update(published_at=timezone.now() + timedelta(seconds=40))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.publish_due_posts()  # the sweeper queues the timer as the time nears
        tasks.publish_due_posts()  # beat runs again: no second timer
    assert [name for name, _, _ in queued] == ["liveblog.tasks.announce_post"]


def test_timer_announces_once_even_when_redelivered(draft, editor):
    post = services.post_publish(post=draft, by=editor, at=timezone.now() + timedelta(hours=1))
    Post.objects.filter(pk=post.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    assert tasks.announce_post(post.pk, post.version) is True
    assert tasks.announce_post(post.pk, post.version) is False  # redelivered: a no-op
    assert tasks.publish_due_posts() == []  # and the sweeper finds nothing left
    assert published_changes(post) == 1


def test_timer_of_a_rescheduled_post_does_nothing(draft, editor):
    first = services.post_publish(post=draft, by=editor, at=timezone.now() + timedelta(hours=1))
    services.post_publish(post=draft, by=editor, at=timezone.now() + timedelta(hours=2))
    Post.objects.filter(pk=draft.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    assert tasks.announce_post(draft.pk, first.version) is False
    assert published_changes(draft) == 0


def test_sweeper_announces_posts_whose_timer_was_lost(draft, editor):
    services.post_publish(post=draft, by=editor, at=timezone.now() + timedelta(hours=1))
    Post.objects.filter(pk=draft.pk).update(published_at=timezone.now() - timedelta(minutes=5))
    assert tasks.publish_due_posts() == [draft.pk]
    assert tasks.publish_due_posts() == []
    assert published_changes(draft) == 1


def test_enqueue_with_redis_down_neither_raises_nor_hangs(
    settings, django_capture_on_commit_callbacks, caplog
):
    from celery import Celery

    # A separate app with our broker settings, pointed at a port where nothing listens.
    dead = Celery("dead", broker="redis://127.0.0.1:1/0", set_as_current=False)
    dead.conf.broker_transport_options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    dead.conf.task_publish_retry_policy = settings.CELERY_TASK_PUBLISH_RETRY_POLICY
    dead.conf.broker_connection_timeout = settings.CELERY_BROKER_CONNECTION_TIMEOUT

    @dead.task(name="dead.noop")
    def noop() -> None: ...

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(noop)
    assert time.monotonic() - started < 5
    assert "could not queue dead.noop" in caplog.text


# --- Renditions -------------------------------------------------------------------------


def upload(post, editor, size=(1000, 600)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, "JPEG")
    buffer.seek(0)
    return services.post_add_image(post=post, by=editor, file=buffer, alt_text="A photo")


def test_renditions_are_made_after_upload_and_used_by_the_page(
    client, published, editor, django_capture_on_commit_callbacks, in_process
):
    with django_capture_on_commit_callbacks(execute=True):
        image = upload(published, editor)
    image.refresh_from_db()
    assert {(r["format"], r["width"]) for r in image.renditions} == {
        (fmt, width) for fmt in ("webp", "jpeg") for width in (320, 640, 960, 1000)
    }
    assert all(default_storage.exists(r["name"]) for r in image.renditions)
    with default_storage.open(next(r["name"] for r in image.renditions if r["width"] == 320)) as f:
        assert Image.open(f).size == (320, 192)
    html = client.get(published.blog.get_absolute_url()).content.decode()
    assert '<source type="image/webp" srcset="/media/renditions/' in html
    assert " 320w, " in html


def test_page_falls_back_to_the_original_until_renditions_exist(client, published, editor):
    image = upload(published, editor)  # no commit callbacks run: no renditions yet
    html = client.get(published.blog.get_absolute_url()).content.decode()
    assert f'src="{image.image.url}"' in html
    assert "srcset" not in html


def test_rendition_task_is_idempotent(published, editor):
    image = upload(published, editor)
    assert tasks.make_image_renditions(image.pk, image.image.name) == 8
    first = PostImage.objects.get(pk=image.pk).renditions
    assert tasks.make_image_renditions(image.pk, image.image.name) == 8
    assert PostImage.objects.get(pk=image.pk).renditions == first


def test_rendition_task_for_a_replaced_image_does_nothing(published, editor):
    image = upload(published, editor)
    assert tasks.make_image_renditions(image.pk, "posts/old-name.jpg") == 0
    assert PostImage.objects.get(pk=image.pk).renditions == []


def test_sweeper_finds_images_without_renditions(published, editor, monkeypatch):
    image = upload(published, editor)
    done = upload(published, editor)
    make_renditions(done)
    queued = []
    monkeypatch.setattr(tasks.make_image_renditions, "delay", lambda *args: queued.append(args))
    assert tasks.make_missing_renditions() == 1
    assert queued == [(image.pk, image.image.name)]


# --- Health -------------------------------------------------------------------------------


def test_liveness(client):
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_readiness_reports_a_missing_worker_heartbeat(client, settings):
    from django.core.cache import cache

    settings.CELERY_TASK_ALWAYS_EAGER = False
    cache.delete(newsroom_celery.HEARTBEAT_KEY)
    response = client.get("/readyz")
    assert response.status_code == 200  # pages still serve: degraded, not unavailable
    assert (response.json()["status"], response.json()["degraded"]) == ("degraded", ["worker"])
    assert response.json()["checks"]["worker"]["ok"] is False

    newsroom_celery.heartbeat()
    response = client.get("/readyz")
    assert (response.status_code, response.json()["status"]) == (200, "ok")
    assert response.json()["checks"]["worker"]["last_heartbeat_age_seconds"] < 5


def test_readiness_reports_redis_down_quickly(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    started = time.monotonic()
    response = client.get("/readyz")
    assert time.monotonic() - started < 3
    assert response.status_code == 200
    assert response.json()["degraded"] == ["redis", "worker"]
    assert response.json()["checks"]["redis"]["ok"] is False


def test_readiness_is_unavailable_without_the_database(client, monkeypatch):
    from django.db import connection

    def refuse(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/readyz")
    assert (response.status_code, response.json()["status"]) == (503, "unavailable")


# --- One way to announce: the timer and the sweeper, never a read ---------------------------


def test_the_embedded_beat_runs_the_sweeper_that_announces_a_due_post(draft, editor, in_process):
    from django.conf import settings

    from newsroom.beat import EmbeddedBeat

    services.post_publish(post=draft, by=editor, at=timezone.now() + timedelta(hours=1))
    Post.objects.filter(pk=draft.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    beat = EmbeddedBeat(settings.CELERY_BEAT_SCHEDULE, now=0.0)
    every = settings.CELERY_BEAT_SCHEDULE["publish-due-posts"]["schedule"]
    assert every == (5.0 if settings.REDIS_URL else 1.0)  # no broker: every second

    assert "publish-due-posts" not in beat.due(every / 2)
    assert "publish-due-posts" in beat.due(every)
    beat.run("publish-due-posts")

    assert published_changes(draft) == 1
    assert "publish-due-posts" not in beat.due(every * 1.5)  # next one an interval later


def test_no_read_announces_a_due_post(client, draft, editor):
    from rest_framework.test import APIClient

    services.post_publish(post=draft, by=editor, at=timezone.now() + timedelta(hours=1))
    Post.objects.filter(pk=draft.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    api = APIClient()
    api.force_authenticate(editor)

    assert client.get(f"/live/{draft.blog.slug}/").status_code == 200
    assert client.get(f"/live/{draft.blog.slug}/changes/?since=0").status_code in (200, 304)
    assert api.get(f"/api/v1/blogs/{draft.blog.slug}/changes/?after=0").status_code == 200
    assert api.get(f"/api/v1/blogs/{draft.blog.slug}/posts/").status_code == 200

    assert Post.objects.get(pk=draft.pk).status == Post.Status.SCHEDULED  # visible, not yet
    assert published_changes(draft) == 0  # announced: that is the timer's or sweeper's job
