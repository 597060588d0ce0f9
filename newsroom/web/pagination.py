"""Keyset pagination on a stable key (a time, then the id), newest first.

A cursor is opaque to clients: the (time, id) of the last item of the previous page,
base64url-encoded and signed, so anything the API did not issue is refused (400
``invalid_cursor``), never guessed at. Page sizes are checked, not clamped: a ``limit``
outside 1…max is a 400, so a client never silently gets fewer items than it asked for.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils.crypto import constant_time_compare, salted_hmac

from .errors import InvalidCursor

T = TypeVar("T", bound=Model)
_RAW = re.compile(r"(-?[0-9]{1,17})\.([1-9][0-9]{0,18})")
MAX_ID = 2**63 - 1
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def _mac(raw: str) -> str:
    return salted_hmac("newsroom.api.cursor", raw, algorithm="sha256").hexdigest()[:16]


@dataclass(frozen=True)
class Cursor:
    at: datetime
    pk: int

    def encode(self) -> str:
        micros = (self.at - EPOCH) // MICROSECOND
        raw = f"{micros}.{self.pk}"
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=") + "." + _mac(raw)

    @classmethod
    def decode(cls, value: str) -> Cursor:
        encoded, _, mac = value.partition(".")
        if len(value) > 100:
            raise InvalidCursor()
        try:
            raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode("ascii")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise InvalidCursor() from None
        match = _RAW.fullmatch(raw)
        if match is None or not constant_time_compare(mac, _mac(raw)):
            raise InvalidCursor()
        if int(match.group(2)) > MAX_ID:
            raise InvalidCursor()
        try:
            at = EPOCH + int(match.group(1)) * MICROSECOND
        except (OverflowError, OSError, ValueError):
            raise InvalidCursor() from None
        return cls(at, int(match.group(2)))


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next: str | None

    @property
    def has_more(self) -> bool:
        return self.next is not None

    def body(self, results: Sequence[Any] | None = None) -> dict[str, Any]:
        """The list response: ``results`` (the items themselves unless given), the next
        cursor and whether there is more."""
        return {
            "results": self.items if results is None else results,
            "next": self.next,
            "has_more": self.has_more,
        }


def parse_cursor(value: str | None) -> Cursor | None:
    return Cursor.decode(value) if value else None


def newest_first_page(
    queryset: QuerySet[T], *, field: str, limit: int, after: Cursor | None
) -> Page[T]:
    """One page of ``queryset`` ordered by (``field``, id) descending, after ``after``."""
    queryset = queryset.order_by(f"-{field}", "-pk")
    if after is not None:
        queryset = queryset.filter(
            Q(**{f"{field}__lt": after.at}) | Q(**{field: after.at, "pk__lt": after.pk})
        )
    items = list(queryset[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    if not more:
        return Page(items, None)
    last = items[-1]
    return Page(items, Cursor(getattr(last, field), last.pk).encode())
