"""Importing a full national AP document, as the poller does every few seconds on the night.

The document has the shape of AP's presidential responses (``results.ingest.synthetic``):
51 state races, about 3,100 counties, Maine's and Nebraska's districts, five candidates.
Each run imports it into a fresh election (its own election date) whose national race an
editor has put on the demo blog, so the change log, the live channel and the national
roll-up all do their work. Three figures per run:

- first import: every race, candidate, snapshot and county created;
- unchanged re-import: the same bytes again (AP answering with nothing new);
- next update: every state moved (a new ``lastUpdated``, more precincts in).

Targets: first import under 5 s, unchanged re-import under 1 s.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from .stack import Stack
from .stats import summary

FIRST_TARGET, UNCHANGED_TARGET = 5.0, 1.0


def run(stack: Stack, *, quick: bool, runs: int) -> dict[str, Any]:
    stack.django()
    from liveblog.models import LiveBlog
    from results.ingest import import_document
    from results.ingest.synthetic import presidential_document
    from results.models import Race, SnapshotUnit

    blog = LiveBlog.objects.get(slug="us-election-2024")
    at = datetime.now(UTC) - timedelta(hours=2)
    first, unchanged, update = [], [], []
    size = units = 0
    for n in range(runs):
        election = date(2024, 11, 5) + timedelta(days=7 * (n + 1))  # a fresh election
        national = Race.objects.create(
            name=f"US President ({election})", slug=f"bench-president-{election}",
            office="President", level="national", source_id="US-president",
            election_date=election, threshold_unit="electoral votes", unit_label="state",
        )  # fmt: skip
        blog.races.add(national)
        calls = {"PA": 1, "CA": 0}
        doc = presidential_document(at=at, reporting=0.8, election_date=str(election),
                                    calls=calls)  # fmt: skip
        data = json.dumps(doc).encode()
        later = presidential_document(at=at + timedelta(minutes=1), reporting=0.85,
                                      election_date=str(election), calls=calls)  # fmt: skip
        later_data = json.dumps(later).encode()
        size, units = len(data), sum(len(r["reportingUnits"]) for r in doc["races"])
        for figures, payload in ((first, data), (unchanged, data), (update, later_data)):
            t0 = time.perf_counter()
            report = import_document(payload)
            figures.append(round(time.perf_counter() - t0, 3))
            assert report.ok, report.errors[:3]
        stored = SnapshotUnit.objects.filter(snapshot__race__election_date=election).count()
        assert stored >= 2 * (units - 51), stored  # every county of both snapshots
        blog.races.remove(national)
        if quick:
            break
    return {
        "label": f"51 state races, {units - 51:,} counties and districts, {size / 1e6:.1f} MB",
        "first_import_s": summary(first),
        "unchanged_reimport_s": summary(unchanged),
        "next_update_s": summary(update),
        "targets": {"first_import_s": FIRST_TARGET, "unchanged_reimport_s": UNCHANGED_TARGET},
        "met": max(first) < FIRST_TARGET and max(unchanged) < UNCHANGED_TARGET,
    }
