"""RSS and Atom feeds: valid XML, only what readers may see, cheap and briefly cacheable."""

from __future__ import annotations

import io
from datetime import timedelta
from xml.etree import ElementTree

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from liveblog import services
from liveblog.models import LiveBlog, Post
from tests import factories

pytestmark = pytest.mark.django_db

FEEDS = ["liveblog:feed-rss", "liveblog:feed-atom"]


def feed_url(name: str, blog: LiveBlog | str) -> str:
    slug = blog if isinstance(blog, str) else blog.slug
    return reverse(name, kwargs={"slug": slug})


def fetch(client, name: str, blog: LiveBlog):
    response = client.get(feed_url(name, blog))
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return response, parsed


def titles(parsed) -> list[str]:
    return [entry.title for entry in parsed.entries]


def publish_at(blog: LiveBlog, title: str, minutes_ago: int, **kwargs) -> Post:
    return factories.PostFactory(
        blog=blog,
        title=title,
        status=Post.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(minutes=minutes_ago),
        **kwargs,
    )


def test_rss_feed_is_valid_rss_with_the_blogs_title_link_and_description(client, blog):
    blog.description = "Results and reaction as America votes."
    blog.save()

    response, parsed = fetch(client, "liveblog:feed-rss", blog)

    assert response["Content-Type"].startswith("application/rss+xml")
    assert parsed.version == "rss20"
    assert parsed.feed.title == "Election night"
    assert parsed.feed.link == "http://testserver/live/election/"
    assert parsed.feed.description == "Results and reaction as America votes."
    assert parsed.feed.ttl == "1"


def test_atom_feed_is_valid_atom_with_the_description_as_subtitle(client, blog):
    blog.description = "Results and reaction as America votes."
    blog.save()

    response, parsed = fetch(client, "liveblog:feed-atom", blog)

    assert response["Content-Type"].startswith("application/atom+xml")
    assert parsed.version == "atom10"
    assert parsed.feed.title == "Election night"
    assert parsed.feed.link == "http://testserver/live/election/"
    assert parsed.feed.subtitle == "Results and reaction as America votes."


@pytest.mark.parametrize("name", FEEDS)
def test_blank_description_falls_back_to_a_sensible_default(client, blog, name):
    _, parsed = fetch(client, name, blog)
    assert "Election night" in parsed.feed.get("subtitle", parsed.feed.get("description"))


@pytest.mark.parametrize("name", FEEDS)
def test_entries_are_the_published_posts_newest_first_with_permalinks(client, blog, name):
    oldest = publish_at(blog, "Polls open", 30)
    newest = publish_at(blog, "Trump wins", 1)
    middle = publish_at(blog, "Florida called", 10)

    _, parsed = fetch(client, name, blog)

    assert titles(parsed) == ["Trump wins", "Florida called", "Polls open"]
    expected = [f"http://testserver{p.get_absolute_url()}" for p in (newest, middle, oldest)]
    assert [entry.link for entry in parsed.entries] == expected
    assert [entry.id for entry in parsed.entries] == expected


def test_rss_guid_is_the_permalink(client, published):
    response, _ = fetch(client, "liveblog:feed-rss", published.blog)

    guid = ElementTree.fromstring(response.content).find("channel/item/guid")
    assert guid.get("isPermaLink") == "true"
    assert guid.text == f"http://testserver{published.get_absolute_url()}"


@pytest.mark.parametrize("name", FEEDS)
def test_drafts_submissions_retracted_and_future_scheduled_posts_are_absent(
    client, blog, draft, published, editor, reporter, name
):
    factories.PostFactory(
        blog=blog, author=reporter, title="Awaiting approval", status=Post.Status.SUBMITTED
    )
    retracted = publish_at(blog, "Wrong call", 3)
    services.post_retract(post=retracted, by=editor, reason="Called too early")
    scheduled = factories.PostFactory(blog=blog, author=reporter, title="Embargoed")
    services.post_publish(post=scheduled, by=editor, at=timezone.now() + timedelta(hours=1))
    publish_at(factories.LiveBlogFactory(), "Another blog's post", 2)

    _, parsed = fetch(client, name, blog)

    assert titles(parsed) == ["Trump wins"]


@pytest.mark.parametrize("name", FEEDS)
def test_a_retracted_post_disappears_from_the_feed(client, published, editor, name, committed):
    _, before = fetch(client, name, published.blog)
    assert titles(before) == ["Trump wins"]

    with committed():
        services.post_retract(post=published, by=editor, reason="Called too early")

    _, after = fetch(client, name, published.blog)
    assert titles(after) == []


@pytest.mark.parametrize("name", FEEDS)
def test_a_scheduled_post_enters_the_feed_when_its_time_comes(client, blog, draft, editor, name):
    services.post_publish(post=draft, by=editor, at=timezone.now() + timedelta(minutes=10))
    _, before = fetch(client, name, blog)
    assert titles(before) == []

    # Time passes: the post's time is now behind us (no worker needed).
    Post.objects.filter(pk=draft.pk).update(published_at=timezone.now() - timedelta(seconds=1))

    _, after = fetch(client, name, blog)
    assert titles(after) == ["Polls close in Georgia"]


@pytest.mark.parametrize("name", FEEDS)
def test_a_scheduled_blog_has_an_empty_feed_and_an_ended_blog_keeps_its_feed(client, name):
    scheduled = factories.LiveBlogFactory(
        status=LiveBlog.Status.SCHEDULED, coverage_start=timezone.now() + timedelta(days=1)
    )
    ended = factories.LiveBlogFactory(
        status=LiveBlog.Status.ENDED,
        coverage_start=timezone.now() - timedelta(days=2),
        coverage_end=timezone.now() - timedelta(days=1),
    )
    publish_at(ended, "Thanks for following", 60 * 24)

    assert titles(fetch(client, name, scheduled)[1]) == []
    assert titles(fetch(client, name, ended)[1]) == ["Thanks for following"]


@pytest.mark.parametrize("name", FEEDS)
def test_feed_holds_at_most_the_fifty_newest_posts(client, blog, reporter, name):
    for i in range(55):
        publish_at(blog, f"Update {i}", 100 - i, author=reporter)

    _, parsed = fetch(client, name, blog)

    assert len(parsed.entries) == 50
    assert parsed.entries[0].title == "Update 54"
    assert parsed.entries[-1].title == "Update 5"


@pytest.mark.parametrize("name", FEEDS)
def test_guid_is_stable_after_an_edit(client, published, editor, name, committed):
    _, before = fetch(client, name, published.blog)

    with committed():
        services.post_update(
            post=published,
            by=editor,
            expected_version=published.version,
            data={"title": "Trump wins the presidency"},
            correction_note="Headline updated.",
        )

    _, after = fetch(client, name, published.blog)
    assert after.entries[0].title == "Trump wins the presidency"
    assert after.entries[0].id == before.entries[0].id
    assert after.entries[0].link == before.entries[0].link


def test_atom_entry_updated_date_follows_the_correction(client, published, editor):
    services.post_update(
        post=published, by=editor, expected_version=published.version, data={"title": "New"}
    )
    published.refresh_from_db()

    _, parsed = fetch(client, "liveblog:feed-atom", published.blog)

    entry = parsed.entries[0]
    assert entry.published_parsed == published.published_at.utctimetuple()
    assert entry.updated_parsed == published.corrected_at.utctimetuple()
    assert entry.updated_parsed > entry.published_parsed


def test_rss_pubdate_is_the_publication_time(client, published):
    _, parsed = fetch(client, "liveblog:feed-rss", published.blog)
    assert parsed.entries[0].published_parsed == published.published_at.utctimetuple()


@pytest.mark.parametrize("name", FEEDS)
def test_labelled_post_title_has_the_label_prefix(client, blog, name):
    publish_at(blog, "What the map tells us", 2, label=factories.LabelFactory())
    publish_at(blog, "Plain update", 3)

    _, parsed = fetch(client, name, blog)

    assert titles(parsed) == ["Analysis: What the map tells us", "Plain update"]
    assert [tag.term for tag in parsed.entries[0].tags] == ["Analysis"]
    assert "tags" not in parsed.entries[1]


@pytest.mark.parametrize("name", FEEDS)
def test_author_is_the_contributors_display_names_in_byline_order(client, blog, name):
    post = publish_at(blog, "Harris speaks", 2)
    factories.PostContributorFactory(
        post=post, reporter=factories.ReporterFactory(display_name="Ana Faguy"), order=1
    )
    factories.PostContributorFactory(
        post=post, reporter=factories.ReporterFactory(display_name="Anthony Zurcher"), order=0
    )

    _, parsed = fetch(client, name, blog)

    assert parsed.entries[0].author == "Anthony Zurcher, Ana Faguy"


def test_rss_item_without_contributors_has_no_author(client, published):
    response, parsed = fetch(client, "liveblog:feed-rss", published.blog)
    assert "author" not in parsed.entries[0]
    assert b"creator" not in response.content


@pytest.mark.parametrize("name", FEEDS)
def test_description_is_the_sanitised_body_html(client, editor, draft, name):
    services.post_update(
        post=draft,
        by=editor,
        expected_version=draft.version,
        data={"body": "<p>Polls <strong>close</strong><script>alert(1)</script></p>"},
    )
    services.post_publish(post=draft, by=editor)

    response, parsed = fetch(client, name, draft.blog)

    assert parsed.entries[0].summary == "<p>Polls <strong>close</strong></p>"
    assert b"<script" not in response.content
    assert b"alert" not in response.content


@pytest.mark.parametrize("name", FEEDS)
def test_responses_are_publicly_cacheable_for_thirty_seconds(client, blog, name):
    response, _ = fetch(client, name, blog)
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"public", "max-age=30"} <= directives


@pytest.mark.parametrize("name", FEEDS)
def test_unknown_blog_is_not_found(client, db, name):
    assert client.get(feed_url(name, "no-such-blog")).status_code == 404


@pytest.mark.parametrize("name", FEEDS)
def test_xml_hostile_text_still_produces_a_valid_feed(client, reporter, name):
    hostile = "Q&A: <Trump> & \"Harris\" ]]> 'it's' \x0bover"
    blog = factories.LiveBlogFactory(title=hostile, description="Less < more & more > less")
    post = publish_at(blog, hostile, 1, body="<p>Fish &amp; chips &lt;3</p>")
    factories.PostContributorFactory(
        post=post, reporter=factories.ReporterFactory(display_name="O'Brien & <Sons>")
    )

    response, parsed = fetch(client, name, blog)

    root = ElementTree.fromstring(response.content)  # well-formed XML
    expected = "Q&A: <Trump> & \"Harris\" ]]> 'it's' over"
    texts = [el.text for el in root.iter() if el.tag.rsplit("}", 1)[-1] == "title"]
    assert texts == [expected, expected]
    assert parsed.entries[0].author == "O'Brien & <Sons>"


def _feed_queries(client, name: str, blog: LiveBlog) -> int:
    with CaptureQueriesContext(connection) as queries:
        fetch(client, name, blog)
    return len(queries)


def _rich_posts(blog: LiveBlog, editor, jpeg, count: int, start: int = 0) -> None:
    label = factories.LabelFactory()
    for i in range(start, start + count):
        post = publish_at(blog, f"Update {i}", 200 - i, label=label if i % 2 else None)
        factories.PostContributorFactory(post=post, order=0)
        factories.PostContributorFactory(post=post, order=1)
        services.post_add_image(post=post, by=editor, file=io.BytesIO(jpeg()), alt_text="A crowd")


@pytest.mark.parametrize("name", FEEDS)
def test_query_count_does_not_grow_with_the_number_of_posts(
    client, blog, editor, jpeg, name, committed
):
    _rich_posts(blog, editor, jpeg, 3)
    with_three = _feed_queries(client, name, blog)

    with committed():
        _rich_posts(blog, editor, jpeg, 27, start=3)
    with_thirty = _feed_queries(client, name, blog)

    assert len(fetch(client, name, blog)[1].entries) == 30
    assert with_three == with_thirty
    # Rendering: the blog, the posts (with labels), bylines, images, videos, embeds;
    # before it, the blog's position and its due scheduled posts (the rendering's key).
    assert with_thirty <= 8
