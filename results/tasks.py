"""Polling a results feed (AP Elections API v2, or the newsroom's JSON) on Celery beat.

Conditional GETs (``If-None-Match``) make an unchanged feed cost one round trip and no
import; network failures retry with exponential backoff. Each poll imports through
``results.ingest.import_document``, so a repeated or out-of-order document is harmless.
"""

from __future__ import annotations

import hashlib
import logging
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from . import feed_status, recording
from .ingest import import_document
from .models import WireDocument

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
# A forgotten ETag costs one full download at worst; keep it a day.
ETAG_TTL_SECONDS = 24 * 60 * 60
RETRY_ON = (URLError, TimeoutError, ConnectionError)


def _record(url: str, body: bytes, etag: str) -> WireDocument | None:
    """Keep the document on record; a failure to keep it never stops its import."""
    try:
        return recording.record(url, body, etag=etag)
    except Exception:
        logger.exception("Results feed: the document could not be recorded (imported anyway).")
        return None


def _outcome(recorded: WireDocument | None, summary: str) -> None:
    """What the import said, beside the document on record (never failing the poll)."""
    if recorded is None:
        return
    try:
        WireDocument.objects.filter(pk=recorded.pk).update(outcome=summary[:500])
    except Exception:
        logger.exception("Results feed: the import's outcome could not be kept on record.")


def etag_key(url: str) -> str:
    """Per feed URL, hashed: AP URLs may carry an ``apiKey`` that must not sit in the cache."""
    return "results-feed-etag:" + hashlib.sha256(url.encode()).hexdigest()


@shared_task(
    ignore_result=True,
    autoretry_for=RETRY_ON,
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=5,
    retry_jitter=False,
)
def poll_results_feed() -> str:
    """Fetch ``NEWSROOM_RESULTS_FEED_URL`` and import it if it changed; says what happened."""
    return poll_feed()


def poll_feed() -> str:
    url = getattr(settings, "NEWSROOM_RESULTS_FEED_URL", "")
    if not url:
        return "disabled"
    if urlsplit(url).scheme not in ("http", "https"):
        logger.error("NEWSROOM_RESULTS_FEED_URL must be an http(s) URL; not polling.")
        return "refused: not an http(s) URL"
    request = Request(url, headers={"Accept": "application/json, text/csv"})
    if api_key := getattr(settings, "NEWSROOM_RESULTS_FEED_API_KEY", ""):
        request.add_header("x-api-key", api_key)
    if etag := cache.get(etag_key(url)):
        request.add_header("If-None-Match", etag)
    try:
        with urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            body = response.read()
            new_etag = response.headers.get("ETag")
    except HTTPError as exc:
        exc.close()
        if exc.code == 304:
            feed_status.answered(url, "not modified")
            return "not modified"
        feed_status.failed(url, f"HTTP {exc.code}")
        if exc.code >= 500 or exc.code == 429:
            raise  # the feed is struggling: retried with backoff (HTTPError is a URLError)
        # 401, 403, 404…: retrying will not help; the next scheduled poll tries again.
        logger.error("Results feed answered HTTP %s; nothing imported.", exc.code)
        return f"refused: HTTP {exc.code}"
    except RETRY_ON as exc:
        feed_status.failed(url, f"unreachable: {exc}")
        raise  # retried with backoff
    feed_status.answered(url, "a new document")
    recorded = _record(url, body, new_etag or "")
    try:
        report = import_document(body, filename=urlsplit(url).path)
    except Exception:  # a bug or a database fault: reported, and the next poll tries again
        logger.exception("Results feed: the import failed; nothing more was stored.")
        outcome = "failed: the import stopped on an error (logged); the next poll tries again"
        _outcome(recorded, outcome)
        feed_status.failed(url, outcome)
        return outcome
    _outcome(recorded, report.summary())
    feed_status.answered(url, report.summary())
    # Remembered only once imported: a crash mid-import must not turn the retry into a 304.
    if new_etag:
        cache.set(etag_key(url), new_etag, ETAG_TTL_SECONDS)
    for warning in report.warnings:
        logger.warning("Results feed: %s", warning)
    for error in report.errors:
        logger.error("Results feed refused: %s", error)
    return report.summary()
