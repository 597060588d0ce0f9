"""The cost curve: server time and SQL queries per request on blogs of 20 to 20,000 posts.

Measured in-process with Django's test client (the whole middleware stack, the view, the
template or serializer; no network), against the benchmark database with production
settings. Posts, bylines and change-log entries are bulk-created, as
``tests/liveblog/test_page.py::make_posts`` does.
"""

from __future__ import annotations

import io
import statistics
import time
from datetime import timedelta
from typing import Any

from .stack import Stack
from .stats import summary

SIZES = (20, 2_000, 20_000)
REQUESTS_PER_RUN = 30


def make_blog(posts: int) -> Any:
    """A live blog with ``posts`` published posts (bylines) and one change per post."""
    from django.db import transaction
    from django.utils import timezone

    from liveblog.models import Change, LiveBlog, Post, PostContributor
    from newsroom.staff.models import Reporter

    slug = f"cost-{posts}"
    LiveBlog.objects.filter(slug=slug).delete()
    start = timezone.now() - timedelta(days=2)
    with transaction.atomic():
        blog = LiveBlog.objects.create(
            title=f"Cost curve, {posts:,} posts",
            slug=slug,
            status=LiveBlog.Status.LIVE,
            coverage_start=start,
        )
        reporter = Reporter.objects.order_by("pk").first()
        created = Post.objects.bulk_create(
            (
                Post(
                    blog=blog,
                    title=f"Update {i}",
                    body=f"<p>Counting continues, {i}.</p>",
                    status=Post.Status.PUBLISHED,
                    published_at=start + timedelta(seconds=i),
                    key_event=i % 50 == 0,
                )
                for i in range(posts)
            ),
            batch_size=2000,
        )
        if reporter is not None:
            PostContributor.objects.bulk_create(
                (PostContributor(post=p, reporter=reporter, byline="Reporting from Washington DC")
                 for p in created),
                batch_size=2000,
            )  # fmt: skip
        Change.objects.bulk_create(
            (Change(blog=blog, seq=i + 1, kind=Change.Kind.PUBLISHED, post=p, post_version=1)
             for i, p in enumerate(created)),
            batch_size=2000,
        )  # fmt: skip
        LiveBlog.objects.filter(pk=blog.pk).update(last_seq=posts)
    # Fresh planner statistics, as autovacuum (PostgreSQL) would have within a minute.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return LiveBlog.objects.get(pk=blog.pk), created


def partner_key() -> str:
    from django.core.management import call_command

    out = io.StringIO()
    call_command("create_partner_key", "Benchmark", "--scopes", "liveblog:read",
                 stdout=out, stderr=io.StringIO())  # fmt: skip
    return out.getvalue().strip().splitlines()[-1]


def endpoints(blog: Any, posts: list[Any], key: str) -> list[tuple[str, str, str, dict[str, str]]]:
    from liveblog.views import Cursor

    top, middle = posts[-2], posts[len(posts) // 2]  # posts are oldest first
    first = Cursor(top.published_at, top.pk)  # one page below the newest post
    deep = Cursor(middle.published_at, middle.pk)
    api = {"HTTP_AUTHORIZATION": f"Api-Key {key}"}
    feed_after = max(0, blog.last_seq - 20)
    return [
        ("page", "reader page", f"/live/{blog.slug}/", {}),
        ("older", "older posts (htmx)", f"/live/{blog.slug}/posts/?before={first}",
         {"HTTP_HX_REQUEST": "true"}),
        ("older-deep", "older posts (htmx, mid-blog)", f"/live/{blog.slug}/posts/?before={deep}",
         {"HTTP_HX_REQUEST": "true"}),
        ("api-posts", "API posts list", f"/api/v1/blogs/{blog.slug}/posts/", api),
        ("api-changes", "API change feed (last 20)",
         f"/api/v1/blogs/{blog.slug}/changes/?after={feed_after}", api),
    ]  # fmt: skip


def measure(client: Any, path: str, headers: dict[str, str], *, requests: int) -> float:
    """Median milliseconds of ``requests`` requests (each checked to answer 200)."""
    times = []
    for _ in range(requests):
        t0 = time.perf_counter()
        response = client.get(path, **headers)
        times.append((time.perf_counter() - t0) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code} {response.content[:300]!r}")
    return statistics.median(times)


def count_queries(client: Any, path: str, headers: dict[str, str]) -> tuple[int, int]:
    """SQL queries of one request, and how many posts or entries it returned."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, **headers)
    assert response.status_code == 200, (path, response.status_code)
    if response["Content-Type"].startswith("application/json"):
        data = response.json()
        items = len(data.get("results", data.get("entries", [])))
    else:
        items = response.content.decode().count('<article id="post-')
    return len(queries), items


def run(stack: Stack, *, quick: bool, runs: int) -> dict[str, Any]:
    stack.django()
    from django.test import Client

    client = Client()
    key = partner_key()
    sizes = SIZES[:2] if quick else SIZES
    requests = 5 if quick else REQUESTS_PER_RUN
    rows: dict[str, dict[str, Any]] = {}
    for size in sizes:
        print(f"  cost: blog of {size:,} posts", flush=True)
        t0 = time.monotonic()
        blog, posts = make_blog(size)
        made = time.monotonic() - t0
        for name, label, path, headers in endpoints(blog, posts, key):
            row = rows.setdefault(name, {"key": name, "label": label, "sizes": []})
            for _ in range(10):  # warm: templates, connections, caches, the CPU's clock
                client.get(path, **headers)
            queries, items = count_queries(client, path, headers)
            ms = [measure(client, path, headers, requests=requests) for _ in range(runs)]
            row["sizes"].append({"posts": size, "queries": queries, "items": items,
                                 "ms": summary([round(m, 2) for m in ms]),
                                 "setup_seconds": round(made, 1)})  # fmt: skip
    for row in rows.values():
        largest = row["sizes"][-1]
        # Compare like with like: "mid-blog" on a 20-post blog shows only 10 posts.
        base = next(s for s in row["sizes"] if s["items"] == largest["items"])
        row["baseline_posts"] = base["posts"]
        for size in row["sizes"]:
            size["vs_smallest"] = f"{size['ms']['median'] / base['ms']['median']:.2f}x"
        row["constant_queries"] = len({s["queries"] for s in row["sizes"]}) == 1
        row["within_1_5x"] = largest["ms"]["median"] <= 1.5 * base["ms"]["median"]
    return {"requests_per_run": requests, "endpoints": list(rows.values())}
