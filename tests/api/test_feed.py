"""The change feed: replayed from 0 it rebuilds exactly what readers see."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from liveblog import services
from liveblog.models import Change, Post
from liveblog.tasks import publish_due_posts
from tests import factories
from tests.liveblog.test_page import make_posts

from .conftest import client_for, error_code


def feed(client, blog, after: int = 0, **params: object):
    query = "&".join([f"after={after}", *(f"{k}={v}" for k, v in params.items())])
    return client.get(f"/api/v1/blogs/{blog.slug}/changes/?{query}")


def follow(client, blog, *, limit: int = 3) -> tuple[dict[int, dict], list[str], int]:
    """What a partner does: page through from 0, applying each entry in order."""
    posts: dict[int, dict] = {}
    summary: list[str] = []
    after = 0
    while True:
        body = feed(client, blog, after, limit=limit).json()
        for entry in body["entries"]:
            if entry["tombstone"]:
                posts.pop(entry["post_id"], None)
            elif entry["post"] is not None:
                posts[entry["post"]["id"]] = entry["post"]
            elif entry["kind"] == "summary":
                summary = entry["points"]
        after = body["next"]
        if not body["has_more"]:
            return posts, summary, after


def test_replaying_the_feed_rebuilds_exactly_the_visible_posts(partner, blog, editor, reporter):
    make = lambda title: services.post_create(blog=blog, by=reporter, title=title)  # noqa: E731
    first, second, third, fourth, scheduled = (make(t) for t in "ABCDE")
    for post in (first, second, third, fourth):
        services.post_publish(post=post, by=editor)
    services.post_update(
        post=second,
        by=editor,
        expected_version=2,
        data={"title": "B, corrected"},
        correction_note="Typo",
    )
    services.post_set_pinned(post=third, by=editor, pinned=True)
    services.post_set_pinned(post=first, by=editor, pinned=True)  # unpins the third
    services.post_set_key_event(post=fourth, by=editor, key_event=True)
    services.post_retract(post=first, by=editor, reason="Wrong")
    services.summary_update(blog=blog, by=editor, points=["One", "Two"])
    services.post_publish(post=scheduled, by=editor, at=timezone.now() + timedelta(hours=1))
    # Its time comes, and its timer (or the sweeper) announces it.
    Post.objects.filter(pk=scheduled.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    publish_due_posts()
    draft = make("Never published")

    posts, summary, last = follow(partner, blog)

    visible = Post.objects.filter(blog=blog).published()
    assert (
        set(posts)
        == set(visible.values_list("pk", flat=True))
        == {second.pk, third.pk, fourth.pk, scheduled.pk}
    )
    for post in visible:
        assert (posts[post.pk]["version"], posts[post.pk]["title"]) == (post.version, post.title)
        assert posts[post.pk]["pinned"] == post.pinned
        assert posts[post.pk]["key_event"] == post.key_event
    assert posts[second.pk]["title"] == "B, corrected"
    assert first.pk not in posts
    assert draft.pk not in posts
    assert summary == ["One", "Two"]
    blog.refresh_from_db()
    assert last == blog.last_seq


def test_retracted_post_is_a_tombstone_even_in_its_publication_entry(partner, blog, editor):
    post = factories.PostFactory(blog=blog, title="Oops")
    services.post_publish(post=post, by=editor)
    services.post_retract(post=post, by=editor, reason="Wrong")

    entries = feed(partner, blog).json()["entries"]

    assert [(e["kind"], e["tombstone"], e["post"]) for e in entries] == [
        ("published", True, None),
        ("retracted", True, None),
    ]
    assert "Oops" not in str(entries)


def test_entries_carry_the_current_post_and_the_version_at_the_time(partner, blog, editor, draft):
    services.post_publish(post=draft, by=editor)
    services.post_set_key_event(post=draft, by=editor, key_event=True)

    [published, edited] = feed(partner, blog).json()["entries"]

    assert published["post_version"] == 2
    assert edited["post_version"] == 3
    assert published["post"]["version"] == edited["post"]["version"] == 3
    assert set(published) == {
        "seq",
        "kind",
        "created_at",
        "post_id",
        "post_version",
        "post",
        "tombstone",
        "points",
        "status",
        "race_id",
    }


def test_summary_and_blog_entries(partner, blog, editor):
    services.summary_update(blog=blog, by=editor, points=["Polls closed"])
    services.blog_set_status(blog=blog, by=editor, status="ended")

    entries = feed(partner, blog).json()["entries"]

    assert [(e["kind"], e["points"], e["status"]) for e in entries] == [
        ("summary", ["Polls closed"], None),
        ("blog", None, "ended"),
    ]


def test_next_is_the_last_seq_and_has_more_pages(partner, blog, editor):
    for i in range(5):
        services.summary_update(blog=blog, by=editor, points=[f"Point {i}"])

    first = feed(partner, blog, 0, limit=2).json()
    rest = feed(partner, blog, first["next"], limit=10).json()

    assert [e["seq"] for e in first["entries"]] == [1, 2]
    assert (first["next"], first["has_more"]) == (2, True)
    assert [e["seq"] for e in rest["entries"]] == [3, 4, 5]
    assert (rest["next"], rest["has_more"]) == (5, False)
    caught_up = feed(partner, blog, 5).json()
    assert (caught_up["entries"], caught_up["next"], caught_up["has_more"]) == ([], 5, False)


def test_after_beyond_the_last_change_is_refused(partner, blog, editor):
    services.summary_update(blog=blog, by=editor, points=["x"])

    response = feed(partner, blog, 99)

    assert response.status_code == 400
    assert error_code(response) == "invalid_cursor"
    assert response.json()["error"]["details"] == {"last_seq": 1}


def test_feed_answers_304_until_something_changes(partner, blog, editor):
    services.summary_update(blog=blog, by=editor, points=["x"])
    etag = feed(partner, blog, 1)["ETag"]

    assert (
        feed(
            partner,
            blog,
            1,
        ).status_code
        == 200
    )
    assert (
        partner.get(
            f"/api/v1/blogs/{blog.slug}/changes/?after=1", HTTP_IF_NONE_MATCH=etag
        ).status_code
        == 304
    )
    services.summary_update(blog=blog, by=editor, points=["y"])
    assert (
        partner.get(
            f"/api/v1/blogs/{blog.slug}/changes/?after=1", HTTP_IF_NONE_MATCH=etag
        ).status_code
        == 200
    )


def test_feed_costs_the_same_queries_for_20_or_2000_posts(make_key, blog):
    small = factories.LiveBlogFactory(slug="small")

    def with_changes(target, count: int) -> None:
        posts = make_posts(target, count)
        Change.objects.bulk_create(
            Change(blog=target, seq=i + 1, kind="published", post=p, post_version=1)
            for i, p in enumerate(posts)
        )
        type(target).objects.filter(pk=target.pk).update(last_seq=count)

    with_changes(small, 20)
    with_changes(blog, 2000)
    client = client_for(make_key())

    def queries(target, after: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = feed(client, target, after, limit=500)
        assert response.status_code == 200
        return len(captured)

    assert queries(small, 0) == queries(blog, 0) == queries(blog, 1500)
