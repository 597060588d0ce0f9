"""The index of live blogs: what a reader landing on the site sees."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from liveblog.models import LiveBlog
from liveblog.views import ENDED_ON_INDEX
from tests import factories

pytestmark = pytest.mark.django_db


def sections(html: str) -> dict[str, list[str]]:
    """Blog titles by section heading, in page order."""
    found: dict[str, list[str]] = {}
    for heading, body in re.findall(r'<h2 id="[^"]+">([^<]+)</h2>(.*?)</section>', html, re.S):
        found[heading] = re.findall(r'class="blog-item-title"><a href="[^"]+">([^<]+)</a>', body)
    return found


def blog(title: str, status: str, *, hours: float, **fields) -> LiveBlog:
    return factories.LiveBlogFactory(
        title=title, status=status, coverage_start=timezone.now() + timedelta(hours=hours),
        **fields,
    )  # fmt: skip


def test_site_root_leads_to_the_index(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/live/"


def test_index_shows_live_then_upcoming_then_recently_ended(client):
    blog("Older live", LiveBlog.Status.LIVE, hours=-5)
    blog("Newer live", LiveBlog.Status.LIVE, hours=-1)
    blog("Tomorrow", LiveBlog.Status.SCHEDULED, hours=24)
    blog("Tonight", LiveBlog.Status.SCHEDULED, hours=3)
    blog("Last week", LiveBlog.Status.ENDED, hours=-24 * 7,
         coverage_end=timezone.now() - timedelta(days=6))  # fmt: skip
    response = client.get("/live/")
    assert response.status_code == 200
    assert sections(response.content.decode()) == {
        "Live now": ["Newer live", "Older live"],
        "Coming up": ["Tonight", "Tomorrow"],
        "Recently ended": ["Last week"],
    }
    assert 'href="/live/' in response.content.decode()


def test_index_keeps_only_the_most_recent_ended_blogs(client):
    for day in range(ENDED_ON_INDEX + 5):
        blog(f"Ended {day}", LiveBlog.Status.ENDED, hours=-24 * (day + 1))
    ended = sections(client.get("/live/").content.decode())["Recently ended"]
    assert ended == [f"Ended {day}" for day in range(ENDED_ON_INDEX)]


def test_index_costs_the_same_queries_for_many_blogs(client, django_assert_max_num_queries):
    for n in range(30):
        blog(f"Blog {n}", [LiveBlog.Status.LIVE, LiveBlog.Status.SCHEDULED][n % 2], hours=n - 15)
    with django_assert_max_num_queries(3):
        assert client.get("/live/").status_code == 200


def test_empty_index_says_so(client):
    response = client.get("/live/")
    assert response.status_code == 200
    assert "There is no live coverage yet." in response.content.decode()
