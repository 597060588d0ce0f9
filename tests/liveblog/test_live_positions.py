"""Each process's short memory of a blog's position (liveblog/live/positions.py): the
unchanged poll costs no query, and a change is never hidden for longer than the TTL."""

from __future__ import annotations

import time

import pytest

from liveblog import services
from liveblog.live import positions
from liveblog.live.hub import hub
from liveblog.models import Change, LiveBlog

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_memory():
    positions.clear()
    yield
    positions.clear()


def poll(client, blog, since, etag=""):
    headers = {"HTTP_IF_NONE_MATCH": etag} if etag else {}
    return client.get(f"/live/{blog.slug}/changes/?since={since}", **headers)


def change_elsewhere(blog) -> int:
    """A change committed by another process: this one is not told (no signal, no hub)."""
    seq = LiveBlog.objects.get(pk=blog.pk).last_seq + 1
    Change.objects.bulk_create([Change(blog=blog, seq=seq, kind=Change.Kind.SUMMARY)])
    LiveBlog.objects.filter(pk=blog.pk).update(last_seq=seq)
    return seq


def test_unchanged_poll_is_answered_from_memory_without_a_query(
    client, blog, published, editor, django_assert_num_queries
):
    services.summary_update(blog=blog, by=editor, points=["One"])
    etag = poll(client, blog, 1)["ETag"]
    with django_assert_num_queries(0):
        assert poll(client, blog, 1, etag).status_code == 304


def test_change_in_this_process_reaches_the_next_poll_at_once(
    client, blog, published, editor, committed
):
    services.summary_update(blog=blog, by=editor, points=["One"])
    etag = poll(client, blog, 1)["ETag"]
    with committed():
        services.summary_update(blog=blog, by=editor, points=["Two"])
        assert poll(client, blog, 1, etag).status_code == 304  # not before it commits
    assert poll(client, blog, 1, etag).status_code == 200  # at once after


def test_change_made_elsewhere_reaches_polls_within_the_ttl(client, blog, settings):
    settings.NEWSROOM_LIVE_STATE_TTL = 0.2
    etag = poll(client, blog, 0)["ETag"]
    change_elsewhere(blog)
    assert poll(client, blog, 0, etag).status_code == 304  # remembered, for a moment
    time.sleep(0.25)
    fresh = poll(client, blog, 0, etag)
    assert fresh.status_code == 200
    assert fresh["ETag"] != etag


def test_cursor_ahead_of_memory_reads_the_database_instead_of_reloading(client, blog):
    poll(client, blog, 0)
    seq = change_elsewhere(blog)
    response = poll(client, blog, seq)  # a page rendered after the change, polling here
    assert response.status_code == 200
    assert "reload" not in response.content.decode()
    assert response["X-Seq"] == str(seq)


def test_news_from_another_process_drops_the_memory(client, blog):
    poll(client, blog, 0)
    assert positions.cached(blog.slug) is not None
    hub._on_message(f"{blog.pk}:7".encode())
    assert positions.cached(blog.slug) is None


def test_a_new_blog_under_a_remembered_slug_is_not_confused_with_the_old(client, blog, committed):
    poll(client, blog, 0)
    old_pk = blog.pk
    with committed():
        blog.delete()
        again = LiveBlog.objects.create(
            title="Again", slug=blog.slug, coverage_start=blog.coverage_start
        )
    assert positions.get(again.slug).pk == again.pk != old_pk
