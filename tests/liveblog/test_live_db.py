"""The hub's database thread keeps its one connection: opening one per event or per
reconnecting reader was the 2026-12 push regression (issue 23)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.backends.signals import connection_created

from liveblog.live import db as live_db
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def in_hub_thread(function, *args):
    return live_db.DB_THREAD.submit(function, *args).result(timeout=10)


@pytest.fixture
def as_under_asgi():
    """Connections made from now on are dropped by close_old_connections at once
    (``CONN_MAX_AGE`` 0, as the ASGI entry points set it); the hub thread starts afresh."""
    saved = connection.settings_dict["CONN_MAX_AGE"]
    connection.settings_dict["CONN_MAX_AGE"] = 0  # the dict every thread's wrapper shares
    in_hub_thread(live_db.close_connections)
    yield
    connection.settings_dict["CONN_MAX_AGE"] = saved
    in_hub_thread(live_db.close_connections)


def test_events_and_catch_ups_reuse_the_hub_threads_one_connection(as_under_asgi):
    blog = factories.LiveBlogFactory(slug="kept")
    opened = []

    def count(sender, connection, **kwargs):
        opened.append(connection.alias)

    connection_created.connect(count)
    try:
        for _ in range(5):
            in_hub_thread(live_db.new_events, blog.pk, 0)
            in_hub_thread(live_db.catch_up, blog.pk, 0, 0)
            in_hub_thread(live_db.last_seqs, [blog.pk])
    finally:
        connection_created.disconnect(count)

    # One connection for fifteen uses (none when the thread's connection is still open:
    # an in-memory SQLite test database never closes its own).
    assert len(opened) <= 1


def test_a_broken_hub_connection_is_replaced(as_under_asgi):
    if connection.vendor != "postgresql":
        pytest.skip("a server that goes away: run with DATABASE_URL=postgres://…")
    blog = factories.LiveBlogFactory(slug="broken")
    in_hub_thread(live_db.last_seqs, [blog.pk])

    def break_it():
        from django.db import connection as hub_connection

        hub_connection.connection.close()  # the server went away under us
        hub_connection.errors_occurred = True

    in_hub_thread(break_it)

    assert in_hub_thread(live_db.last_seqs, [blog.pk]) == {blog.pk: 0}
