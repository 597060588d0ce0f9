"""Background work for live blogs. Tasks take ids, call services, and are safe to run
twice (a redelivered task finds its work done and does nothing)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import services
from .models import Post, PostImage
from .renditions import make_renditions
from .scheduling import TIMER_HORIZON, queue_timer


@shared_task(ignore_result=True, acks_late=True)
def announce_post(post_id: int, version: int) -> bool:
    """At a scheduled post's time: announce it (exactly once, whoever gets there first).

    A rescheduled post has a newer version and its own timer; this one then does nothing.
    """
    post = Post.objects.filter(pk=post_id, version=version, status=Post.Status.SCHEDULED).first()
    if post is None:
        return False
    return bool(services.post_publish_due(post_ids=[post_id]))


@shared_task(ignore_result=True)
def publish_due_posts() -> list[int]:
    """The sweeper (beat, every few seconds), the one periodic task for scheduled posts:
    announce those whose time has come and whose timer was lost, and queue the timers of
    those coming due within the horizon (a long embargo gets its timer only then)."""
    announced = [post.pk for post in services.post_publish_due()]
    soon = timezone.now() + TIMER_HORIZON
    upcoming = Post.objects.filter(status=Post.Status.SCHEDULED, published_at__lte=soon)
    for post in upcoming.only("pk", "version", "published_at"):
        queue_timer(post)
    return announced


@shared_task(ignore_result=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=2,
             retry_backoff_max=60, max_retries=5)  # fmt: skip
def make_image_renditions(image_id: int, source_name: str) -> int:
    """Make an image's responsive sizes; nothing to do if they exist or the image changed."""
    image = PostImage.objects.filter(pk=image_id, image=source_name).first()
    if image is None:
        return 0
    return len(make_renditions(image))


@shared_task(ignore_result=True)
def make_missing_renditions(limit: int = 200) -> int:
    """The sweeper for renditions whose task was lost (worker or Redis down at upload)."""
    from django.db.models import F

    images = PostImage.objects.exclude(renditions_of=F("image")).order_by("-pk")[:limit]
    for image in images:
        make_image_renditions.delay(image.pk, image.image.name)
    return len(images)
