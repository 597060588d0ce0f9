"""Background work for live blogs. Tasks take ids or nothing, and call services."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def publish_due_posts() -> list[int]:
    """Announce scheduled posts whose time has come (safe to run any number of times)."""
    return [post.pk for post in services.post_publish_due()]
