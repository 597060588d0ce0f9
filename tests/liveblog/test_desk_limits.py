"""The staff channel under a flood: limits per session, per account and per process; open
desks cost one query a poll however many there are; a turned-off account is cut off."""

from __future__ import annotations

import asyncio
import time

import pytest
from asgiref.sync import sync_to_async
from django.db import connections
from django.test import AsyncClient

from liveblog import services
from liveblog.desk import channel
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)
PUBLISH_TO_SCREEN = 1.0  # seconds: the acceptance bound for a reader while desks flood


def desk_url(blog) -> str:
    return f"/admin/desk/{blog.slug}/stream/"


async def signed_in(user) -> AsyncClient:
    client = AsyncClient()
    await sync_to_async(client.force_login)(user)
    return client


async def hang_up(held) -> None:
    """Close each stream as the server does when its reader leaves."""
    for response, chunks in held:
        await chunks.aclose()
        response.close()
    await sync_to_async(connections.close_all)()


async def open_desks(client: AsyncClient, blog, count: int) -> tuple[list[int], list]:
    statuses, held = [], []
    for _ in range(count):
        response = await client.get(desk_url(blog))
        statuses.append(response.status_code)
        if response.status_code == 200:
            chunks = response.streaming_content
            await chunks.__anext__()  # it runs: admitted and serving
            held.append((response, chunks))
        else:
            assert response["Retry-After"] == "5"
    return statuses, held


async def publish_to_screen(blog, editor) -> float:
    """Seconds from an editor's publish to the event on a reader's open stream."""
    reader = AsyncClient()
    response = await reader.get(f"/live/{blog.slug}/stream/?after=0")
    assert response.status_code == 200
    chunks = response.streaming_content
    await chunks.__anext__()  # retry hint: the reader is connected
    post = await sync_to_async(factories.PostFactory)(blog=blog, title="Reader sees this")
    started = time.monotonic()
    await sync_to_async(services.post_publish)(post=post, by=editor)
    async with asyncio.timeout(10):
        while b"Reader sees this" not in bytes(await chunks.__anext__()):
            pass
    took = time.monotonic() - started
    await hang_up([(response, chunks)])
    return took


def test_a_desk_flood_from_one_session_is_refused_and_readers_keep_their_pace(
    blog, reporter, editor, settings
):
    async def scenario():
        flooder = await signed_in(reporter)
        statuses, held = await open_desks(flooder, blog, 200)
        took = await publish_to_screen(blog, editor)
        await hang_up(held)
        again, more = await open_desks(flooder, blog, 1)  # closing one frees its place
        await hang_up(more)
        return statuses, took, again

    statuses, took, again = asyncio.run(scenario())

    limit = settings.NEWSROOM_DESK_MAX_PER_SESSION
    assert statuses == [200] * limit + [429] * (200 - limit)
    assert took < PUBLISH_TO_SCREEN
    assert again == [200]
    assert channel.admission.total == 0


def test_an_account_is_limited_across_its_sessions_and_a_process_in_all(
    blog, reporter, editor, settings
):
    settings.NEWSROOM_DESK_MAX_PER_SESSION = 2
    settings.NEWSROOM_DESK_MAX_PER_USER = 3
    settings.NEWSROOM_DESK_MAX_STREAMS = 4

    async def scenario():
        first, second = await signed_in(reporter), await signed_in(reporter)
        a, held_a = await open_desks(first, blog, 3)
        b, held_b = await open_desks(second, blog, 2)
        colleague = await signed_in(editor)
        c, held_c = await open_desks(colleague, blog, 2)
        await hang_up(held_a + held_b + held_c)
        return a, b, c

    assert asyncio.run(scenario()) == ([200, 200, 429], [200, 429], [200, 503])


def test_open_desks_cost_one_log_query_a_poll_however_many_there_are(
    blog, reporter, settings, monkeypatch
):
    settings.NEWSROOM_DESK_MAX_PER_SESSION = 100
    settings.NEWSROOM_DESK_MAX_PER_USER = 100
    settings.NEWSROOM_DESK_POLL_SECONDS = 0.05
    calls = {"changes_after": 0, "desk_positions": 0}
    for name in calls:
        real = getattr(channel, name)

        def counted(*args, real=real, name=name):
            calls[name] += 1
            return real(*args)

        monkeypatch.setattr(channel, name, counted)

    async def scenario():
        client = await signed_in(reporter)
        _, held = await open_desks(client, blog, 40)
        caught_up = dict(calls)
        await asyncio.sleep(0.5)  # about ten polls, nothing happening
        idle = {name: calls[name] - caught_up[name] for name in calls}
        await hang_up(held)
        return idle

    idle = asyncio.run(scenario())

    assert idle["changes_after"] == 0  # nobody reads the log while it stands still
    # One query a poll for all forty desks (a poll every tick without Redis, every fifth
    # while news arrives through the hub's subscription), never one a desk.
    assert 1 <= idle["desk_positions"] <= 15


def test_a_reader_keeps_its_pace_with_two_hundred_desks_open(blog, reporter, editor, settings):
    settings.NEWSROOM_DESK_MAX_PER_SESSION = 250
    settings.NEWSROOM_DESK_MAX_PER_USER = 250

    async def scenario():
        client = await signed_in(reporter)
        statuses, held = await open_desks(client, blog, 200)
        took = await publish_to_screen(blog, editor)
        await hang_up(held)
        return statuses, took

    statuses, took = asyncio.run(scenario())

    assert statuses == [200] * 200
    assert took < PUBLISH_TO_SCREEN


def test_a_turned_off_accounts_open_desk_closes_within_seconds(
    blog, reporter, settings, monkeypatch
):
    settings.NEWSROOM_DESK_POLL_SECONDS = 0.1
    monkeypatch.setattr(channel, "RECHECK_EVERY", 0.3)

    async def scenario():
        client = await signed_in(reporter)
        response = await client.get(desk_url(blog))
        chunks = response.streaming_content
        await chunks.__anext__()
        reporter.is_active = False
        await sync_to_async(reporter.save)(update_fields=["is_active"])
        started, seen = time.monotonic(), b""
        async with asyncio.timeout(5):
            async for chunk in chunks:  # the stream ends by itself
                seen += bytes(chunk)
        await hang_up([(response, chunks)])
        return seen, time.monotonic() - started

    seen, took = asyncio.run(scenario())

    assert b"event: closed\n" in seen
    assert b"can no longer follow the desk" in seen
    assert took < 3
    assert channel.admission.total == 0


def test_the_shipped_nginx_limits_connections_on_every_stream_location():
    import re
    from pathlib import Path

    conf = (Path(__file__).parents[2] / "docs" / "deploy" / "nginx.conf").read_text()
    streams = re.findall(r"location ~ (\S*stream/\$) \{(.*?)\n    \}", conf, re.S)

    assert {path for path, _ in streams} == {
        r"^/live/[^/]+/stream/$",
        r"^/admin/desk/[^/]+/stream/$",
    }
    for path, body in streams:
        assert re.search(r"limit_conn \w+ \d+;", body), path
        assert "limit_conn_status 429;" in body, path
