"""``manage.py load_demo``: the reference live page as published content (idempotent)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from liveblog.demo.loader import load_demo


class Command(BaseCommand):
    help = "Load the US Election 2024 reference live page, its results and the demo users."

    def handle(self, *args: Any, **options: Any) -> None:
        summary = load_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo blog “{summary.blog.title}” ready at {summary.blog.get_absolute_url()} "
                f"({summary.posts_created} posts added); users: {', '.join(summary.users)} "
                f"(password: {settings.NEWSROOM_DEMO_PASSWORD})."
            )
        )
