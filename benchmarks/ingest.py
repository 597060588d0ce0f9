"""Results ingest: snapshots recorded per second through ``snapshot_record``.

One writer, in-process, as the feed poller and the import command call it: each
snapshot is validated, stored with its candidates' counts, appended to the change log of
every blog showing the race, and announced (Redis) after commit.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from .stack import Stack
from .stats import summary

RACE = "us-president-2024"


def run(stack: Stack, *, quick: bool, runs: int) -> dict[str, Any]:
    stack.django()
    from django.utils import timezone

    from results.models import Race
    from results.services import CandidateCount, snapshot_record

    race = Race.objects.get(slug=RACE)
    candidates = list(race.candidates.values_list("name", flat=True))
    seconds = 1.0 if quick else 5.0
    start = timezone.now()
    sequence = 0
    rates = []
    for _ in range(runs):
        recorded = 0
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            sequence += 1
            counts = [CandidateCount(name, 1_000_000 + sequence * (i + 1), None)
                      for i, name in enumerate(candidates)]  # fmt: skip
            _, new = snapshot_record(race=race, as_of=start + timedelta(seconds=sequence),
                                     source="benchmark", source_seq=str(sequence),
                                     counts=counts)  # fmt: skip
            recorded += int(new)
        rates.append(round(recorded / (time.perf_counter() - t0), 1))
    blogs = race.blogs.count()
    return {
        "label": f"{len(candidates)} candidates, race on {blogs} blog(s), one writer",
        "seconds_per_run": seconds,
        "per_second": summary(rates),
    }
