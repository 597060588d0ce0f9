"""Announcing scheduled posts at their second without long ETA tasks.

A scheduled post is visible by query from its time on (``Post.objects.published``);
what must also happen at that second is its announcement (the change log entry that
pushes it to open pages). A timer task per post is queued at most ``TIMER_HORIZON``
ahead, by the schedule itself or by a periodic task as the time comes near, so no ETA
task outlives Redis's visibility timeout; a sweeper announces any whose timer was lost.
Without a broker, the web process's live hub announces due posts every second.
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
        return  # no worker: the in-process scheduler announces it
    if post.published_at - timezone.now() > TIMER_HORIZON:
        return  # schedule_upcoming_posts queues it when it comes near
    try:
        first = cache.add(f"newsroom:timer:{post.pk}:{post.version}", 1, timeout=300)
    except Exception:  # Redis down: queueing would fail too; the sweeper will announce
        return
    if first:
        enqueue("liveblog.tasks.announce_post", post.pk, post.version, eta=post.published_at)
