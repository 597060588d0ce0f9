"""Reading blogs and posts: order, pagination, filters, visibility, ETags and 304s."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from liveblog import services
from liveblog.models import Post
from tests import factories
from tests.liveblog.test_page import make_posts

from .conftest import client_for, error_code


def posts_url(blog, **params: object) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/api/v1/blogs/{blog.slug}/posts/" + (f"?{query}" if query else "")


def test_blog_list_and_detail(partner, blog, published, editor):
    services.summary_update(blog=blog, by=editor, points=["Polls closed", "Count under way"])
    services.post_set_pinned(post=published, by=editor, pinned=True)

    listing = partner.get("/api/v1/blogs/").json()
    detail = partner.get(f"/api/v1/blogs/{blog.slug}/").json()

    assert [b["slug"] for b in listing["results"]] == ["election"]
    assert detail["status"] == "live"
    assert detail["summary"]["points"] == ["Polls closed", "Count under way"]
    assert detail["pinned_post_id"] == published.pk
    assert detail["last_seq"] == blog.changes.count()
    assert detail["url"] == "http://testserver/live/election/"


def test_unknown_blog_is_a_json_404(partner, db):
    response = partner.get("/api/v1/blogs/nope/posts/")

    assert response.status_code == 404
    assert error_code(response) == "not_found"


def test_posts_are_newest_first_and_only_visible_ones(partner, blog, reporter):
    older = factories.PostFactory(blog=blog, published=True, title="Older")
    older.published_at = timezone.now() - timedelta(hours=1)
    older.save()
    newer = factories.PostFactory(blog=blog, published=True, title="Newer")
    factories.PostFactory(blog=blog, title="A draft")
    factories.PostFactory(
        blog=blog,
        status=Post.Status.SCHEDULED,
        title="Later",
        published_at=timezone.now() + timedelta(hours=1),
    )
    factories.PostFactory(
        blog=blog, status=Post.Status.RETRACTED, title="Gone", published_at=timezone.now()
    )

    results = partner.get(posts_url(blog)).json()["results"]

    assert [p["id"] for p in results] == [newer.pk, older.pk]


def test_cursor_pages_cover_every_post_once_in_order(partner, blog):
    posts = make_posts(blog, 45)
    seen, cursor = [], None
    while True:
        page = partner.get(posts_url(blog, limit=20, **({"cursor": cursor} if cursor else {})))
        body = page.json()
        seen += [p["id"] for p in body["results"]]
        if not body["has_more"]:
            assert body["next"] is None
            break
        cursor = body["next"]

    assert seen == [p.pk for p in sorted(posts, key=lambda p: (p.published_at, p.pk), reverse=True)]


def test_posts_with_the_same_time_are_paged_by_id(partner, blog):
    at = timezone.now() - timedelta(minutes=1)
    posts = [factories.PostFactory(blog=blog, published=True, published_at=at) for _ in range(5)]

    first = partner.get(posts_url(blog, limit=2)).json()
    second = partner.get(posts_url(blog, limit=2, cursor=first["next"])).json()
    third = partner.get(posts_url(blog, limit=2, cursor=second["next"])).json()

    ids = [p["id"] for page in (first, second, third) for p in page["results"]]
    assert ids == sorted((p.pk for p in posts), reverse=True)


def test_filters_key_events_pinned_and_label(partner, blog, editor):
    posts = make_posts(blog, 6, key_every=3)
    label = factories.LabelFactory()
    Post.objects.filter(pk=posts[1].pk).update(label=label)
    services.post_set_pinned(post=posts[4], by=editor, pinned=True)

    key = partner.get(posts_url(blog, key_events="true")).json()["results"]
    pinned = partner.get(posts_url(blog, pinned="true")).json()["results"]
    labelled = partner.get(posts_url(blog, label="analysis")).json()["results"]

    assert {p["id"] for p in key} == {posts[0].pk, posts[3].pk}
    assert [p["id"] for p in pinned] == [posts[4].pk]
    assert [p["id"] for p in labelled] == [posts[1].pk]
    assert labelled[0]["label"] == {"slug": "analysis", "name": "Analysis"}


@pytest.mark.parametrize("limit", ["0", "-1", "101", "100000000000000000000", "ten", "1.5", ""])
def test_absurd_page_sizes_are_refused_not_clamped(partner, blog, limit):
    response = partner.get(posts_url(blog, limit=limit))

    assert response.status_code == 400
    assert error_code(response) == "invalid"
    assert "limit" in response.json()["error"]["details"]["fields"]


@pytest.mark.parametrize(
    "cursor", ["garbage", "MTIz", "LTEuLTE", "OTk5OTk5OTk5OTk5OTk5OTkuMQ", "%00", "x" * 70]
)
def test_forged_cursors_are_refused_with_a_stable_code(partner, blog, cursor):
    response = partner.get(posts_url(blog, cursor=cursor))

    assert response.status_code == 400
    assert error_code(response) in {"invalid_cursor", "invalid"}


def test_a_well_formed_but_invented_cursor_is_refused(partner, blog):
    response = partner.get(posts_url(blog, cursor="bm90LWEtY3Vyc29y"))  # "not-a-cursor"

    assert response.status_code == 400
    assert error_code(response) == "invalid_cursor"


def test_unknown_query_parameters_are_refused(partner, blog):
    response = partner.get(posts_url(blog, key_event="true"))  # a typo of key_events

    assert response.status_code == 400
    assert response.json()["error"]["details"]["fields"] == {"key_event": ["Unknown field."]}


def test_one_post_has_its_version_as_etag(partner, blog, published):
    response = partner.get(f"/api/v1/blogs/{blog.slug}/posts/{published.pk}/")

    assert response.status_code == 200
    assert response["ETag"] == f'"v{published.version}"'
    assert response.json()["version"] == published.version


def test_partner_cannot_read_a_draft_but_staff_can(partner, as_reporter, blog, draft):
    url = f"/api/v1/blogs/{blog.slug}/posts/{draft.pk}/"

    assert partner.get(url).status_code == 404
    assert as_reporter.get(url).json()["status"] == "draft"


def test_retracted_post_is_gone(partner, blog, published, editor):
    services.post_retract(post=published, by=editor, reason="Wrong")

    response = partner.get(f"/api/v1/blogs/{blog.slug}/posts/{published.pk}/")

    assert response.status_code == 410
    assert error_code(response) == "retracted"


def test_huge_ids_are_404_not_500(partner, blog):
    assert partner.get(f"/api/v1/blogs/{blog.slug}/posts/{'9' * 30}/").status_code == 404
    assert partner.get(f"/api/v1/blogs/{blog.slug}/posts/{'9' * 18}/").status_code == 404


# --- Caching -------------------------------------------------------------------------------
def test_reads_are_private_and_revalidated(partner, blog, published):
    response = partner.get(posts_url(blog))

    assert response["Cache-Control"] == "private, no-cache"
    assert "Authorization" in response["Vary"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/blogs/",
        "/api/v1/blogs/election/",
        "/api/v1/blogs/election/posts/",
        "/api/v1/blogs/election/changes/?after=0",
        "/api/v1/races/",
    ],
)
def test_unchanged_reads_answer_304(partner, blog, published, url):
    etag = partner.get(url)["ETag"]

    response = partner.get(url, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


def test_post_detail_answers_304_until_it_changes(partner, blog, published, editor):
    url = f"/api/v1/blogs/{blog.slug}/posts/{published.pk}/"
    etag = partner.get(url)["ETag"]
    assert partner.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304

    services.post_set_key_event(post=published, by=editor, key_event=True)

    assert partner.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_posts_etag_changes_with_a_publication(partner, blog, published, editor, draft):
    etag = partner.get(posts_url(blog))["ETag"]

    services.post_publish(post=draft, by=editor)

    assert partner.get(posts_url(blog), HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_posts_etag_changes_when_a_scheduled_post_comes_due(partner, blog, editor, draft):
    services.post_publish(post=draft, by=editor, at=timezone.now() + timedelta(hours=1))
    etag = partner.get(posts_url(blog))["ETag"]

    # Its time comes, before any worker announced it: it is visible, so the list changed.
    Post.objects.filter(pk=draft.pk).update(published_at=timezone.now() - timedelta(seconds=1))

    response = partner.get(posts_url(blog), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert [p["id"] for p in response.json()["results"]] == [draft.pk]


def test_etag_depends_on_the_query(partner, blog, published):
    assert partner.get(posts_url(blog))["ETag"] != partner.get(posts_url(blog, limit=5))["ETag"]


def test_a_304_on_a_blog_read_costs_one_query_besides_the_key(partner, blog, published):
    etag = partner.get(posts_url(blog))["ETag"]

    with CaptureQueriesContext(connection) as queries:
        response = partner.get(posts_url(blog), HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert len(queries) == 2  # the key, then the blog's position


# --- Constant queries ------------------------------------------------------------------------
def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_posts_cost_the_same_queries_for_20_or_2000_posts(make_key, blog):
    small = factories.LiveBlogFactory(slug="small")
    make_posts(small, 20)
    make_posts(blog, 2000)
    client = client_for(make_key())

    assert count_queries(client, posts_url(small, limit=100)) == count_queries(
        client, posts_url(blog, limit=100)
    )
