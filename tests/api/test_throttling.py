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
