"""The Celery app is configured from settings and runs tasks: in-process without Redis,
on a real worker with it."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from liveblog import services
from liveblog.models import Change, Post
from liveblog.tasks import publish_due_posts
from newsroom.celery import app


def test_app_reads_its_configuration_from_django_settings():
    assert app.conf.broker_url == settings.CELERY_BROKER_URL
    assert app.conf.task_acks_late is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert "liveblog.tasks.publish_due_posts" in app.tasks


@pytest.mark.django_db
def test_due_posts_task_announces_scheduled_posts(draft, editor, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    services.post_publish(post=draft, by=editor, at=timezone.now() + timedelta(seconds=1))
    Post.objects.filter(pk=draft.pk).update(published_at=timezone.now() - timedelta(seconds=1))

    assert publish_due_posts.apply().get() == [draft.pk]
    assert Change.objects.filter(post=draft, kind="published").count() == 1


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL for a real worker")
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_task_through_redis(editor, blog):
    from celery.contrib.testing.worker import start_worker

    from tests import factories

    post = factories.PostFactory(blog=blog, author=editor)
    services.post_publish(post=post, by=editor, at=timezone.now() + timedelta(seconds=1))
    Post.objects.filter(pk=post.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            publish_due_posts.delay()
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                if Change.objects.filter(post=post, kind="published").exists():
                    break
                time.sleep(0.1)
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
    assert Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHED
    assert Change.objects.filter(post=post, kind="published").count() == 1
