"""If-Match on every write to a post: 428 without it, 412 when stale, 400 when malformed."""

from __future__ import annotations

import pytest

from liveblog import services
from liveblog.models import Post

from .conftest import error_code
from .writing import act, post_url


# --- If-Match ----------------------------------------------------------------------------
def test_update_without_if_match_is_428(as_editor, published):
    response = as_editor.patch(post_url(published), {"title": "New"}, format="json")

    assert response.status_code == 428
    assert error_code(response) == "precondition_required"


def test_action_without_if_match_is_428(as_editor, published):
    response = as_editor.post(post_url(published, "pin"), {"pinned": True}, format="json")

    assert response.status_code == 428
    assert not Post.objects.get(pk=published.pk).pinned


def test_update_with_a_stale_version_is_412(as_editor, published, editor):
    services.post_set_key_event(post=published, by=editor, key_event=True)  # now v2

    response = as_editor.patch(
        post_url(published), {"title": "New"}, format="json", HTTP_IF_MATCH='"v1"'
    )

    assert response.status_code == 412
    body = response.json()["error"]
    assert body["code"] == "stale_version"
    assert body["details"] == {"expected_version": 1, "current_version": 2}
    assert Post.objects.get(pk=published.pk).title == "Trump wins"


def test_action_with_a_stale_version_is_412(as_editor, published, editor):
    services.post_set_key_event(post=published, by=editor, key_event=True)

    response = act(as_editor, published, "retract", {"reason": "x"}, version=1)

    assert response.status_code == 412
    assert Post.objects.get(pk=published.pk).status == Post.Status.PUBLISHED


@pytest.mark.parametrize("header", ["v1", "1", 'W/"v1"', "*", '"v1", "v2"', '"v0"', '"abc"'])
def test_malformed_if_match_is_400(as_editor, published, header):
    response = as_editor.patch(
        post_url(published), {"title": "New"}, format="json", HTTP_IF_MATCH=header
    )

    assert response.status_code == 400
    assert error_code(response) == "invalid_if_match"


def test_the_etag_of_a_read_is_the_if_match_of_a_write(as_editor, published):
    etag = as_editor.get(post_url(published))["ETag"]

    response = as_editor.patch(
        post_url(published),
        {"title": "Trump wins the presidency"},
        format="json",
        HTTP_IF_MATCH=etag,
    )

    assert response.status_code == 200
    assert response["ETag"] != etag
