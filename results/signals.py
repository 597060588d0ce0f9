"""What the results app tells the rest of the project.

``results_changed`` is sent *inside* the writer's transaction whenever what readers see
of a race changes (a newer snapshot, a call confirmed or withdrawn), with ``race_id``,
``payload`` (what changed, for consumers' logs), ``by`` (the editor, or None for
machine ingest) and ``parent_id`` (the national race a state's race counts towards).
Receivers that record something (liveblog's change log, the national roll-up) join the
same transaction, so a result and its announcement commit together or not at all.
Results name no consumer outside the app: each subscribes from its own ``ready()``.
"""

from __future__ import annotations

from django.dispatch import Signal

results_changed = Signal()
