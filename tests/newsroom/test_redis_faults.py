"""A hung Redis costs readers milliseconds, not minutes, and nothing needs a restart.

A private ``redis-server`` is paused with SIGSTOP mid-test (a hung server: connections
are accepted and never answered), then resumed. While it is paused the reader page, the
poll and the partner API answer from the database within a second each; once it is
back, renderings are cached in it again and changes are announced through it again.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
from redis import Redis

from liveblog.services import post_create, post_publish
from newsroom import breaker
from newsroom.settings import redis_caches
from partners.models import PartnerKey, Scope
from tests import factories

pytestmark = pytest.mark.django_db
ANSWER_WITHIN = 1.0  # seconds: the acceptance bound for a reader's request


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def own_redis(tmp_path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
         "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(100):
        try:
            Redis.from_url(url, socket_timeout=0.2).ping()
            break
        except Exception:
            time.sleep(0.05)
    yield server, url
    os.kill(server.pid, signal.SIGCONT)
    server.terminate()
    server.wait(5)


@pytest.fixture
def on_own_redis(settings, own_redis):
    server, url = own_redis
    settings.REDIS_URL = url
    settings.NEWSROOM_BREAKER_PAUSE = 0.5  # the production pause is 5 s: a shorter test
    settings.CACHES = redis_caches(url)  # as production configures it, timeouts included
    from liveblog.live import redis as live_redis

    live_redis._client.cache_clear()  # the live channel's client for this server
    yield server, Redis.from_url(url, socket_timeout=2)
    live_redis._client.cache_clear()


def timed(get, url: str, **headers: str) -> tuple[int, float]:
    started = time.monotonic()
    response = get(url, **headers)
    return response.status_code, time.monotonic() - started


def test_a_hung_redis_costs_pages_poll_and_api_under_a_second_and_they_recover(
    client, on_own_redis, blog, editor, django_capture_on_commit_callbacks
):
    server, redis = on_own_redis
    for n in range(30):  # a page's worth of cards, each a cache lookup when cold
        post = post_create(blog=blog, by=editor, title=f"Update {n}", body="<p>Counted.</p>")
        post_publish(post=post, by=editor)
    _, secret = PartnerKey.objects.create_key(name="k", partner="P", scopes=[Scope.LIVEBLOG_READ])
    api = {"HTTP_AUTHORIZATION": f"Api-Key {secret}"}
    urls = {
        "page": (f"/live/{blog.slug}/", {}),
        "poll": (f"/live/{blog.slug}/changes/?since=0", {}),
        "api": (f"/api/v1/blogs/{blog.slug}/posts/", api),
    }
    assert client.get(urls["page"][0]).status_code == 200
    assert redis.dbsize() > 0  # renderings are cached in Redis

    os.kill(server.pid, signal.SIGSTOP)  # hung: accepts, never answers
    post_publish(post=post_create(blog=blog, by=editor, title="Filed while Redis hung",
                                  body="<p>Still reaches readers.</p>"), by=editor)  # fmt: skip
    answers = {name: timed(client.get, url, **headers) for name, (url, headers) in urls.items()}

    assert {name: status for name, (status, _) in answers.items()} == dict.fromkeys(urls, 200)
    slow = {name: round(took, 2) for name, (_, took) in answers.items() if took > ANSWER_WITHIN}
    assert not slow, f"answered later than {ANSWER_WITHIN}s with Redis hung: {slow}"
    assert "Filed while Redis hung" in client.get(urls["page"][0]).content.decode()
    assert breaker.redis.state == "open"

    os.kill(server.pid, signal.SIGCONT)
    time.sleep(0.6)  # the breaker's pause, then one caller probes
    listener = redis.pubsub()
    listener.subscribe(f"{blog_prefix()}:live")
    listener.get_message(timeout=1)  # the subscription's confirmation
    keys_before = redis.dbsize()
    with django_capture_on_commit_callbacks(execute=True):  # announced once committed
        post_publish(post=post_create(blog=blog, by=editor, title="After Redis came back",
                                      body="<p>Announced again.</p>"), by=editor)  # fmt: skip
    assert client.get(urls["page"][0]).status_code == 200

    assert breaker.redis.state == "closed"
    assert redis.dbsize() > keys_before  # the new position's renderings are cached again
    message = listener.get_message(timeout=2)
    assert message is not None  # live delivery resumed
    assert message["type"] == "message"
    assert message["data"].decode().startswith(f"{blog.pk}:")
    listener.close()


def blog_prefix() -> str:
    from django.conf import settings

    return str(settings.NEWSROOM_REDIS_PREFIX)


def test_a_hung_redis_is_reported_degraded_by_readiness_at_once(client, on_own_redis, settings):
    server, _ = on_own_redis
    os.kill(server.pid, signal.SIGSTOP)

    status, took = timed(client.get, "/readyz")
    again, took_again = timed(client.get, "/readyz")
    body = client.get("/readyz").json()

    assert (status, again) == (200, 200)  # pages still serve from the database
    assert body["status"] == "degraded"
    assert body["checks"]["redis"]["breaker"] in {"open", "probing"}
    assert took < ANSWER_WITHIN
    assert took_again < 0.2  # the breaker answers without waiting on Redis again
    assert timed(client.get, "/healthz")[0] == 200


def test_the_cache_treats_a_hung_redis_as_a_miss_and_never_claims_a_lock(on_own_redis):
    from django.core.cache import cache

    server, _ = on_own_redis
    cache.set("k", "v")
    os.kill(server.pid, signal.SIGSTOP)

    assert cache.get("k", "miss") == "miss"
    assert cache.add("lock", 1) is False  # nobody takes a lock they cannot see
    assert cache.get_many(["k"]) == {}
    with pytest.raises(ValueError, match="unavailable"):
        cache.incr("k")
    factories.LiveBlogFactory(slug="still-writable")  # the database is untouched
