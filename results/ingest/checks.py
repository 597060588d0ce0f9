"""Field checks that say where a document is wrong, not only what is wrong.

An editor fixing a feed at 2 a.m. needs ``races[1] (MS-25002) reportingUnits[0]
.candidates[2].voteCount: expected a whole number ≥ 0, got "12a"``, not a traceback. Every
check takes the path of the value it checks and raises :class:`Refused` with it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

# PostgreSQL's integer and bigint: larger numbers would fail at the database, not here.
MAX_INT = 2**31 - 1
MAX_BIGINT = 2**63 - 1


class Refused(ValueError):
    """Part of a document cannot be imported; the message starts with where it is."""


def shown(value: Any) -> str:
    """The offending value as the document spells it, shortened for one error line."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"


def join(path: str, key: str | int) -> str:
    """``races[1]`` + ``reportingUnits`` → ``races[1].reportingUnits``; ints index."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def field(obj: Mapping[str, Any], key: str, path: str) -> Any:
    if key not in obj:
        raise Refused(f'{path or "document"}: missing "{key}"')
    return obj[key]


def mapping(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise Refused(f"{path}: expected an object, got {shown(value)}")
    return value


def items(value: Any, path: str, *, allow_empty: bool = False) -> list[Any]:
    if not isinstance(value, list):
        raise Refused(f"{path}: expected a list, got {shown(value)}")
    if not value and not allow_empty:
        raise Refused(f"{path}: expected at least one entry, got an empty list")
    return value


def whole(value: Any, path: str, *, maximum: int = MAX_BIGINT) -> int:
    """A JSON whole number ≥ 0: no strings, floats or booleans (``true`` is not 1 vote)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise Refused(f"{path}: expected a whole number ≥ 0, got {shown(value)}")
    if value > maximum:
        raise Refused(f"{path}: {value} is larger than the largest allowed, {maximum}")
    return value


def whole_text(value: str, path: str, *, maximum: int = MAX_BIGINT) -> int:
    """A whole number written as text (CSV cells): digits only, no signs or separators."""
    text = value.strip()
    if not text.isascii() or not text.isdigit():
        raise Refused(f"{path}: expected a whole number ≥ 0, got {shown(value)}")
    return whole(int(text), path, maximum=maximum)


def text(value: Any, path: str, *, max_length: int, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise Refused(f"{path}: expected text, got {shown(value)}")
    stripped = value.strip()
    if not stripped and not allow_empty:
        raise Refused(f"{path}: must not be empty")
    if len(stripped) > max_length:
        raise Refused(f"{path}: longer than {max_length} characters, got {shown(stripped)}")
    return stripped


def ident(value: Any, path: str, *, max_length: int = 40) -> str:
    """A feed's id: AP sends ids as strings, but a whole number means the same id."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return text(value, path, max_length=max_length)


def aware_time(value: Any, path: str) -> datetime:
    """An ISO 8601 time with its offset (``Z`` or ``+01:00``), returned in UTC.

    A time without an offset is refused rather than guessed: an hour's error moves a
    snapshot before or after another and changes which one the page shows.
    """
    raw = text(value, path, max_length=60)
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise Refused(f"{path}: expected an ISO 8601 time, got {shown(value)}") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise Refused(f"{path}: the time must include its offset (Z or +HH:MM), got {shown(value)}")
    return parsed.astimezone(UTC)


def within(reporting: int | None, total: int | None, path: str, total_name: str) -> None:
    """``path`` is the reporting count's: "…precinctsReporting: 1812 is more than …"."""
    if reporting is not None and total is not None and reporting > total:
        raise Refused(f"{path}: {reporting} is more than {total_name} {total}")
