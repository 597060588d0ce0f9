"""Rate limits per key or user, by scope: 429 with Retry-After."""

from __future__ import annotations

import pytest

from .conftest import READ, client_for, error_code


@pytest.fixture
def tiny_rates(settings):
    settings.NEWSROOM_API_THROTTLE_RATES = {
        **settings.NEWSROOM_API_THROTTLE_RATES,
        "partner-read": "2/min",
        "staff-write": "1/min",
    }


def test_third_read_in_a_minute_is_throttled(tiny_rates, partner, blog):
    assert partner.get("/api/v1/blogs/").status_code == 200
    assert partner.get("/api/v1/blogs/").status_code == 200

    response = partner.get("/api/v1/blogs/")

    assert response.status_code == 429
    assert error_code(response) == "throttled"
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["error"]["details"]["retry_after"] == int(response["Retry-After"])


def test_each_key_has_its_own_allowance(tiny_rates, make_key, blog):
    first, second = client_for(make_key(READ)), client_for(make_key(READ))
    for _ in range(2):
        first.get("/api/v1/blogs/")

    assert first.get("/api/v1/blogs/").status_code == 429
    assert second.get("/api/v1/blogs/").status_code == 200


def test_writes_have_their_own_scope(tiny_rates, as_editor, blog):
    url = f"/api/v1/blogs/{blog.slug}/posts/"
    assert as_editor.post(url, {"title": "a"}, format="json").status_code == 201

    assert as_editor.post(url, {"title": "b"}, format="json").status_code == 429
    assert as_editor.get("/api/v1/blogs/").status_code == 200  # staff-read is untouched


# --- Redis down or hung: the API degrades to per-process counting, never a 500 ---------


@pytest.fixture
def hung_redis():
    """A server that accepts connections and never answers (a hung Redis)."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    stop.set()
    thread.join(2)
    for connection in held:
        connection.close()
    listener.close()


@pytest.fixture
def fresh_throttles(monkeypatch):
    from partners import throttles

    throttles.LOCAL_COUNTS.clear()


def redis_cache(url: str, backend: str) -> dict:
    options = {"socket_connect_timeout": 0.3, "socket_timeout": 0.3}
    return {
        "default": {
            "BACKEND": backend,
            "LOCATION": url,
            "OPTIONS": options,
        }
    }


@pytest.mark.parametrize(
    "backend", ["newsroom.cache.RedisCache", "django.core.cache.backends.redis.RedisCache"]
)
@pytest.mark.parametrize("state", ["stopped", "hung"])
def test_the_api_keeps_answering_and_throttling_when_redis_fails(
    settings, partner, blog, hung_redis, fresh_throttles, caplog, state, backend
):
    import time

    url = "redis://127.0.0.1:1/0" if state == "stopped" else hung_redis
    settings.CACHES = redis_cache(url, backend)
    settings.NEWSROOM_API_THROTTLE_RATES = {
        **settings.NEWSROOM_API_THROTTLE_RATES,
        "partner-read": "3/min",
    }

    started = time.monotonic()
    answers = [partner.get("/api/v1/blogs/").status_code for _ in range(4)]
    elapsed = time.monotonic() - started

    assert answers == [200, 200, 200, 429]  # still limited, counted in this process
    assert elapsed < 2.0  # one bounded wait for Redis, then no more until it is retried
    assert "Redis unavailable" in caplog.text
