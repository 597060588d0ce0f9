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
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

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
