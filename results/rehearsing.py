"""Which night the import is writing: the real one, or a rehearsal's (``Rehearsal``).

``playing(rehearsal)`` makes the import find and create races within that rehearsal
only (the feed's ids repeat from one rehearsal of a night to the next, and match the
real races'); outside it, the import sees real races only. A context variable, so a
rehearsal played in one thread never leaks into another's import.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from .models import Rehearsal

_current: ContextVar[Rehearsal | None] = ContextVar("rehearsal", default=None)


def current() -> Rehearsal | None:
    return _current.get()


@contextmanager
def playing(rehearsal: Rehearsal) -> Iterator[Rehearsal]:
    token = _current.set(rehearsal)
    try:
        yield rehearsal
    finally:
        _current.reset(token)
