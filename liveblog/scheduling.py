"""Announcing scheduled posts at their second without long ETA tasks.

A scheduled post is visible by query from its time on (``Post.objects.published``);
what must also happen at that second is its announcement (the change log entry that
pushes it to open pages). Two things announce, and nothing else (never a read):

- a timer task per post, queued at most ``TIMER_HORIZON`` ahead (by the schedule itself,
  or by the sweeper as the time comes near), so no ETA task outlives Redis's visibility
  timeout;
- the sweeper (``liveblog.tasks.publish_due_posts``, beat), which announces any whose
  timer was lost. Without a broker, the embedded beat (``newsroom.beat``) runs it every
  second in the web process.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from newsroom.queueing import enqueue

from .models import Post

TIMER_HORIZON = timedelta(seconds=60)


def queue_timer(post: Post) -> None:
    """Queue the announcement of a post due within the horizon (once per version)."""
    if settings.CELERY_TASK_ALWAYS_EAGER or post.published_at is None:
        return  # no worker: the embedded beat's sweeper announces it (newsroom.beat)
    if post.published_at - timezone.now() > TIMER_HORIZON:
        return  # the sweeper (publish_due_posts) queues it when it comes near
    try:
        first = cache.add(f"newsroom:timer:{post.pk}:{post.version}", 1, timeout=300)
    except Exception:  # Redis down: queueing would fail too; the sweeper will announce
        return
    if first:
        enqueue("liveblog.tasks.announce_post", post.pk, post.version, eta=post.published_at)
