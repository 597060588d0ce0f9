"""Newsroom project package: settings, URLs, the Celery app, staff and reporters."""

from .celery import app as celery_app

__all__ = ["celery_app"]
