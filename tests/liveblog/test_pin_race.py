"""Two editors pin two posts of one blog at the same moment (PostgreSQL, real
transactions in two threads): one pin wins, the other post ends up pinned after it,
and nobody gets a 500 from the one-pin-per-blog constraint."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from liveblog import services
from liveblog.models import Post
from liveblog.services import workflow
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_editors_pinning_at_the_same_moment_both_get_an_answer(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: run with DATABASE_URL=postgres://…")
    blog = factories.LiveBlogFactory()
    first, second = (factories.PostFactory(blog=blog, published=True) for _ in range(2))
    editor, other_editor = factories.editor(username="e1"), factories.editor(username="e2")
    first_has_pinned, first_may_commit = threading.Event(), threading.Event()
    real = workflow._replace_pin

    def slow_first(post, by):
        real(post, by)
        if post.pk == first.pk:  # hold the first editor's transaction open, pinned
            first_has_pinned.set()
            first_may_commit.wait(10)

    monkeypatch.setattr(workflow, "_replace_pin", slow_first)
    errors: list[BaseException] = []

    def pin_first() -> None:
        try:
            services.post_set_pinned(post=first, by=editor, pinned=True)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=pin_first)
    thread.start()
    assert first_has_pinned.wait(10)
    api = APIClient()
    api.force_authenticate(other_editor)
    # The second editor's request blocks on the first one's uncommitted pin…
    threading.Timer(0.5, first_may_commit.set).start()
    started = time.monotonic()
    response = api.post(
        f"/api/v1/blogs/{blog.slug}/posts/{second.pk}/pin/",
        {"pinned": True},
        format="json",
        HTTP_IF_MATCH=f'"v{second.version}"',
    )
    thread.join(10)

    assert time.monotonic() - started >= 0.4  # it really waited for the first
    assert errors == []
    assert response.status_code == 200, response.content  # …and then won cleanly
    assert list(Post.objects.filter(blog=blog, pinned=True)) == [second]


def test_losing_the_race_twice_is_a_clean_conflict(monkeypatch, blog, editor, published):
    from django.db import IntegrityError

    from liveblog.exceptions import PinConflict

    def always_taken(post, by):
        raise IntegrityError("one_pinned_post_per_blog")

    monkeypatch.setattr(workflow, "_replace_pin", always_taken)

    with pytest.raises(PinConflict):
        services.post_set_pinned(post=published, by=editor, pinned=True)
    api = APIClient()
    api.force_authenticate(editor)
    response = api.post(
        f"/api/v1/blogs/{blog.slug}/posts/{published.pk}/pin/",
        {"pinned": True},
        format="json",
        HTTP_IF_MATCH=f'"v{published.version}"',
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    with transaction.atomic():
        assert not Post.objects.get(pk=published.pk).pinned
