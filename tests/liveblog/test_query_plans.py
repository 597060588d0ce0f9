"""A page of a long blog is read from an index in order, never sorted, on PostgreSQL and
on SQLite (the embedded default).

The cost curve (docs/performance.md) stays flat from 20 to 20,000 posts only if the
newest-first queries of the reader page, "older posts" and the API list walk
``post_blog_visible_idx`` and stop after a page. The planner picks a sequential scan on
a small table whatever the indexes, so each query the real requests ran is explained
with scans and sorts priced out: a plan that still sorts had no index giving the order.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from partners.models import PartnerKey, Scope
from tests import factories

from .test_page import make_posts

pytestmark = pytest.mark.django_db

NEWEST_FIRST = 'ORDER BY "liveblog_post"."published_at" DESC, "liveblog_post"."id" DESC'


def posts_queries(client: Client, path: str, **headers: str) -> list[Any]:
    """The newest-first post queries one request ran: on PostgreSQL the SQL with its
    values, on SQLite ``(sql, params)`` as executed (its planner must see the parameters
    as parameters, or a literal stands in where the real query had a placeholder)."""
    raw: list[tuple[str, Any]] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        raw.append((sql, params))
        return execute(sql, params, many, context)

    cache.clear()  # pages are rendered once per change: this request must render
    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(record):
        response = client.get(path, **headers)
    assert response.status_code == 200, (path, response.content[:300])
    if connection.vendor == "sqlite":
        return [(sql, params) for sql, params in raw if NEWEST_FIRST in sql]
    return [q["sql"] for q in captured if NEWEST_FIRST in q["sql"]]


def newest_first_requests() -> dict[str, list[Any]]:
    """The newest-first queries of the reader page, older posts and the API's pages."""
    blog = factories.LiveBlogFactory()
    make_posts(blog, 60)
    _, secret = PartnerKey.objects.create_key(
        name="plans", partner="Partner Newsroom", scopes=[Scope.LIVEBLOG_READ]
    )
    client = Client()
    page = client.get(f"/live/{blog.slug}/").content.decode()
    older = re.search(r'hx-get="[^"]*\?before=([^"&]+)"', page)[1]
    api = {"HTTP_AUTHORIZATION": f"Api-Key {secret}"}
    next_page = client.get(f"/api/v1/blogs/{blog.slug}/posts/", **api).json()["next"]
    requests = {
        "reader page": posts_queries(client, f"/live/{blog.slug}/"),
        "older posts": posts_queries(
            client, f"/live/{blog.slug}/posts/?before={older}", HTTP_HX_REQUEST="true"
        ),
        "API list": posts_queries(client, f"/api/v1/blogs/{blog.slug}/posts/", **api),
        "API list, next page": posts_queries(
            client, f"/api/v1/blogs/{blog.slug}/posts/?cursor={next_page}", **api
        ),
    }
    return requests


def test_newest_first_pages_walk_the_visible_posts_index_on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's plans: run with DATABASE_URL=postgres://…")
    for name, queries in newest_first_requests().items():
        assert queries, f"{name}: no newest-first query captured"
        for sql in queries:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute("SET LOCAL enable_sort = off")
                cursor.execute(f"EXPLAIN {sql}")
                plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "post_blog_visible_idx" in plan, (name, plan)
            assert "Sort" not in plan, (name, plan)


def test_newest_first_pages_walk_the_visible_posts_index_on_sqlite() -> None:
    """SQLite uses a partial index only when the query repeats its WHERE literally
    (``PostQuerySet.published`` writes the status list as literals, ``literal_in``);
    without it the planner walked another index and sorted every post of the blog."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's plans: run without DATABASE_URL")
    requests = newest_first_requests()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the planner with statistics (PRAGMA optimize) as well
    for name, queries in requests.items():
        assert queries, f"{name}: no newest-first query captured"
        for sql, params in queries:
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
                plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
            assert "USING INDEX post_blog_visible_idx" in plan, (name, plan)
            assert "TEMP B-TREE" not in plan, (name, plan)
