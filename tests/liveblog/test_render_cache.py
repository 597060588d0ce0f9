"""Render once per change: readers get cached bytes until the blog moves on, and every
kind of change reaches the page, the key events, the feeds and the poll at once, with
the cache warm, on both cache backends (local memory and Redis)."""

from __future__ import annotations

import os
import re
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from liveblog import render_cache, services
from liveblog.models import LiveBlog, Post
from results.services import CandidateCount, snapshot_record
from tests import factories

pytestmark = pytest.mark.django_db

BACKENDS = ["locmem", "redis"]


@pytest.fixture(params=BACKENDS)
def backend(request, settings) -> str:
    if request.param == "redis":
        url = os.environ.get("REDIS_URL")
        if not url:
            pytest.skip("needs REDIS_URL for the Redis cache backend")
        settings.CACHES = {"default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url,
            "KEY_PREFIX": f"test-render-{uuid.uuid4().hex[:12]}",
        }}  # fmt: skip
    else:
        settings.CACHES = {"default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"render-{uuid.uuid4().hex[:12]}",
        }}  # fmt: skip
    return str(request.param)


@pytest.fixture
def live(blog, editor, reporter):
    race = factories.RaceFactory(name="US presidential election")
    for name in ("Kamala Harris", "Donald Trump"):
        factories.CandidateFactory(race=race, name=name)
    blog.races.add(race)
    first = factories.PostFactory(blog=blog, author=reporter, title="Polls open")
    services.post_publish(post=first, by=editor)
    return blog


def reads(client: Client, blog: LiveBlog, since: int) -> dict[str, str]:
    """What a reader fetches: the page, key events, the feeds and the poll from ``since``."""
    paths = {
        "page": f"/live/{blog.slug}/",
        "key events": f"/live/{blog.slug}/?filter=key-events",
        "rss": f"/live/{blog.slug}/feed/rss/",
        "atom": f"/live/{blog.slug}/feed/atom/",
        "poll": f"/live/{blog.slug}/changes/?since={since}",
    }
    answers = {}
    for name, path in paths.items():
        response = client.get(path)
        assert response.status_code == 200, (name, response.status_code)
        answers[name] = re.sub(r'nonce="[^"]+"', "", response.content.decode())  # per request
    return answers


def seq(blog: LiveBlog) -> int:
    return LiveBlog.objects.get(pk=blog.pk).last_seq


CHANGES = {
    "publish": (lambda b, e, p: services.post_publish(
        post=factories.PostFactory(blog=b, title="Ohio called"), by=e), "Ohio called",
        ["page", "rss", "atom", "poll"]),
    "edit": (lambda b, e, p: services.post_update(post=p, by=e, expected_version=p.version,
             data={"title": "Polls open everywhere"}), "Polls open everywhere",
             ["page", "rss", "atom", "poll"]),
    "key event": (lambda b, e, p: services.post_set_key_event(post=p, by=e, key_event=True),
                  "Polls open", ["key events", "poll"]),
    "pin": (lambda b, e, p: services.post_set_pinned(post=p, by=e, pinned=True),
            'class="pinned"', ["page", "poll"]),
    "summary": (lambda b, e, p: services.summary_update(blog=b, by=e,
                points=["Turnout is at a record high"]), "Turnout is at a record high",
                ["page", "poll"]),
    "results": (lambda b, e, p: snapshot_record(race=b.races.get(), as_of=timezone.now(),
                source="test", source_seq="1", counts=[
                    CandidateCount("Kamala Harris", 1_234_567, 10),
                    CandidateCount("Donald Trump", 1_345_678, 20)]),
                "1,345,678", ["page", "poll"]),
    "blog status": (lambda b, e, p: services.blog_set_status(blog=b, by=e, status="ended"),
                    "ended", ["page", "poll"]),
}  # fmt: skip


@pytest.mark.parametrize("kind", list(CHANGES))
def test_every_kind_of_change_reaches_every_read_at_once_with_the_cache_warm(
    backend, live, editor, kind, committed
):
    client = Client()
    before = seq(live)
    warm = reads(client, live, before)
    assert reads(client, live, before) == warm  # served again, identically
    change, marker, where = CHANGES[kind]
    post = Post.objects.get(blog=live, title="Polls open")
    with committed():
        change(live, editor, post)
    after = reads(client, live, before)
    for name in where:
        assert after[name] != warm[name], f"{kind}: {name} still serves the old rendering"
        assert marker.lower() in after[name].lower(), f"{kind}: {name} misses {marker!r}"


def test_older_posts_fragments_follow_changes_too(backend, live, editor, reporter, committed):
    from tests.liveblog.test_page import make_posts

    make_posts(live, 45)
    client = Client()
    page = client.get(f"/live/{live.slug}/").content.decode()
    cursor = re.search(r'\?before=([^"&]+)', page)[1]
    url = f"/live/{live.slug}/posts/?before={cursor}"
    first = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert client.get(url, HTTP_HX_REQUEST="true").content.decode() == first
    older = Post.objects.get(blog=live, title="Update 10")  # on the second page
    with committed():
        services.post_update(post=older, by=editor, expected_version=older.version,
                             data={"title": "Update 10, corrected"})  # fmt: skip
    assert "Update 10, corrected" in client.get(url, HTTP_HX_REQUEST="true").content.decode()


def test_the_removal_of_a_retracted_post_reaches_every_read_at_once(
    backend, live, editor, committed
):
    client = Client()
    before = seq(live)
    warm = reads(client, live, before)
    assert "Polls open" in warm["page"]
    assert "Polls open" in warm["rss"]
    with committed():
        services.post_retract(post=Post.objects.get(title="Polls open"), by=editor, reason="x")
    after = reads(client, live, before)
    for name in ("page", "rss", "atom"):
        assert "Polls open" not in after[name], name
    assert 'data-op="remove"' in after["poll"]


def test_a_scheduled_post_shows_at_its_second_before_any_worker_announces_it(backend, live, editor):
    post = factories.PostFactory(blog=live, title="The exit poll")
    services.post_publish(post=post, by=editor, at=timezone.now() + timedelta(minutes=5))
    client = Client()
    assert "The exit poll" not in client.get(f"/live/{live.slug}/").content.decode()
    Post.objects.filter(pk=post.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    assert "The exit poll" in client.get(f"/live/{live.slug}/").content.decode()


def test_things_drawn_outside_the_change_log_move_the_renderings(backend, live, editor, committed):
    label = factories.LabelFactory(name="Explainer", slug="explainer")
    post = Post.objects.get(title="Polls open")
    with committed():
        services.post_update(post=post, by=editor, expected_version=post.version,
                             data={"label": label})  # fmt: skip
    client = Client()
    assert "Explainer" in client.get(f"/live/{live.slug}/").content.decode()
    with committed():
        label.name = "Explained"
        label.save()
    assert "Explained" in client.get(f"/live/{live.slug}/").content.decode()


def test_a_cached_page_costs_one_query_and_answers_conditional_requests(backend, live):
    client = Client()
    first = client.get(f"/live/{live.slug}/")
    with CaptureQueriesContext(connection) as queries:
        again = client.get(f"/live/{live.slug}/")
    assert len(queries) == 1  # the blog's position; the page itself comes from the cache
    nonce = re.findall(r'nonce="([^"]+)"', again.content.decode())
    assert nonce
    assert again["Content-Security-Policy"].count(nonce[0]) == 1
    assert re.sub(r'nonce="[^"]+"', "", first.content.decode()) == re.sub(
        r'nonce="[^"]+"', "", again.content.decode()
    )
    etag = again["ETag"]
    assert client.get(f"/live/{live.slug}/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(f"/live/{live.slug}/?filter=key-events",
                      HTTP_IF_NONE_MATCH=etag).status_code == 200  # fmt: skip


def test_unknown_query_parameters_share_one_rendering(backend, live):
    client = Client()
    client.get(f"/live/{live.slug}/")
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/live/{live.slug}/?utm_source=x&fbclid={uuid.uuid4().hex}")
    assert len(queries) == 1


class DownCache:
    def __getattr__(self, name: str):
        def down(*args: object, **kwargs: object) -> None:
            raise ConnectionError("cache down")

        return down


def test_a_cache_outage_renders_the_page_as_if_nothing_were_cached(live, monkeypatch):
    monkeypatch.setattr(render_cache, "cache", DownCache())
    response = Client().get(f"/live/{live.slug}/")
    assert response.status_code == 200
    assert "Polls open" in response.content.decode()
    assert render_cache.find(LiveBlog.objects.state(live.slug), "page").epoch == "down"


def test_a_post_card_is_rendered_once_per_version_and_follows_what_it_draws(
    backend, live, editor, monkeypatch
):
    from django.template import loader

    renders = []
    real = loader.render_to_string
    monkeypatch.setattr(loader, "render_to_string",
                        lambda *a, **k: renders.append(a[0]) or real(*a, **k))  # fmt: skip

    def card() -> str:
        return render_cache.card(Post.objects.for_display().get(title__startswith="Polls open"))

    first = card()
    assert card() == first
    assert renders == ["liveblog/_post.html"]  # the second came from the cache
    post = Post.objects.get(title="Polls open")
    services.post_update(post=post, by=editor, expected_version=post.version,
                         data={"title": "Polls open in all 50 states"})  # fmt: skip
    assert "Polls open in all 50 states" in card()
    person = factories.ReporterFactory(display_name="Sam Cabral")
    services.post_set_contributors(post=Post.objects.get(pk=post.pk), by=editor,
                                   contributors=[(person, "Reporting from Atlanta")])  # fmt: skip
    assert "Sam Cabral" in card()
    person.display_name = "Samuel Cabral"
    person.save()  # a reporter renamed: no new version of the post, yet a new card
    assert "Samuel Cabral" in card()
