"""The live channel: operations rendered from the change log, the catch-up, the poll
endpoint's caching contract, and the SSE stream (catch-up, live delivery, resume)."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.db import connection, connections, transaction
from django.test import AsyncClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from liveblog import services
from liveblog.changes import record_change
from liveblog.live.operations import CATCH_UP_LIMIT, render_catch_up, render_new
from liveblog.models import Change, LiveBlog
from tests import factories

pytestmark = pytest.mark.django_db


def ops(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<template data-op="([a-z]+)" data-target="([a-z0-9-]*)"', html)


def seq_of(blog) -> int:
    return LiveBlog.objects.get(pk=blog.pk).last_seq


# --- Operations -----------------------------------------------------------------------


def test_published_post_becomes_an_upsert_of_its_card(blog, draft, editor):
    services.post_publish(post=draft, by=editor)
    [event] = render_new(blog.pk, 0)
    assert event.seq == 1
    assert ops(event.html) == [("upsert", f"post-{draft.pk}")]
    assert f'<article id="post-{draft.pk}"' in event.html
    assert f'data-title="{draft.title}"' in event.html


def test_every_event_describes_the_current_state(blog, draft, editor):
    services.post_publish(post=draft, by=editor)
    services.post_retract(post=draft, by=editor, reason="Wrong")
    published, retracted = render_new(blog.pk, 0)
    # Even the "published" event now says remove: replaying history converges on now.
    assert ops(published.html)[0] == ("remove", f"post-{draft.pk}")
    assert ops(retracted.html)[0] == ("remove", f"post-{draft.pk}")


def test_retracting_the_pinned_post_clears_the_pinned_slot(blog, published, editor):
    services.post_set_pinned(post=published, by=editor, pinned=True)
    services.post_retract(post=published, by=editor, reason="Wrong")
    event = render_new(blog.pk, 1)[0]
    assert ops(event.html) == [("remove", f"post-{published.pk}"), ("replace", "pinned")]
    assert '<section id="pinned" class="pinned" aria-label="Pinned post" hidden>' in event.html


def test_pin_changes_replace_the_pinned_slot(blog, published, editor):
    """Pinning moves the post from the stream into the pinned slot (shown once);
    unpinning puts it back in its place in the stream."""
    services.post_set_pinned(post=published, by=editor, pinned=True)
    [event] = render_new(blog.pk, 0)
    assert ops(event.html) == [("remove", f"post-{published.pk}"), ("replace", "pinned")]
    assert f'id="pinned-post-{published.pk}"' in event.html
    services.post_set_pinned(post=published, by=editor, pinned=False)
    [event] = render_new(blog.pk, 1)
    assert ops(event.html) == [("upsert", f"post-{published.pk}"), ("replace", "pinned")]
    assert '<section id="pinned" class="pinned" aria-label="Pinned post" hidden>' in event.html


def test_summary_results_and_end_of_blog(blog, editor):
    services.summary_update(blog=blog, by=editor, points=["Trump wins"])
    services.blog_set_status(blog=blog, by=editor, status="ended")
    summary, ended = render_new(blog.pk, 0)
    assert ops(summary.html) == [("replace", "summary")]
    assert "<li>Trump wins</li>" in summary.html
    assert ops(ended.html) == [("replace", "blog-status"), ("end", "")]
    assert ended.ended


def test_event_encoding_is_valid_server_sent_events(blog, draft, editor):
    services.post_publish(post=draft, by=editor)
    [event] = render_new(blog.pk, 0)
    text = event.wire.decode()
    assert text.startswith("id: 1\nevent: change\ndata: ")
    assert text.endswith("\n\n")
    assert all(line.startswith(("id:", "event:", "data:")) for line in text.strip().split("\n"))


def test_rendering_many_changes_costs_a_constant_number_of_queries(blog, editor):
    def publish(count: int) -> None:
        for _ in range(count):
            services.post_publish(post=factories.PostFactory(blog=blog), by=editor)

    publish(3)
    with CaptureQueriesContext(connection) as few:
        render_new(blog.pk, 0)
    publish(40)
    with CaptureQueriesContext(connection) as many:
        render_new(blog.pk, 0)
    assert len(few) == len(many)


# --- Catch-up ----------------------------------------------------------------------------


def test_catch_up_keeps_one_operation_per_post_in_order(blog, editor):
    first = factories.PostFactory(blog=blog)
    second = factories.PostFactory(blog=blog)
    services.post_publish(post=first, by=editor)
    services.post_publish(post=second, by=editor)
    services.post_update(post=first, by=editor, expected_version=2, data={"title": "Edited"})
    services.post_retract(post=second, by=editor, reason="Duplicate")

    event = render_catch_up(blog.pk, 0)
    assert event.seq == seq_of(blog)
    assert ops(event.html) == [("upsert", f"post-{first.pk}"), ("remove", f"post-{second.pk}")]
    assert "Edited" in event.html


def test_catch_up_is_none_when_the_page_is_current(blog, published):
    assert render_catch_up(blog.pk, seq_of(blog)) is None


def test_catch_up_from_far_behind_asks_for_a_reload(blog):
    with transaction.atomic():
        for _ in range(CATCH_UP_LIMIT + 1):
            record_change(blog_id=blog.pk, kind=Change.Kind.SUMMARY)
    assert ops(render_catch_up(blog.pk, 0).html) == [("reload", "")]


# --- Polling fallback --------------------------------------------------------------------


def poll(client, blog, since, **headers):
    return client.get(f"/live/{blog.slug}/changes/?since={since}", **headers)


def test_poll_returns_the_operations_since_the_cursor(client, blog, draft, editor):
    services.post_publish(post=draft, by=editor)
    response = poll(client, blog, 0)
    assert response.status_code == 200
    assert ops(response.content.decode()) == [("upsert", f"post-{draft.pk}")]
    assert response["X-Seq"] == "1"
    assert response["X-Poll-Interval"] == "5"
    assert "public" in response["Cache-Control"]
    assert "max-age=1" in response["Cache-Control"]


def test_poll_answers_304_when_nothing_changed(client, blog, published, editor, committed):
    services.summary_update(blog=blog, by=editor, points=["One"])
    first = poll(client, blog, 1)
    again = poll(client, blog, 1, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]
    with committed():
        services.summary_update(blog=blog, by=editor, points=["Two"])
    changed = poll(client, blog, 1, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


def test_poll_of_a_current_page_is_empty(client, blog, published, editor):
    services.summary_update(blog=blog, by=editor, points=["One"])
    response = poll(client, blog, seq_of(blog))
    assert (response.status_code, response.content) == (200, b"")


def test_poll_tells_clients_to_stop_when_the_blog_ends(client, blog, editor):
    services.blog_set_status(blog=blog, by=editor, status="ended")
    response = poll(client, blog, 0)
    assert response["X-Poll-Interval"] == "0"
    assert ("end", "") in ops(response.content.decode())


@pytest.mark.parametrize("since", ["", "-1", "abc", "1e5", "9" * 30])
def test_poll_refuses_a_bad_cursor(client, blog, since):
    assert poll(client, blog, since).status_code == 400


def test_poll_from_a_future_cursor_asks_for_a_reload(client, blog):
    assert ops(poll(client, blog, 99).content.decode()) == [("reload", "")]


# --- The stream -----------------------------------------------------------------------


async def read_events(response, count: int, timeout: float = 5.0) -> list[str]:
    """Read ``count`` server-sent events (comments and retry lines skipped), then hang up
    and close the database connection the hub's worker thread opened."""
    events: list[str] = []
    buffer = ""
    iterator = response.streaming_content.__aiter__()
    async with asyncio.timeout(timeout):
        while len(events) < count:
            buffer += (await iterator.__anext__()).decode()
            while "\n\n" in buffer:
                block, buffer = buffer.split("\n\n", 1)
                if block.startswith("id:"):
                    events.append(block)
    await iterator.aclose()
    await sync_to_async(connections.close_all)()
    return events


def event_id(block: str) -> int:
    return int(block.split("\n", 1)[0].removeprefix("id: "))


@pytest.mark.django_db(transaction=True)
def test_stream_catches_up_then_delivers_live_changes_in_order(blog, editor):
    first = factories.PostFactory(blog=blog)
    services.post_publish(post=first, by=editor)

    async def scenario() -> list[str]:
        response = await AsyncClient().get(f"/live/{blog.slug}/stream/?after=0")
        assert response["Content-Type"] == "text/event-stream"
        assert response["X-Accel-Buffering"] == "no"

        async def publish_later() -> None:
            await asyncio.sleep(0.3)
            second = await sync_to_async(factories.PostFactory)(blog=blog, title="Later")
            await sync_to_async(services.post_publish)(post=second, by=editor)

        task = asyncio.create_task(publish_later())
        events = await read_events(response, 2)
        await task
        return events

    catch_up, live = asyncio.run(scenario())
    assert event_id(catch_up) == 1
    assert f"post-{first.pk}" in catch_up
    assert event_id(live) == 2
    assert "Later" in live


@pytest.mark.django_db(transaction=True)
def test_stream_resumes_from_last_event_id(blog, editor):
    for _ in range(3):
        services.post_publish(post=factories.PostFactory(blog=blog), by=editor)

    async def scenario() -> list[str]:
        response = await AsyncClient().get(
            f"/live/{blog.slug}/stream/?after=1", headers={"Last-Event-ID": "2"}
        )
        return await read_events(response, 1)

    [event] = asyncio.run(scenario())
    assert event_id(event) == 3
    assert len(ops(event)) == 1  # only what came after 2


@pytest.mark.django_db(transaction=True)
def test_stream_delivers_changes_committed_by_another_process_through_the_poll(
    blog, editor, settings
):
    settings.NEWSROOM_LIVE_POLL_SECONDS = 0.2

    async def scenario() -> list[str]:
        response = await AsyncClient().get(f"/live/{blog.slug}/stream/?after=0")

        async def write_elsewhere() -> None:
            await asyncio.sleep(0.3)

            # As a worker would: a change committed without this process being told.
            def summary() -> None:
                with transaction.atomic():
                    LiveBlog.objects.filter(pk=blog.pk).update(summary=["From elsewhere"])
                    Change.objects.create(blog=blog, seq=1, kind="summary")
                    LiveBlog.objects.filter(pk=blog.pk).update(last_seq=1)

            await sync_to_async(summary)()

        task = asyncio.create_task(write_elsewhere())
        events = await read_events(response, 1)
        await task
        return events

    [event] = asyncio.run(scenario())
    assert "From elsewhere" in event


def test_stream_of_an_ended_blog_is_204_so_browsers_stop(client, blog, editor):
    services.blog_set_status(blog=blog, by=editor, status="ended")
    assert client.get(f"/live/{blog.slug}/stream/").status_code == 204


def test_stream_refuses_a_bad_cursor(client, blog):
    assert client.get(f"/live/{blog.slug}/stream/?after=x").status_code == 400


def test_stream_of_an_unknown_blog_is_404(client, db):
    assert client.get("/live/nope/stream/").status_code == 404


def test_scheduled_post_publication_reaches_the_log_once(blog, draft, editor):
    services.post_publish(post=draft, by=editor, at=timezone.now() + timedelta(seconds=1))
    services.post_publish_due(at=timezone.now() + timedelta(seconds=2))
    services.post_publish_due(at=timezone.now() + timedelta(seconds=3))
    assert [kind for _, kind in ops(render_catch_up(blog.pk, 0).html)] == [f"post-{draft.pk}"]


@pytest.mark.django_db(transaction=True)
def test_editors_see_how_many_readers_are_connected(blog, editor, settings):
    from liveblog.live.presence import reader_count

    settings.NEWSROOM_LIVE_POLL_SECONDS = 0.1
    settings.NEWSROOM_LIVE_HEARTBEAT = 0.1

    async def two_readers() -> tuple[int, int]:
        first = await AsyncClient().get(f"/live/{blog.slug}/stream/?after=0")
        second = await AsyncClient().get(f"/live/{blog.slug}/stream/?after=0")
        streams = [r.streaming_content.__aiter__() for r in (first, second)]
        for stream in streams:
            await stream.__anext__()  # "retry:"
            assert await stream.__anext__() == b": keep-alive\n\n"  # subscribed
        await asyncio.sleep(0.5)  # a presence report or two
        during = await sync_to_async(reader_count)(blog.pk)
        for stream, response in zip(streams, (first, second), strict=True):
            await stream.aclose()
            # The test client wraps the view's generator; a real disconnect cancels it.
            await response._iterator.aclose()
        await asyncio.sleep(0.5)
        after = await sync_to_async(reader_count)(blog.pk)
        await sync_to_async(connections.close_all)()
        return during, after

    during, after = asyncio.run(two_readers())
    assert (during, after) == (2, 0)

    from django.test import Client

    client = Client()
    client.force_login(editor)
    html = client.get("/admin/liveblog/liveblog/").content.decode()
    assert "Readers now" in html


@pytest.mark.django_db(transaction=True)
def test_idle_readers_get_a_keep_alive_every_heartbeat(blog, settings):
    """The hub's one heartbeat keeps every idle connection talking (proxies cut silent
    ones), without a timer per reader."""
    from liveblog.live.hub import HEARTBEAT, hub

    settings.NEWSROOM_LIVE_HEARTBEAT = 0.2

    async def idle_reader() -> tuple[list[object], float]:
        loop = asyncio.get_running_loop()
        stream = hub.subscribe(blog.pk, blog.last_seq)
        started = loop.time()
        items = [await asyncio.wait_for(stream.__anext__(), 2) for _ in range(3)]
        took = loop.time() - started
        await stream.aclose()
        await sync_to_async(connections.close_all)()
        return items, took

    items, took = asyncio.run(idle_reader())
    assert items == [HEARTBEAT] * 3
    assert 0.3 < took < 1.5


@pytest.mark.django_db
def test_the_stream_view_reloads_a_page_from_another_database(client, blog, editor):
    services.post_publish(post=factories.PostFactory(blog=blog), by=editor)

    response = client.get(f"/live/{blog.slug}/stream/", {"after": "40"})

    assert response.status_code == 200
    assert b'data-op="reload"' in response.content


@pytest.mark.django_db(transaction=True)
def test_a_reader_on_its_way_in_when_the_server_stops_is_ended_too(blog, monkeypatch):
    """SIGTERM while a reader waits on the database to join (its first bytes already
    sent): it must end with the others, not hold the server's shutdown open."""
    from liveblog.live import db as live_db
    from liveblog.live.hub import hub

    real, signalled = live_db.in_db_thread, []

    async def stopping_meanwhile(function, *args):
        result = await real(function, *args)
        if not signalled:  # the signal arrives once, while this reader is on its way in
            signalled.append(True)
            hub.close_streams()
        return result

    async def late_reader() -> list[object]:
        monkeypatch.setattr(live_db, "in_db_thread", stopping_meanwhile)
        stream = hub.subscribe(blog.pk, blog.last_seq)
        items = [item async for item in stream]  # ends, or the timeout below fails it
        await sync_to_async(connections.close_all)()
        return items

    async def scenario() -> list[object]:
        return await asyncio.wait_for(late_reader(), 3)

    assert asyncio.run(scenario()) == []
