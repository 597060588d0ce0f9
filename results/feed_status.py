"""How the results feed is doing, for the operations view and ``/metrics``: when it last
answered (a new document, or "not modified"), what the last import said, and the last
error (``FeedState``, one row per feed in the database: the worker that polls and the
pages that show it may share nothing else). Writing it never stops a poll."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.utils import timezone

from .models import FeedState
from .recording import source_of

logger = logging.getLogger(__name__)


def _write(url: str, **fields: Any) -> None:
    try:
        FeedState.objects.update_or_create(source=source_of(url), defaults=fields)
    except Exception as error:  # the database is down: the poll says so in its own way
        logger.info("feed status not written: %s", error)


def answered(url: str, outcome: str) -> None:
    """The feed answered (a document imported, or not modified)."""
    _write(url, last_ok_at=timezone.now(), last_outcome=outcome[:300])


def failed(url: str, error: str) -> None:
    _write(url, last_error=error[:300], last_error_at=timezone.now())


def status() -> dict[str, Any]:
    """For the configured feed: ``age`` (seconds since it last answered, None if never),
    ``stale`` (no answer for NEWSROOM_RESULTS_FEED_STALE_SECONDS), the last outcome and
    the last error with its age."""
    url = getattr(settings, "NEWSROOM_RESULTS_FEED_URL", "")
    limit = float(getattr(settings, "NEWSROOM_RESULTS_FEED_STALE_SECONDS", 120))
    state = FeedState.objects.filter(source=source_of(url)).first() if url else None
    now = timezone.now()
    age = (now - state.last_ok_at).total_seconds() if state and state.last_ok_at else None
    error_at = state.last_error_at if state else None
    return {
        "configured": bool(url),
        "age": age,
        "stale": bool(url) and (age is None or age > limit),
        "stale_after": limit,
        "last_outcome": state.last_outcome if state else "",
        "last_error": state.last_error if state else "",
        "last_error_age": (now - error_at).total_seconds() if error_at else None,
    }
