"""Rehearse election night: a recorded night (the documents the poller kept, or a folder
of AP documents with their times) played back at 1x, 10x or 60x into a rehearsal's own
blog and races, through the real import, roll-up, calls and call posts, with scripted
posts published through the real services at their times (``manage.py rehearse``).

Nothing of a rehearsal mixes with the real night: its races are found and created only
within it (``results.rehearsing``), its blog is marked on every page, left out of the
partner API's lists and of webhooks for all blogs, and ``wipe()`` takes all of it away.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from results import rehearsing
from results.ingest import ImportReport, import_document
from results.models import Race, Rehearsal, ResultSnapshot, WinnerCall, WireDocument
from results.recording import body_of, election_date_of

from . import services
from .models import LiveBlog

if TYPE_CHECKING:
    from django.contrib.auth.models import User

SPEEDS = (1, 1000)  # slowest and fastest playback
# How ``manage.py recordings --export`` names a document: its arrival time first.
_STAMP = re.compile(r"^(\d{8}T\d{6}(?:\.\d+)?)Z")


@dataclass(frozen=True)
class Step:
    """One thing that happens in the night, ``at`` seconds after it began."""

    at: float
    document: bytes | None = None
    post: dict[str, Any] | None = None
    label: str = ""


@dataclass
class Night:
    name: str
    election_date: date | None
    steps: list[Step] = field(default_factory=list)


def recorded_night(election: date) -> Night:
    """The documents the poller kept for ``election``, at the times they arrived."""
    kept = WireDocument.objects.filter(election_date=election)
    documents = list(kept.order_by("received_at", "id"))
    if not documents:
        raise ValueError(f"Nothing on record for {election} (manage.py recordings lists it).")
    start = documents[0].received_at
    steps = [Step(at=(d.received_at - start).total_seconds(), document=body_of(d),
                  label=f"{d.source} {d.received_at:%H:%M:%S}") for d in documents]  # fmt: skip
    return Night(name=f"The night of {election} as recorded", election_date=election, steps=steps)


def folder_night(folder: Path) -> Night:
    """A folder of documents: ``night.json`` (``{"name", "documents": [{"at", "file"}]}``)
    says when each came; without it, names as ``manage.py recordings --export`` writes
    them (``20241105T233000.000000Z-….json``) do."""
    manifest = folder / "night.json"
    if manifest.exists():
        plan = json.loads(manifest.read_text())
        entries = [(float(d["at"]), folder / d["file"]) for d in plan["documents"]]
        name = str(plan.get("name") or folder.name)
    else:
        stamped = []
        for path in sorted(folder.glob("*.json")):
            found = _STAMP.match(path.name)
            if found:
                stamped.append((datetime.strptime(found.group(1).split(".")[0], "%Y%m%dT%H%M%S"),
                                path))  # fmt: skip
        if not stamped:
            raise ValueError(f"{folder}: no night.json and no documents named by their time.")
        first = stamped[0][0]
        entries = [((when - first).total_seconds(), path) for when, path in stamped]
        name = folder.name
    steps = [Step(at=at, document=path.read_bytes(), label=path.name) for at, path in entries]
    dates = [d for d in (election_date_of(s.document or b"") for s in steps) if d]
    return Night(name=name, election_date=dates[0] if dates else None, steps=steps)


def scripted_posts(path: Path) -> list[Step]:
    """``[{"at": seconds, "title": …, "body": …, "key_event": false}]``: posts to publish."""
    posts = json.loads(path.read_text())
    if not isinstance(posts, list):
        raise ValueError(f'{path}: a list of posts, each with its "at" and "title".')
    return [Step(at=float(p["at"]), post=p, label=str(p["title"])[:80]) for p in posts]


@transaction.atomic
def prepare(night: Night, *, speed: int) -> tuple[Rehearsal, LiveBlog]:
    """The rehearsal and its own live blog, marked as such."""
    rehearsal = Rehearsal.objects.create(
        name=night.name[:200], election_date=night.election_date, speed=speed
    )
    blog = LiveBlog.objects.create(
        slug=f"rehearsal-{rehearsal.pk}",
        title=f"Rehearsal: {night.name}"[:200],
        description="A rehearsal: a recorded night played back. Not real results.",
        status=LiveBlog.Status.LIVE,
        coverage_start=timezone.now() - timedelta(minutes=1),
        rehearsal=rehearsal,
    )
    return rehearsal, blog


@dataclass
class Played:
    documents: int = 0
    posts: int = 0
    reports: list[ImportReport] = field(default_factory=list)


def play(night: Night, rehearsal: Rehearsal, blog: LiveBlog, *, by: User, speed: int,
         posts: list[Step] | None = None, say: Callable[[str], None] = lambda text: None,
         sleep: Callable[[float], None] = time.sleep,
         clock: Callable[[], float] = time.monotonic) -> Played:  # fmt: skip
    """Each step at its time divided by ``speed``: documents through the real import
    (within the rehearsal), its new races shown on its blog, posts published by ``by``."""
    speed = min(max(speed, SPEEDS[0]), SPEEDS[1])
    played = Played()
    steps = sorted([*night.steps, *(posts or [])], key=lambda step: step.at)
    began = clock()
    for step in steps:
        wait = step.at / speed - (clock() - began)
        if wait > 0:
            sleep(wait)
        report = take(step, rehearsal, blog, by=by)
        if report is not None:
            played.reports.append(report)
            played.documents += 1
            say(f"+{step.at:7.1f}s  {step.label}: {report.summary()}")
        elif step.post is not None:
            played.posts += 1
            say(f"+{step.at:7.1f}s  post: {step.label}")
    Rehearsal.objects.filter(pk=rehearsal.pk).update(finished_at=timezone.now())
    return played


def take(step: Step, rehearsal: Rehearsal, blog: LiveBlog, *, by: User) -> ImportReport | None:
    """One step, now: a document through the import (and its new races onto the blog),
    or a post published; the import's report for a document."""
    if step.document is not None:
        with rehearsing.playing(rehearsal):
            report = import_document(step.document, filename=step.label, allow_test=True)
        _show_new_races(rehearsal, blog, by)
        return report
    if step.post is not None:
        post = services.post_create(blog=blog, by=by, title=str(step.post["title"])[:200],
                                    body=str(step.post.get("body", "")))  # fmt: skip
        if step.post.get("key_event"):
            services.post_set_key_event(post=post, by=by, key_event=True)
        services.post_publish(post=post, by=by)
    return None


def _show_new_races(rehearsal: Rehearsal, blog: LiveBlog, by: User) -> None:
    """The rehearsal's top races (national ones bring their states) on its blog."""
    shown = set(blog.races.values_list("pk", flat=True))
    new = list(Race.objects.filter(rehearsal=rehearsal, parent=None).exclude(pk__in=shown))
    if new:
        services.blog_show_races(blog=blog, by=by, races=new)


def wipe(rehearsal: Rehearsal | None = None) -> int:
    """Take a rehearsal (or every one) away: its blog with its posts and change log, its
    races with their snapshots and calls. Returns how many rehearsals went."""
    rehearsals = (
        Rehearsal.objects.all() if rehearsal is None else Rehearsal.objects.filter(pk=rehearsal.pk)
    )
    count = rehearsals.count()
    with transaction.atomic():
        # The blogs first (their call posts point at the calls), then what keeps a race's
        # candidates (calls, then snapshots with their figures), then the races.
        LiveBlog.objects.filter(rehearsal__in=rehearsals).delete()
        races = Race.objects.filter(rehearsal__in=rehearsals)
        calls = WinnerCall.objects.filter(race__in=races)
        calls.exclude(replaces=None).delete()  # corrections before what they replace
        calls.delete()
        ResultSnapshot.objects.filter(race__in=races).delete()
        races.exclude(parent=None).delete()  # states before their national race
        races.delete()
        rehearsals.delete()
    return count
