"""A confirmed winner call becomes a post waiting for an editor.

"AP calls Pennsylvania for Donald Trump", with the count and a link to the state's
results, filed in the name of the editor who confirmed the call, on every blog that
shows the race (or the national race it counts towards). It waits in the approval queue
(the live desk's, the admin's) for one click; nothing is published without an editor.

It is drafted once the confirmation has committed (``draft_after_commit``): a call never
waits on, or fails because of, its post, and the national count it quotes already
includes the call (the roll-up ran inside the confirmation).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html

from results.geography import state_name
from results.models import Race, ResultSnapshot, WinnerCall
from results.selectors import plural, race_boards

from ..models import Label, LiveBlog, Post
from .posts import post_file_for_call

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from results.selectors import RaceBoard


logger = logging.getLogger(__name__)


def draft_after_commit(call_id: int, by_id: int) -> None:
    """``transaction.on_commit`` callback of a confirmed call: draft its posts now, in a
    transaction of their own. Never raises: the call stands whatever happens here."""
    try:
        call = WinnerCall.objects.select_related("race", "candidate").get(pk=call_id)
        draft_call_posts(call=call, by=get_user_model().objects.get(pk=by_id))
    except Exception:
        logger.exception("could not draft the posts of winner call %s", call_id)


def draft_call_posts(*, call: WinnerCall, by: User) -> list[Post]:
    """File the call's post, submitted, on each blog showing its race that does not have
    it yet; returns the new ones. Safe to run twice."""
    race = call.race
    shown = Q(races=race) | Q(races=race.parent_id) if race.parent_id else Q(races=race)
    blogs = list(LiveBlog.objects.filter(shown).exclude(status=LiveBlog.Status.ENDED).distinct())
    if not blogs:
        return []
    national = None
    if race.parent_id is not None:
        [national] = race_boards([race.parent_id], with_history=False)
    title, body = call_words(call, race, national)
    label = Label.objects.filter(slug="breaking").first()
    posts = []
    for blog in blogs:
        post = post_file_for_call(blog=blog, author=by, call_id=call.pk, title=title,
                                  body=body, label=label)  # fmt: skip
        if post is not None:
            posts.append(post)
    return posts


def call_words(call: WinnerCall, race: Race, national: RaceBoard | None) -> tuple[str, str]:
    """The post's title and body: who called what for whom, the count, the link."""
    place = state_name(race.state_postal) or race.name
    name = call.candidate.name
    if race.level == "national":
        title = f"{name} wins: {race.name}"
    elif call.replaces_id is not None:
        title = f"Correction: {call.source} now calls {place} for {name}"
    else:
        title = f"{call.source} calls {place} for {name}"
    stake = f", and its {race.electoral_votes} electoral votes" if race.electoral_votes else ""
    paragraphs = [format_html("{} has called {} for {}{}.", call.source, place, name, stake)]
    if race.level == "national":  # the count itself is the news
        [national] = race_boards([race.pk], with_history=False)
        paragraphs = []
    snapshot = ResultSnapshot.objects.latest_of(race.pk)
    if snapshot is not None:
        mine = snapshot.results.filter(candidate=call.candidate).first()
        if mine is not None:
            reporting = (
                f" with {round(100 * (snapshot.units_reporting or 0) / snapshot.units_total)}% "
                f"of {plural(race.unit_label, 2)} reporting"
                if snapshot.units_total
                else ""
            )
            paragraphs.append(format_html(
                "{} has {} votes ({}%){}.", name, f"{mine.popular_votes:,}", mine.share,
                reporting,
            ))  # fmt: skip
    if national is not None:
        line = next((ln for ln in national.lines if ln.candidate.name == name), None)
        if line is not None and national.race.threshold and national.race == race:
            paragraphs.append(format_html(
                "{} has {} electoral votes, past the {} needed to win.",
                name, line.electoral_votes or 0, national.race.threshold,
            ))  # fmt: skip
        elif line is not None and national.race.threshold:
            paragraphs.append(format_html(
                "That gives {} {} electoral votes of the {} needed to win; {} still to call.",
                name, line.electoral_votes or 0, national.race.threshold,
                f"{national.states_to_call} state{'' if national.states_to_call == 1 else 's'}",
            ))  # fmt: skip
    url = reverse("results:race", args=[race.slug])
    paragraphs.append(format_html('<a href="{}">Full results for {}</a>', url, place))
    return title[:200], "".join(f"<p>{p}</p>" for p in paragraphs)
