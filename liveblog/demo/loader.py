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
from results.geography import office_totals, state_name
from results.models import Candidate, Race, WinnerCall
from results.services import (
    CandidateCount,
    add_up_national,
    rollups_deferred,
    snapshot_record,
    total_for_shares,
)

from ..changes import record_change
from ..html import paragraphs_to_html
from ..models import Change, Label, LiveBlog, Post, PostContributor, PostImage, PostVideo
from ..renditions import queue_renditions
from .pictures import headshot, photo_placeholder

CONTENT = Path(__file__).with_name("content.json")
STATES = Path(__file__).with_name("states.json")  # the national race's state contests
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
            # A national race made of its state contests (states.json): the states table
            # and the tile map show on the demo's header and results page.
            "level": "national",
            "at_stake": totals.at_stake if (totals := office_totals("President")) else None,
            "contests": totals.contests if totals else None,
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
    # The earlier captures are the national race's own snapshots; the last one's figures
    # are its states' sum (_load_states), recorded by the roll-up as the race's latest.
    *earlier, final = data["snapshots"]
    for snap in earlier:
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
            total_votes=shares_total(counts),
            units_reporting=None if to_go is None else RACE_UNITS - to_go,
        )
    winner = race.candidates.get(name=data["winner"])
    final_as_of = datetime.fromisoformat(final["as_of"])
    if not race.calls.standing().exists():
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
    # After the capture's call: the states add up to it, and no second call is proposed.
    _load_states(race, final["candidates"], final_as_of, shares_total(final["candidates"]))


def shares_total(counts: dict[str, Any]) -> int:
    """The captures show shares of all votes, third parties included, but not that
    total: the total that reproduces every share shown."""
    return total_for_shares(
        [(v["popular_votes"], Decimal(v["share_shown"])) for v in counts.values()]
    )


def apportion(total: int, weights: list[int]) -> list[int]:
    """``total`` shared in proportion to ``weights``, in whole numbers that add up to it
    exactly (largest remainders)."""
    whole = sum(weights)
    shares = [total * weight // whole for weight in weights]
    ranked = sorted(range(len(weights)), key=lambda i: total * weights[i] % whole, reverse=True)
    for i in ranked[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _load_states(national: Race, final: dict[str, Any], at: datetime, total: int) -> None:
    """The national race's 51 state contests (``states.json``): each state's count from
    the public 2024 dataset, scaled so that the states add up to exactly the capture's
    final figures (votes per candidate and all votes), AP's call confirmed, Maine's and
    Nebraska's electoral votes split as they were; then the national race adds them up
    (the same figures the capture shows, now with its states table and map)."""
    rows = json.loads(STATES.read_text(encoding="utf-8"))["states"]
    names = list(final)
    totals = apportion(total, [row["total_votes"] for row in rows])
    votes = {name: apportion(final[name]["popular_votes"], [row[name] for row in rows])
             for name in names}  # fmt: skip
    people = {c.name: c for c in national.candidates.all()}
    with rollups_deferred():  # one roll-up once every state is in, not one a state
        for i, row in enumerate(rows):
            _load_state(national, row, people,
                        {name: votes[name][i] for name in names}, totals[i], at)  # fmt: skip
        add_up_national(national.pk)  # also when the states were there already


def _load_state(national: Race, row: dict[str, Any], people: dict[str, Candidate],
                votes: dict[str, int], total: int, at: datetime) -> None:  # fmt: skip
    """One state contest: its race, candidates (the national race's), count and call."""
    postal = row["postal"]
    state, _ = Race.objects.update_or_create(
        slug=f"us-president-2024-{postal.lower()}",
        defaults={
            "name": f"{state_name(postal)} President", "office": national.office,
            "level": "state", "parent": national, "state_postal": postal,
            "electoral_votes": row["electoral_votes"], "race_type": "General",
            "units_total": None, "unit_label": "result",
        },
    )  # fmt: skip
    for name, model in people.items():
        Candidate.objects.update_or_create(
            race=state, name=name,
            defaults={"party": model.party, "party_short": model.party_short,
                      "colour": model.colour, "ballot_order": model.ballot_order},
        )  # fmt: skip
    split = row.get("electoral_votes_won") or {}
    snapshot_record(
        race=state, as_of=at, source=SOURCE, source_seq=f"{SOURCE}: {postal}",
        counts=[CandidateCount(name, count, split.get(name) if split else None)
                for name, count in votes.items()],
        total_votes=total,
    )  # fmt: skip
    if not state.calls.standing().exists():
        WinnerCall.objects.create(
            race=state, candidate=state.candidates.get(name=row["called_for"]),
            source=SOURCE, called_by=None, called_at=at, confirmed_at=at,
        )  # fmt: skip
