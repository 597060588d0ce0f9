"""Queueing a Celery task from app code without ever failing the write that queues it.

A toolkit module: it imports no app and not the Celery app either (tasks are
``@shared_task``s), so any app may use it.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, current_app

logger = logging.getLogger(__name__)


def enqueue(task: Task | str, *args: Any, **options: Any) -> None:
    """Queue ``task`` (a task or its registered name) once the current transaction
    commits; never raise, never hang long.

    If the broker cannot take it, this logs and moves on: every task queued this way
    has a sweeper that finds the work again, so nothing is lost while Redis is down.
    """
    from django.db import transaction

    name = task if isinstance(task, str) else task.name

    def send() -> None:
        try:
            # By name, an app's writes need not import its task module (which imports
            # them): the registry knows every task of the installed apps.
            found = registered(task) if isinstance(task, str) else task
            found.apply_async(args=args, **options)
        except Exception as error:  # kombu raises several kinds when Redis is down
            logger.warning("could not queue %s%s (%s); its sweeper will", name, args, error)

    transaction.on_commit(send)


def registered(name: str) -> Task:
    """The task registered as ``name``. The app discovers the apps' task modules lazily
    (a worker at start-up); a web process that has not imported them yet does it now."""
    if name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[name]
