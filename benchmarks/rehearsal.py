"""A rehearsal under load: the demo's recorded night (``liveblog/demo/night``: AP's
documents and the scripted posts) played at 10x while thousands of readers hold the
rehearsal's live page, through the production stack of the push benchmark (two stream
processes behind nginx, Redis between them).

Each step of the night is taken at its time (its offset divided by the speed): a document
through the real import, roll-up and calls (its new races shown on the rehearsal's blog),
or a post published. For each step the run records how long the step took (the import
time), how many changes it made, and how late its first change reached each reader (from
the step returning to the reader holding the event), and whether the step started on
time. A step whose change some reader never got, or readers who never connected, fail
the run (``make bench`` exits non-zero).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from .loadclients import LoadClients
from .push import StreamServers
from .stack import Stack
from .stats import percentile, summary

SPEED = 10
NIGHT = Path(__file__).resolve().parent.parent / "liveblog" / "demo" / "night"


def run(stack: Stack, *, quick: bool, runs: int) -> dict[str, Any]:
    stack.django()
    from django.contrib.auth import get_user_model

    from liveblog import rehearsal as rehearsals
    from liveblog.models import LiveBlog

    readers = 1000 if quick else 5000
    night = rehearsals.folder_night(NIGHT)
    posts = rehearsals.scripted_posts(NIGHT / "posts.json")
    editor = get_user_model().objects.get(username="editor")
    rehearsal, blog = rehearsals.prepare(night, speed=SPEED)

    def last_seq() -> int:
        return int(LiveBlog.objects.values_list("last_seq", flat=True).get(pk=blog.pk))

    result: dict[str, Any] = {"speed": SPEED, "readers": readers, "steps": [], "problems": []}
    server = StreamServers(stack)
    clients = None
    try:
        clients = LoadClients(stack, port=server.port, path=f"/live/{blog.slug}/stream/",
                              count=readers, processes=2)  # fmt: skip
        connected = clients.connect(last_seq())
        result |= {"connected": connected["connected"],
                   "connect_seconds": round(connected["seconds"], 2)}  # fmt: skip
        if connected["connected"] < readers:
            result["problems"].append(
                f"only {connected['connected']:,} of {readers:,} readers connected "
                f"({'; '.join(connected['errors'][:3])})"
            )
            return result
        steps = sorted([*night.steps, *posts], key=lambda step: step.at)
        began = time.monotonic()
        for step in steps:
            due = step.at / SPEED
            wait = due - (time.monotonic() - began)
            if wait > 0:
                time.sleep(wait)
            seq = last_seq() + 1
            clients.arm(seq)
            started = time.monotonic()
            report = rehearsals.take(step, rehearsal, blog, by=editor)
            returned = time.monotonic()
            changes = last_seq() - seq + 1
            row: dict[str, Any] = {
                "step": step.label,
                "kind": "document" if step.document is not None else "post",
                "at_s": step.at,
                "late_start_s": round(max(0.0, started - began - due), 3),
                "step_ms": round((returned - started) * 1000, 1),
                "changes": changes,
                "import": report.summary() if report is not None else "",
            }
            if changes <= 0:
                row["problem"] = "the step made no change for readers"
                result["problems"].append(f"{step.label}: made no change")
                result["steps"].append(row)
                continue
            times = clients.collect(timeout=10.0)
            delays = [(t - returned) * 1000 for t in times if t is not None]
            row |= {"delivered": len(delays), "missing": len(times) - len(delays),
                    "p50_ms": round(percentile(delays, 50), 1),
                    "p99_ms": round(percentile(delays, 99), 1),
                    "max_ms": round(max(delays), 1) if delays else None}  # fmt: skip
            if row["missing"]:
                result["problems"].append(f"{step.label}: {row['missing']:,} readers missed it")
            result["steps"].append(row)
        taken = result["steps"]
        result |= {
            "p50_ms": summary([s["p50_ms"] for s in taken if "p50_ms" in s]),
            "p99_ms": summary([s["p99_ms"] for s in taken if "p99_ms" in s]),
            "import_ms": summary([s["step_ms"] for s in taken if s["kind"] == "document"]),
            "late_start_s": max((s["late_start_s"] for s in taken), default=0.0),
            "missing": sum(s.get("missing", 0) for s in taken),
        }
        return result
    finally:
        if clients is not None:
            clients.close()
        server.stop()
        rehearsals.wipe(rehearsal)
