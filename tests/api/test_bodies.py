"""Write bodies: strict JSON, labels, and photo uploads."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from liveblog.models import Change, Post

from .conftest import error_code
from .writing import act, post_url


# --- Bodies ----------------------------------------------------------------------------------
def test_unknown_fields_are_refused(as_editor, blog):
    response = as_editor.post(
        f"/api/v1/blogs/{blog.slug}/posts/", {"title": "x", "status": "published"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["details"]["fields"] == {"status": ["Unknown field."]}
    assert not Post.objects.filter(title="x").exists()


@pytest.mark.parametrize(
    "body",
    [
        "{",
        "[]",
        "null",
        '"title"',
        "42",
        '{"title": 42}',
        '{"title": ["a"]}',
        '{"title": ""}',
        '{"title": "' + "x" * 201 + '"}',
        '{"title": "x", "label": "no-such-label"}',
    ],
)
def test_bad_bodies_are_400_never_500(as_editor, blog, body):
    response = as_editor.post(
        f"/api/v1/blogs/{blog.slug}/posts/", body, content_type="application/json"
    )

    assert response.status_code == 400
    assert error_code(response) in {"invalid", "malformed_request"}


def test_wrong_content_type_is_415(as_editor, blog):
    response = as_editor.post(
        f"/api/v1/blogs/{blog.slug}/posts/",
        "title=x",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 415
    assert error_code(response) == "unsupported_media_type"


def test_empty_patch_is_refused(as_editor, published):
    response = as_editor.patch(post_url(published), {}, format="json", HTTP_IF_MATCH='"v1"')

    assert response.status_code == 400


def test_post_with_a_label(as_editor, blog):
    from tests import factories

    factories.LabelFactory()

    response = as_editor.post(
        f"/api/v1/blogs/{blog.slug}/posts/", {"title": "x", "label": "analysis"}, format="json"
    )

    assert response.json()["label"]["slug"] == "analysis"


# --- Images ------------------------------------------------------------------------------
def test_reporter_uploads_a_photo_to_own_draft(as_reporter, draft, jpeg):
    upload = SimpleUploadedFile("photo.jpg", jpeg(), content_type="image/jpeg")

    response = as_reporter.post(
        post_url(draft, "images"),
        {"file": upload, "alt_text": "Voters queue", "credit": "Reuters"},
        format="multipart",
        HTTP_IF_MATCH='"v1"',
    )

    assert response.status_code == 201
    [image] = response.json()["images"]
    assert image["alt_text"] == "Voters queue"
    assert image["url"].startswith("http://testserver/media/posts/")
    assert (image["width"], image["height"]) == (64, 48)
    assert response["ETag"] == '"v2"'


def test_a_file_that_is_not_an_image_is_refused(as_reporter, draft):
    upload = SimpleUploadedFile("photo.jpg", b"<svg onload=alert(1)>", content_type="image/jpeg")

    response = as_reporter.post(
        post_url(draft, "images"),
        {"file": upload, "alt_text": "x"},
        format="multipart",
        HTTP_IF_MATCH='"v1"',
    )

    assert response.status_code == 400
    assert not draft.images.exists()


def test_photo_without_alt_text_is_refused(as_reporter, draft, jpeg):
    upload = SimpleUploadedFile("photo.jpg", jpeg(), content_type="image/jpeg")

    response = as_reporter.post(
        post_url(draft, "images"), {"file": upload}, format="multipart", HTTP_IF_MATCH='"v1"'
    )

    assert response.status_code == 400
    assert "alt_text" in response.json()["error"]["details"]["fields"]


def test_writes_announce_to_the_change_log_once(as_editor, draft, blog):
    act(as_editor, draft, "publish")

    assert list(Change.objects.filter(blog=blog).values_list("kind", "post_id")) == [
        ("published", draft.pk)
    ]
