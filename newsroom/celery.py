"""The Celery app, configured from Django settings (``CELERY_*``).

With ``REDIS_URL`` set, Redis is the broker and a real worker runs the tasks; without
it, ``CELERY_TASK_ALWAYS_EAGER`` runs them in-process once the transaction commits.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

app = Celery("newsroom")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
