"""Load the reference live page (``content.json``) as published content.

Idempotent: users, reporters, the blog, its posts and the results are matched on
natural keys, so running it again changes nothing. Images are drawn locally with
Pillow (``pictures``); the one placeholder video ships in ``media/``. Nothing is fetched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction

from newsroom.images import clean_image
from newsroom.staff.models import Reporter
from newsroom.staff.roles import EDITOR, REPORTER
from results.models import Candidate, Race, WinnerCall
from results.services import CandidateCount, snapshot_record, total_for_shares

from ..changes import record_change
from ..html import paragraphs_to_html
from ..models import Change, Label, LiveBlog, Post, PostContributor, PostImage, PostVideo
from ..renditions import queue_renditions
from .pictures import headshot, photo_placeholder

CONTENT = Path(__file__).with_name("content.json")
PLACEHOLDER_VIDEO = Path(__file__).with_name("media") / "placeholder.webm"
DEMO_USERS = [
    ("editor", EDITOR, "Demo Editor", "Live page editor"),
    # A second editor: a winner call (or its correction) shows once another editor
    # confirms it.
    ("editor2", EDITOR, "Second Editor", "Results desk"),
    ("reporter", REPORTER, "Demo Reporter", "Reporting from Washington DC"),
]
RACE_UNITS = 51  # 50 states and DC: the "results to go" count runs down from this
SOURCE = "BBC News reference capture"


@dataclass
class DemoSummary:
    blog: LiveBlog
    posts_created: int
    users: list[str]


def load_content() -> dict[str, Any]:
    return cast("dict[str, Any]", json.loads(CONTENT.read_text(encoding="utf-8")))


@transaction.atomic
def load_demo(*, password: str | None = None) -> DemoSummary:
    content = load_content()
    users = _demo_users(password or settings.NEWSROOM_DEMO_PASSWORD)
    blog_data = content["blog"]
    blog, _ = LiveBlog.objects.update_or_create(
        slug=blog_data["slug"],
        defaults={
            "title": blog_data["title"],
            "description": blog_data["description"],
            "coverage_start": datetime.fromisoformat(blog_data["coverage_start"]),
            "status": LiveBlog.Status.LIVE,
            "summary": content["summary"],
        },
    )
    created = 0
    # Oldest first, so the change log tells the evening in order.
    for post_data in reversed(content["posts"]):
        created += _load_post(blog, post_data)
    _load_results(blog, content["results"])
    return DemoSummary(blog=blog, posts_created=created, users=[u.username for u in users])


def _demo_users(password: str) -> list[Any]:
    User = get_user_model()
    users = []
    for username, role, name, line in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=username, defaults={"is_staff": True})
        user.is_staff = True
        user.set_password(password)
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        Reporter.objects.update_or_create(
            user=user, defaults={"display_name": name, "default_location": line}
        )
        users.append(user)
    return users


def _load_post(blog: LiveBlog, data: dict[str, Any]) -> int:
    published_at = datetime.fromisoformat(data["published_at"])
    if Post.objects.filter(blog=blog, title=data["title"], published_at=published_at).exists():
        return 0
    label = None
    if data["label"]:
        label, _ = Label.objects.get_or_create(
            name=data["label"], defaults={"slug": data["label"].lower().replace(" ", "-")}
        )
    post = Post.objects.create(
        blog=blog,
        title=data["title"],
        body=paragraphs_to_html(data["body"]),
        label=label,
        status=Post.Status.PUBLISHED,
        published_at=published_at,
    )
    for order, person in enumerate(data["contributors"]):
        reporter, _ = Reporter.objects.get_or_create(
            display_name=person["name"], user=None, defaults={"default_location": person["byline"]}
        )
        PostContributor.objects.create(
            post=post, reporter=reporter, byline=person["byline"], order=order
        )
    for order, item in enumerate(data["media"]):
        if item["kind"] == "image":
            cleaned = clean_image(
                photo_placeholder(item["alt"], credit=item["credit"]), name="placeholder.jpg"
            )
            image = PostImage(
                post=post,
                alt_text=item["alt"],
                caption=item["caption"],
                credit=item["credit"],
                placement=item["placement"],
                order=order,
                original_name=cleaned.original_name,
            )
            # Stored under the server's unguessable name (newsroom.media.upload_to).
            image.image.save(cast(str, cleaned.content.name), cleaned.content, save=False)
            image.save()
            queue_renditions(image)
        else:
            video = PostVideo(
                post=post, caption=item["caption"], placement=item["placement"], order=order
            )
            video.original_name = "placeholder.webm"
            video.file.save("upload.webm", ContentFile(PLACEHOLDER_VIDEO.read_bytes()))
            poster = clean_image(photo_placeholder(item["caption"]), name="poster")
            video.poster.save(cast(str, poster.content.name), poster.content)
    record_change(blog_id=blog.pk, kind=Change.Kind.PUBLISHED, post=post)
    return 1


def _load_results(blog: LiveBlog, data: dict[str, Any]) -> None:
    race_data = data["race"]
    race, _ = Race.objects.update_or_create(
        slug="us-president-2024",
        defaults={
            "name": race_data["name"],
            "office": race_data["office"],
            "threshold": race_data["threshold"],
            "threshold_unit": race_data["threshold_unit"],
            "units_total": RACE_UNITS,
        },
    )
    blog.races.add(race)
    for order, c in enumerate(data["candidates"]):
        candidate, _ = Candidate.objects.update_or_create(
            race=race,
            name=c["name"],
            defaults={
                "party": c["party"],
                "party_short": c["party_short"],
                "colour": c["colour"],
                "ballot_order": order,
            },
        )
        if not candidate.photo:
            photo = clean_image(headshot(c["colour"]), name="headshot.jpg")
            candidate.photo.save(cast(str, photo.content.name), photo.content)
    for snap in data["snapshots"]:
        counts = snap["candidates"]
        to_go = snap["results_to_go"]
        snapshot_record(
            race=race,
            as_of=datetime.fromisoformat(snap["as_of"]),
            source=SOURCE,
            source_seq=snap["capture"],
            counts=[
                CandidateCount(name, v["popular_votes"], v["electoral_votes"])
                for name, v in counts.items()
            ],
            # The captures show shares of all votes, third parties included, but not
            # that total: take the total that reproduces every share shown.
            total_votes=total_for_shares(
                [(v["popular_votes"], Decimal(v["share_shown"])) for v in counts.values()]
            ),
            units_reporting=None if to_go is None else RACE_UNITS - to_go,
        )
    winner = race.candidates.get(name=data["winner"])
    if not race.calls.standing().exists():
        final_as_of = datetime.fromisoformat(data["snapshots"][-1]["as_of"])
        # Imported from the capture, not made in this newsroom: no editor's name on it.
        WinnerCall.objects.create(
            race=race,
            candidate=winner,
            source=SOURCE,
            called_by=None,
            called_at=final_as_of,
            confirmed_at=final_as_of,
        )
        record_change(blog_id=blog.pk, kind=Change.Kind.RESULTS, payload={"race": race.pk})
