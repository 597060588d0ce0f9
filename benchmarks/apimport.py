"""Importing a full national AP document, as the poller does every few seconds on the night.

The document has the shape of AP's presidential responses (``benchmarks.synthetic``):
51 state races, about 3,100 counties, Maine's and Nebraska's districts, five candidates.
Each run imports it into a fresh election (its own election date) whose national race an
editor has put on the demo blog, so the change log, the live channel and the national
roll-up all do their work. Three figures per run:

- first import: every race, candidate, snapshot and county created;
- unchanged re-import: the same bytes again (AP answering with nothing new);
- next update: every state moved (a new ``lastUpdated``, more precincts in).

Targets: first import under 5 s, unchanged re-import under 1 s.

And one oversized document (``big``): a single race of 50,000 counties, 50 MB, as a feed
gone wrong could send. It is imported in a process of its own, whose peak memory (above
what Django itself takes) and time are recorded; then its results page is fetched twice:
the first draws one page of the breakdown, the second must come from the cache within a
second (targets: import under 15 s, cached page under 1 s).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from .stack import Stack
from .stats import summary

FIRST_TARGET, UNCHANGED_TARGET = 5.0, 1.0
BIG_IMPORT_TARGET, BIG_PAGE_TARGET = 15.0, 1.0
BIG_COUNTIES = 50_000  # about 50 MB in AP's shape

# Run in a process of its own, so that its peak memory is the import's alone.
IMPORT_ALONE = """
import json, sys, time
import django
django.setup()
from results.ingest import import_document
from results.models import Race

def high_water_mb():
    status = open("/proc/self/status").read()
    return int(status.split("VmHWM:")[1].split()[0]) // 1024

# A fork inherits its parent's peak: reset it (Linux's clear_refs), then measure.
open("/proc/self/clear_refs", "w").write("5")
base = high_water_mb()
data = open(sys.argv[1], "rb").read()
started = time.perf_counter()
report = import_document(data)
took = time.perf_counter() - started
peak = high_water_mb()
race = Race.objects.filter(level="state", election_date="2023-11-07").first()
print(json.dumps({"seconds": round(took, 2), "peak_above_base_mb": peak - base,
                  "base_mb": base, "ok": report.ok, "errors": report.errors[:3],
                  "slug": race.slug if race else None}))
"""


def run(stack: Stack, *, quick: bool, runs: int) -> dict[str, Any]:
    stack.django()
    from benchmarks.synthetic import presidential_document
    from liveblog.models import LiveBlog
    from results.ingest import import_document
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
    big = big_document(stack, counties=BIG_COUNTIES // 5 if quick else BIG_COUNTIES)
    return {
        "big": big,
        "label": f"51 state races, {units - 51:,} counties and districts, {size / 1e6:.1f} MB",
        "first_import_s": summary(first),
        "unchanged_reimport_s": summary(unchanged),
        "next_update_s": summary(update),
        "targets": {"first_import_s": FIRST_TARGET, "unchanged_reimport_s": UNCHANGED_TARGET},
        "met": max(first) < FIRST_TARGET and max(unchanged) < UNCHANGED_TARGET and big["met"],
    }


def big_document(stack: Stack, *, counties: int) -> dict[str, Any]:
    """One oversized race: its import's peak memory and time, its page cold and cached."""
    from django.test import Client

    from benchmarks.synthetic import presidential_race

    at = datetime.now(UTC) - timedelta(hours=1)
    race = presidential_race("TX", at=at, counties=counties, reporting=0.8)
    path = stack.workdir / "big-document.json"
    path.write_text(json.dumps({"electionDate": "2023-11-07", "races": [race]}))
    del race
    result = subprocess.run([sys.executable, "-c", IMPORT_ALONE, str(path)], env=stack.env,
                            capture_output=True, text=True, timeout=600, check=True)  # fmt: skip
    imported = json.loads(result.stdout.strip().splitlines()[-1])
    assert imported["ok"], imported  # it imported, or there is nothing to time
    assert imported["slug"], imported
    client, url = Client(), f"/results/{imported['slug']}/"
    pages = []
    for _ in range(2):
        started = time.perf_counter()
        response = client.get(url)
        pages.append(round(time.perf_counter() - started, 3))
        assert response.status_code == 200, response.status_code
        assert response.content.count(b'<th scope="row">County ') == 200  # one page drawn
    return {
        "label": f"one race of {counties:,} counties, {path.stat().st_size / 1e6:.1f} MB",
        "import_s": imported["seconds"],
        "import_peak_above_base_mb": imported["peak_above_base_mb"],
        "process_base_mb": imported["base_mb"],
        "page_first_s": pages[0],
        "page_cached_s": pages[1],
        "targets": {"import_s": BIG_IMPORT_TARGET, "page_cached_s": BIG_PAGE_TARGET},
        "met": imported["seconds"] < BIG_IMPORT_TARGET and pages[1] < BIG_PAGE_TARGET,
    }
