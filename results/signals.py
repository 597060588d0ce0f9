"""What the results app tells the rest of the project.

``results_changed`` is sent *inside* the writer's transaction whenever what readers see
of a race changes (a newer snapshot, a call confirmed or withdrawn), with ``race_id``,
``payload`` (what changed, for consumers' logs), ``by`` (the editor, or None for
machine ingest) and ``parent_id`` (the national race a state's race counts towards).
A receiver that records something (liveblog's change log) joins the same transaction, so
a result and its announcement commit together or not at all; work that must happen
after the commit (liveblog's call posts) waits for it (``transaction.on_commit``). The
national roll-up is not a receiver: the results services run it themselves.
Results name no consumer outside the app: each subscribes from its own ``ready()``.

``calls_waiting`` is its staff-only sibling, sent inside the writer's transaction when a
call that readers do not see yet changes (made, by an editor or the wire; a correction
proposed; one rejected or withdrawn before it showed), with ``race_id`` and ``call_id``:
the editors who must confirm it hear of it (liveblog's staff log), readers never do.
"""

from __future__ import annotations

from django.dispatch import Signal

results_changed = Signal()
calls_waiting = Signal()
