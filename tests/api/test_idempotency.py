"""Idempotency-Key: a retried create replays the first answer instead of writing twice."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from liveblog.models import Post
from newsroom.web.models import IdempotencyRecord
from tests import factories

from .conftest import STAFF, client_for, error_code


def create(client, blog, body: dict, key: str | None = "key-1"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(f"/api/v1/blogs/{blog.slug}/posts/", body, format="json", **headers)


def test_same_key_replays_the_first_response(as_reporter, blog):
    first = create(as_reporter, blog, {"title": "Polls close"})
    second = create(as_reporter, blog, {"title": "Polls close"})

    assert first.status_code == second.status_code == 201
    assert second.content == first.content
    assert second["Location"] == first["Location"]
    assert second["ETag"] == first["ETag"]
    assert second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Post.objects.filter(title="Polls close").count() == 1


def test_replay_returns_the_first_body_even_after_the_post_changed(as_reporter, blog):
    first = create(as_reporter, blog, {"title": "Polls close"})
    Post.objects.filter(pk=first.json()["id"]).update(title="Edited since")

    assert create(as_reporter, blog, {"title": "Polls close"}).json()["title"] == "Polls close"


def test_same_key_with_another_body_is_refused(as_reporter, blog):
    create(as_reporter, blog, {"title": "Polls close"})

    response = create(as_reporter, blog, {"title": "Something else"})

    assert response.status_code == 422
    assert error_code(response) == "idempotency_key_reused"
    assert not Post.objects.filter(title="Something else").exists()


def test_same_key_on_another_endpoint_is_refused(as_editor, blog, draft):
    create(as_editor, blog, {"title": "Polls close"})

    response = as_editor.post(
        f"/api/v1/blogs/{blog.slug}/posts/{draft.pk}/publish/",
        {},
        format="json",
        HTTP_IF_MATCH='"v1"',
        HTTP_IDEMPOTENCY_KEY="key-1",
    )

    assert response.status_code == 422


def test_keys_are_scoped_per_caller(make_key, reporter, other_reporter, blog):
    mine = client_for(make_key(STAFF, user=reporter))
    theirs = client_for(make_key(STAFF, user=other_reporter))

    first = create(mine, blog, {"title": "Polls close"})
    second = create(theirs, blog, {"title": "Polls close"})

    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]
    assert "Idempotent-Replayed" not in second


def test_errors_are_not_remembered(as_reporter, blog):
    assert create(as_reporter, blog, {"title": ""}).status_code == 400

    response = create(as_reporter, blog, {"title": "Now with a title"})

    assert response.status_code == 201


def test_keys_expire_after_a_day(as_reporter, blog):
    create(as_reporter, blog, {"title": "Polls close"})
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))

    again = create(as_reporter, blog, {"title": "Polls close"})

    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again
    assert Post.objects.filter(title="Polls close").count() == 2


def test_without_a_key_every_request_writes(as_reporter, blog):
    create(as_reporter, blog, {"title": "Polls close"}, key=None)
    create(as_reporter, blog, {"title": "Polls close"}, key=None)

    assert Post.objects.filter(title="Polls close").count() == 2


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "naïve"])
def test_malformed_keys_are_refused(as_reporter, blog, key):
    response = as_reporter.post(
        f"/api/v1/blogs/{blog.slug}/posts/", {"title": "x"}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )

    assert response.status_code == 400
    assert error_code(response) == "invalid_idempotency_key"


def test_upload_replay_compares_the_file_content(as_reporter, draft, jpeg):
    def upload(colour: str):
        return as_reporter.post(
            f"/api/v1/blogs/{draft.blog.slug}/posts/{draft.pk}/images/",
            {"file": SimpleUploadedFile("a.jpg", jpeg(colour=colour)), "alt_text": "A queue"},
            format="multipart",
            HTTP_IF_MATCH='"v1"',
            HTTP_IDEMPOTENCY_KEY="upload-1",
        )

    first, replay, other = upload("red"), upload("red"), upload("blue")

    assert first.status_code == replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"
    assert other.status_code == 422
    assert draft.images.count() == 1


def test_the_record_is_kept_in_the_database(as_reporter, blog, reporter):
    create(as_reporter, blog, {"title": "Polls close"})

    record = IdempotencyRecord.objects.get()
    assert record.key == "key-1"
    assert record.caller.startswith("key:")
    assert record.status_code == 201


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_write_once(make_key):
    """Six copies of one request at once: one post, six identical 201s."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: run with DATABASE_URL=postgres://…")
    blog = factories.LiveBlogFactory(slug="concurrent")
    user = factories.reporter(username="fast-fingers")
    secret = make_key(STAFF, user=user)
    responses: list = []
    start = threading.Barrier(6)

    def send() -> None:
        try:
            start.wait()
            responses.append(create(client_for(secret), blog, {"title": "Polls close"}))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [r.status_code for r in responses] == [201] * 6
    assert len({r.content for r in responses}) == 1
    assert Post.objects.filter(blog=blog, title="Polls close").count() == 1
