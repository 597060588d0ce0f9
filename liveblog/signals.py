"""The seam through which committed changes of a live blog leave the app.

``change_committed`` is sent once per change, after the transaction that recorded it
has committed (``liveblog.changes.record_change`` arranges it), with ``change=``, a
``CommittedChange``. Consumers connect a receiver from their own app's ``ready()``:
the live channel (``liveblog.live``), webhooks (``partners``) and whatever comes next.
The change log itself names none of them. Receivers run in the writer's process, after
commit: they must be quick and must not raise (a failure is logged and the others still
run); anything slow belongs in a task they queue.

``desk_changed`` is its staff-only sibling: sent after commit with ``blog_id=`` and
``seq=`` for each entry of the staff log (``liveblog.models.desk``), which the live
desk's channel follows. Nothing public listens to it.

``drawn_changed`` carries what pages draw from outside the change log: a label, a
reporter's byline or headshot, a candidate or a race (every blog's pages), a photo's
renditions now ready (one blog's), a blog's own row saved or deleted. Sent after commit,
once per transaction and subject (``liveblog.drawn`` turns model saves into it), with
``blog_id=`` (None: every blog) and ``what=``, the model's label
(``"liveblog.liveblog"``). The render cache and the position memory subscribe to these
three signals, never to model saves.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CommittedChange:
    """A change now visible to anyone who reads the blog's change log."""

    blog_id: int
    seq: int
    kind: str
    post_id: int | None


change_committed = Signal()


def send_change_committed(change: CommittedChange) -> None:
    """Tell every receiver; one receiver's failure never stops the others."""
    for receiver, result in change_committed.send_robust(sender=CommittedChange, change=change):
        if isinstance(result, Exception):
            logger.error(
                "A receiver of change %s#%s failed: %r",
                change.blog_id,
                change.seq,
                receiver,
                exc_info=result,
            )


desk_changed = Signal()


def send_desk_changed(blog_id: int, seq: int) -> None:
    for receiver, result in desk_changed.send_robust(sender=None, blog_id=blog_id, seq=seq):
        if isinstance(result, Exception):
            logger.error("A receiver of desk change %s#%s failed: %r", blog_id, seq, receiver,
                         exc_info=result)  # fmt: skip


drawn_changed = Signal()
_pending = threading.local()  # what this thread's transaction changed: (what, blog_id)


def announce_drawn(what: str, blog_id: int | None = None) -> None:
    """Send ``drawn_changed`` once the current transaction commits (at once outside one),
    once per ``(what, blog_id)`` however many rows the transaction saved."""
    pending: set[tuple[str, int | None]] = _pending.__dict__.setdefault("items", set())
    pending.add((what, blog_id))
    # Every call asks for a flush: the first after commit sends all that is pending, the
    # others find nothing. What a rolled-back transaction left is sent with the next
    # commit (a harmless extra signal, never a missed one).
    transaction.on_commit(_flush)


def _flush() -> None:
    pending: set[tuple[str, int | None]] = _pending.__dict__.get("items", set())
    while pending:
        what, blog_id = pending.pop()
        for receiver, result in drawn_changed.send_robust(sender=None, what=what,
                                                          blog_id=blog_id):  # fmt: skip
            if isinstance(result, Exception):
                logger.error("A receiver of %s changed failed: %r", what, receiver,
                             exc_info=result)  # fmt: skip
