"""Errors are JSON with a stable code, never an HTML page, never a 500 on bad input."""

from __future__ import annotations

import pytest

from liveblog.api import blogs

from .conftest import error_code


@pytest.mark.parametrize(
    "url", ["/api/v1/nothing-here/", "/api/v1/blogs/election/posts/abc/", "/api/v1/%ff/"]
)
def test_unknown_urls_are_json_404s(partner, blog, url):
    response = partner.get(url)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert error_code(response) == "not_found"


def test_missing_trailing_slash_gets_a_hint(partner, blog):
    response = partner.get("/api/v1/blogs")

    assert response.status_code == 404
    assert "/api/v1/blogs/" in response.json()["error"]["message"]


@pytest.mark.parametrize("method", ["put", "delete", "options"])
def test_wrong_method_is_a_json_405(partner, blog, method):
    response = getattr(partner, method)("/api/v1/blogs/")

    assert response.status_code == 405
    assert error_code(response) == "method_not_allowed"
    assert "OPTIONS" not in response["Allow"]


def test_unexpected_errors_are_a_json_500(partner, blog, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(blogs, "blog_state", broken)
    partner.raise_request_exception = False  # the test client re-raises what Sentry would see

    response = partner.get(f"/api/v1/blogs/{blog.slug}/")

    assert response.status_code == 500
    assert response.json()["error"] == {
        "code": "server_error",
        "message": "Something went wrong on our side; try again.",
        "details": {},
    }


def test_every_error_has_code_message_and_details(partner, blog):
    body = partner.get("/api/v1/blogs/?limit=0").json()

    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["message"].startswith("limit:")


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("pin", {"pinned": "yes"}),
        ("pin", {"pinned": 1}),
        ("pin", {}),
        ("key-event", {"x": 1}),
        ("retract", {"reason": 5}),
        ("retract", {"reason": ""}),
        ("submit", {"a": 1}),
    ],
)
def test_wrong_types_are_refused_not_coerced(as_editor, published, action, body):
    response = as_editor.post(
        f"/api/v1/blogs/{published.blog.slug}/posts/{published.pk}/{action}/",
        body,
        format="json",
        HTTP_IF_MATCH='"v1"',
    )

    assert response.status_code == 400


def test_absurd_after_is_refused(partner, blog):
    for after in ["-1", "1e9", "99999999999999999999999999", "abc"]:
        response = partner.get(f"/api/v1/blogs/{blog.slug}/changes/?after={after}")
        assert response.status_code == 400, after
        assert error_code(response) == "invalid"


def test_html_is_never_negotiated(partner, blog):
    response = partner.get("/api/v1/blogs/", HTTP_ACCEPT="text/html")

    assert response.status_code == 406
    assert error_code(response) == "not_acceptable"


def test_format_override_is_an_unknown_parameter(partner, blog):
    response = partner.get("/api/v1/blogs/?format=api")

    assert response.status_code == 400
    assert response.json()["error"]["details"]["fields"] == {"format": ["Unknown field."]}
