"""The wire on record: every document the results poller fetched, kept compressed with
when it arrived and its ETag (``WireDocument``), per election, for
``NEWSROOM_RESULTS_RECORD_DAYS`` days (0: nothing is kept).

A rehearsal plays a recorded night back through the real import (issue: rehearse the
night); the record also answers "what did the wire say at 02:14?" after the night.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import WireDocument

# AP's documents and Newsroom's own open with the election's date.
_ELECTION_DATE = re.compile(rb'"electionDate"\s*:\s*"(\d{4}-\d{2}-\d{2})"')


def source_of(url: str) -> str:
    """The feed's address as recorded: no query, no user or password (where keys go)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"[:300]


def election_date_of(body: bytes) -> date | None:
    found = _ELECTION_DATE.search(body[:4096])
    if found is None:
        return None
    try:
        return date.fromisoformat(found.group(1).decode())
    except ValueError:
        return None


def keep_days() -> int:
    return int(getattr(settings, "NEWSROOM_RESULTS_RECORD_DAYS", 30))


@transaction.atomic
def record(url: str, body: bytes, *, etag: str = "", at: datetime | None = None
           ) -> WireDocument | None:  # fmt: skip
    """Keep a fetched document (None when recording is off), then let the oldest go."""
    days = keep_days()
    if days <= 0:
        return None
    at = at or timezone.now()
    source = source_of(url)
    digest = hashlib.sha256(body).hexdigest()
    previous = (WireDocument.objects.filter(source=source).order_by("-received_at", "-id")
                .only("pk", "sha256", "same_as_id").first())  # fmt: skip
    repeats = previous if previous is not None and previous.sha256 == digest else None
    original = None
    if repeats is not None:
        original = repeats.same_as_id or repeats.pk
    document = WireDocument.objects.create(
        source=source, received_at=at, etag=etag[:200], election_date=election_date_of(body),
        size=len(body), sha256=digest,
        body=None if original else gzip.compress(body, compresslevel=6),
        same_as_id=original,
    )  # fmt: skip
    cutoff = at - timedelta(days=days)
    # An old document a kept one repeats stays (it holds their bytes).
    repeated = WireDocument.objects.filter(received_at__gte=cutoff, same_as__isnull=False)
    WireDocument.objects.filter(received_at__lt=cutoff).exclude(
        pk__in=repeated.values("same_as_id")
    ).delete()
    return document


def body_of(document: WireDocument) -> bytes:
    """The document's bytes as they were received."""
    if document.same_as_id is not None:
        document = WireDocument.objects.only("body").get(pk=document.same_as_id)
    return gzip.decompress(bytes(document.body or b""))
