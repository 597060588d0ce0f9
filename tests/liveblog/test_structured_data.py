"""schema.org LiveBlogPosting JSON-LD: Google's required fields, absolute URLs, safe HTML."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.safestring import SafeString

from liveblog import services
from liveblog.models import LiveBlog, Post
from liveblog.structured_data import json_ld_script, live_blog_posting
from tests import factories

pytestmark = pytest.mark.django_db

BASE = "https://example.org"
OPEN = '<script type="application/ld+json">'
CLOSE = "</script>"


def visible_posts(blog: LiveBlog) -> list[Post]:
    return list(Post.objects.filter(blog=blog).published().newest_first().for_display())


def publish_at(blog: LiveBlog, title: str, when: datetime, **kwargs) -> Post:
    return factories.PostFactory(
        blog=blog, title=title, status=Post.Status.PUBLISHED, published_at=when, **kwargs
    )


def data_for(blog: LiveBlog) -> dict:
    return live_blog_posting(blog, visible_posts(blog), base_url=BASE)


def offset_of(value: str) -> timedelta:
    parsed = datetime.fromisoformat(value)
    assert parsed.utcoffset() is not None, f"{value} has no UTC offset"
    return parsed.utcoffset()


def inner_json(script: str) -> dict:
    assert script.startswith(OPEN)
    assert script.endswith(CLOSE)
    return json.loads(script[len(OPEN) : -len(CLOSE)])


def test_required_fields_and_types_are_present(blog, published):
    data = data_for(blog)

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "LiveBlogPosting"
    assert data["headline"] == "Election night"
    assert data["coverageStartTime"]
    assert data["datePublished"] == data["coverageStartTime"]
    [update] = data["liveBlogUpdate"]
    assert update["@type"] == "BlogPosting"
    assert update["headline"] == "Trump wins"
    assert update["datePublished"]
    assert update["dateModified"]


def test_required_fields_are_present_for_a_blog_without_posts(db):
    blog = factories.LiveBlogFactory(
        status=LiveBlog.Status.SCHEDULED, coverage_start=timezone.now() + timedelta(days=1)
    )

    data = data_for(blog)

    assert data["headline"] == blog.title
    assert data["coverageStartTime"]
    assert data["liveBlogUpdate"] == []
    assert data["dateModified"] == data["coverageStartTime"]
    assert "coverageEndTime" not in data


def test_blog_and_post_urls_are_absolute(blog, published):
    data = data_for(blog)

    assert data["@id"] == data["url"] == "https://example.org/live/election/"
    assert data["liveBlogUpdate"][0]["url"] == f"https://example.org{published.get_absolute_url()}"


def test_base_url_with_a_trailing_slash_does_not_double_the_slash(blog, published):
    data = live_blog_posting(blog, visible_posts(blog), base_url="https://example.org/")
    assert data["url"] == "https://example.org/live/election/"


def test_datetimes_are_iso_8601_with_the_display_time_zones_offset(db, settings):
    settings.NEWSROOM_DISPLAY_TIME_ZONE = "Europe/London"
    blog = factories.LiveBlogFactory(
        coverage_start=datetime(2024, 7, 4, 12, 0, tzinfo=UTC),  # summer: BST
        coverage_end=datetime(2024, 11, 6, 12, 0, tzinfo=UTC),  # winter: GMT
        status=LiveBlog.Status.ENDED,
    )
    publish_at(blog, "Results", datetime(2024, 11, 6, 3, 15, 30, tzinfo=UTC))

    data = data_for(blog)

    assert data["coverageStartTime"] == "2024-07-04T13:00:00+01:00"
    assert data["coverageEndTime"] == "2024-11-06T12:00:00+00:00"
    assert data["liveBlogUpdate"][0]["datePublished"] == "2024-11-06T03:15:30+00:00"
    for value in (data["coverageStartTime"], data["dateModified"]):
        offset_of(value)


def test_date_modified_is_the_newest_publication_or_correction(blog, editor):
    start = blog.coverage_start
    corrected = publish_at(blog, "Older but corrected", start + timedelta(minutes=5))
    publish_at(blog, "Newest", start + timedelta(minutes=30))
    services.post_update(
        post=corrected, by=editor, expected_version=corrected.version, data={"title": "Fixed"}
    )
    corrected.refresh_from_db()

    data = data_for(blog)

    assert datetime.fromisoformat(data["dateModified"]) == corrected.corrected_at.replace(
        microsecond=0
    )
    older = data["liveBlogUpdate"][1]
    assert older["headline"] == "Fixed"
    assert datetime.fromisoformat(older["dateModified"]) > datetime.fromisoformat(
        older["datePublished"]
    )


def test_live_blog_update_keeps_the_given_order_and_headlines(blog):
    start = blog.coverage_start
    publish_at(blog, "First", start + timedelta(minutes=1))
    publish_at(blog, "Third", start + timedelta(minutes=3))
    publish_at(blog, "Second", start + timedelta(minutes=2))

    data = data_for(blog)

    assert [u["headline"] for u in data["liveBlogUpdate"]] == ["Third", "Second", "First"]
    published = [datetime.fromisoformat(u["datePublished"]) for u in data["liveBlogUpdate"]]
    assert published == sorted(published, reverse=True)


def test_update_has_plain_text_body_authors_section_and_absolute_images(blog, editor, jpeg):
    post = publish_at(
        blog,
        "What the map tells us",
        timezone.now() - timedelta(minutes=2),
        body="<p>Georgia <strong>flipped</strong>.</p><p>Fish &amp; chips.</p>",
        label=factories.LabelFactory(),
    )
    factories.PostContributorFactory(
        post=post, reporter=factories.ReporterFactory(display_name="Anthony Zurcher"), order=0
    )
    factories.PostContributorFactory(
        post=post, reporter=factories.ReporterFactory(display_name="Ana Faguy"), order=1
    )
    image = services.post_add_image(
        post=post, by=editor, file=io.BytesIO(jpeg()), alt_text="A crowd"
    )

    [update] = data_for(blog)["liveBlogUpdate"]

    assert update["articleBody"] == "Georgia flipped . Fish & chips."
    assert update["author"] == [
        {"@type": "Person", "name": "Anthony Zurcher"},
        {"@type": "Person", "name": "Ana Faguy"},
    ]
    assert update["articleSection"] == "Analysis"
    assert update["image"] == [f"https://example.org{image.image.url}"]
    assert update["image"][0].startswith("https://example.org/media/posts/")


def test_update_without_byline_label_or_images_omits_those_fields(blog, published):
    [update] = data_for(blog)["liveBlogUpdate"]
    assert "author" not in update
    assert "articleSection" not in update
    assert "image" not in update


def test_blank_description_falls_back_to_a_default(blog):
    assert data_for(blog)["description"]
    blog.description = "Results and reaction."
    assert live_blog_posting(blog, [], base_url=BASE)["description"] == "Results and reaction."


def test_script_is_safe_html_and_round_trips(blog, published):
    data = data_for(blog)

    script = json_ld_script(data)

    assert isinstance(script, SafeString)
    assert inner_json(script) == data


def test_a_script_breakout_title_is_escaped(blog):
    hostile = "</script><script>alert(1)</script>"
    publish_at(blog, hostile, timezone.now() - timedelta(minutes=1))
    blog.title = "Q&A <live>"

    script = json_ld_script(data_for(blog))

    assert script.count(CLOSE) == 1
    assert script.endswith(CLOSE)
    assert "</script><script>" not in script
    assert "<script>" not in script
    inner = script[len(OPEN) : -len(CLOSE)]
    assert "<" not in inner
    assert ">" not in inner
    assert "&" not in inner
    assert "\\u003c/script\\u003e" in inner
    assert "\\u0026" in inner
    data = json.loads(inner)
    assert data["liveBlogUpdate"][0]["headline"] == hostile
    assert data["headline"] == "Q&A <live>"


def _rich_posts(blog: LiveBlog, editor, jpeg, count: int, start: int = 0) -> None:
    label = factories.LabelFactory()
    for i in range(start, start + count):
        post = publish_at(
            blog,
            f"Update {i}",
            timezone.now() - timedelta(minutes=200 - i),
            label=label if i % 2 else None,
        )
        factories.PostContributorFactory(post=post, order=0)
        factories.PostContributorFactory(post=post, order=1)
        services.post_add_image(post=post, by=editor, file=io.BytesIO(jpeg()), alt_text="A crowd")


def _queries_to_build(blog: LiveBlog) -> tuple[int, int]:
    """Queries to load the page's posts, and to build the JSON-LD from them."""
    with CaptureQueriesContext(connection) as loading:
        posts = visible_posts(blog)
    with CaptureQueriesContext(connection) as building:
        json_ld_script(live_blog_posting(blog, posts, base_url=BASE))
    return len(loading), len(building)


def test_query_count_does_not_grow_with_the_number_of_posts(blog, editor, jpeg):
    _rich_posts(blog, editor, jpeg, 3)
    loading_three, building_three = _queries_to_build(blog)

    _rich_posts(blog, editor, jpeg, 27, start=3)
    loading_thirty, building_thirty = _queries_to_build(blog)

    assert len(data_for(blog)["liveBlogUpdate"]) == 30
    assert loading_three == loading_thirty
    assert building_three == building_thirty == 0


def test_building_from_prefetched_posts_runs_no_queries(
    blog, editor, jpeg, django_assert_num_queries
):
    _rich_posts(blog, editor, jpeg, 5)
    posts = visible_posts(blog)

    with django_assert_num_queries(0):
        data = live_blog_posting(blog, posts, base_url=BASE)

    assert all(u["author"] and u["image"] for u in data["liveBlogUpdate"])
