"""What the live page puts on its first screen: each race as one line (who leads, the
count, what is left) opening into its full board; the summary foldable; the pinned post's
headline and first words. (The browser test measures where the newest post starts.)"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from liveblog.demo.loader import load_demo
from liveblog.models import LiveBlog, Post
from liveblog.services import post_set_pinned
from results.counts import CandidateCount
from results.services import snapshot_record
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.NEWSROOM_DEMO_PASSWORD = "first-screen-123"
    load_demo()
    return LiveBlog.objects.get(slug="us-election-2024")


def strips(html: str) -> list[str]:
    """Each race's one line, as plain words."""
    found = re.findall(r'<summary class="results-strip">(.*?)</summary>', html, re.DOTALL)
    return [" ".join(re.sub(r"<[^>]+>", " ", s).split()) for s in found]


def test_each_race_is_one_line_that_opens_into_its_board(demo):
    page = Client().get(demo.get_absolute_url()).content.decode()

    assert strips(page) == [
        "US presidential election 2024 Trump wins Harris 226 Trump 312 270 to win · "
        "0 states to call Full results"
    ]
    race = page.split('<details class="results-race"', 1)[1]
    assert 'class="results-candidates"' in race  # the full board, headshots and all
    assert 'class="results-states' in race  # and the states


def test_the_results_page_keeps_the_full_board(demo):
    page = Client().get("/results/us-president-2024/").content.decode()

    assert strips(page) == []
    assert 'class="results-candidates"' in page


def test_a_state_race_says_where_and_by_shares_without_electoral_votes(blog):
    race = factories.RaceFactory(slug="pa-senate", name="Pennsylvania Senate", level="state",
                                 state_postal="PA", threshold=None, units_total=67,
                                 unit_label="county")  # fmt: skip
    factories.CandidateFactory(race=race, name="Dave McCormick")
    factories.CandidateFactory(race=race, name="Bob Casey")
    snapshot_record(race=race, as_of=timezone.now(), source="test", source_seq="1",
                    counts=[CandidateCount("Dave McCormick", 3_399_295),
                            CandidateCount("Bob Casey", 3_384_180)],
                    units_reporting=60, units_total=67)  # fmt: skip
    blog.races.add(race)

    [line] = strips(Client().get(blog.get_absolute_url()).content.decode())

    assert line == "Pennsylvania Senate McCormick 50.1% Casey 49.9% 7 counties to go Full results"


def test_the_summary_folds_and_says_how_many_points(demo):
    page = Client().get(demo.get_absolute_url()).content.decode()

    assert '<details id="summary-points" class="summary-points" data-open-wide>' in page
    assert f"{len(demo.summary)} key points</span></summary>" in page


def test_the_pinned_post_shows_its_headline_and_first_words(demo, editor):
    post = Post.objects.filter(blog=demo).published().order_by("published_at").first()
    assert post is not None
    post_set_pinned(post=post, by=editor, pinned=True)

    page = Client().get(demo.get_absolute_url()).content.decode()

    pinned = page.split('<details id="pinned-box"', 1)[1].split("</summary>", 1)[0]
    assert f'<span class="pinned-title">{post.title}</span>' in pinned.replace("&#x27;", "'")
    excerpt = re.search(r'<span class="pinned-excerpt">(.*?)</span>', pinned)
    assert excerpt is not None
    assert ".To" not in excerpt.group(1)  # paragraphs stay words apart
    assert f'id="pinned-post-{post.pk}"' in page  # the whole post, one click away
