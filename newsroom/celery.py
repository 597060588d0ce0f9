"""The Celery app, configured from Django settings (``CELERY_*``).

With ``REDIS_URL`` set, Redis is the broker and a real worker runs the tasks; without
it, ``CELERY_TASK_ALWAYS_EAGER`` runs them in-process once the transaction commits.
Tasks are Django-aware (``delay_on_commit``), and ``enqueue`` never lets a dead broker
hang or break a web request: what it cannot queue, a periodic sweeper catches up.
"""

from __future__ import annotations

import logging
import os
import time

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

app = Celery("newsroom", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)
HEARTBEAT_KEY = "newsroom:worker-heartbeat"


@app.task(ignore_result=True)
def heartbeat() -> float:
    """Run by a worker every few seconds (beat): readiness checks its age."""
    from django.core.cache import cache

    now = time.time()
    cache.set(HEARTBEAT_KEY, now, timeout=3600)
    return now
