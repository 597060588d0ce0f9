"""Visibility lives on the queryset: what readers may see, and when."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from liveblog import services
from liveblog.models import Post
from tests import factories

pytestmark = pytest.mark.django_db


def test_only_published_posts_are_visible(blog, reporter):
    factories.PostFactory(blog=blog, status=Post.Status.DRAFT)
    factories.PostFactory(blog=blog, status=Post.Status.SUBMITTED)
    live = factories.PostFactory(blog=blog, published=True)
    assert list(Post.objects.published()) == [live]


def test_scheduled_post_is_visible_from_its_time_without_a_worker(draft, editor):
    at = timezone.now() + timedelta(minutes=10)
    services.post_publish(post=draft, by=editor, at=at)

    assert not Post.objects.published().exists()
    assert not Post.objects.get(pk=draft.pk).is_public
    assert list(Post.objects.published(at=at)) == [draft]
    assert list(Post.objects.published(at=at + timedelta(seconds=1))) == [draft]
    assert Post.objects.get(pk=draft.pk).status == Post.Status.SCHEDULED  # nobody swept yet


def test_retracted_post_is_never_visible(published, editor):
    services.post_retract(post=published, by=editor, reason="Wrong")
    assert not Post.objects.published().exists()
    assert not Post.objects.published(at=timezone.now() + timedelta(days=365)).exists()


def test_newest_first_orders_by_time_then_id(blog):
    now = timezone.now() - timedelta(minutes=1)
    older = factories.PostFactory(blog=blog, published=True, published_at=now - timedelta(1))
    a = factories.PostFactory(blog=blog, published=True, published_at=now)
    b = factories.PostFactory(blog=blog, published=True, published_at=now)
    assert list(Post.objects.published().newest_first()) == [b, a, older]


def test_readers_see_published_posts_staff_see_all(blog, editor):
    factories.PostFactory(blog=blog, status=Post.Status.DRAFT)
    live = factories.PostFactory(blog=blog, published=True)
    assert list(Post.objects.visible_to(AnonymousUser())) == [live]
    assert Post.objects.visible_to(editor).count() == 2


def test_permalink_of_a_draft_is_not_found(client, draft, published):
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(published.get_absolute_url()).status_code == 200


def test_reader_page_hides_drafts_and_retracted_posts(client, blog, draft, published, editor):
    gone = factories.PostFactory(blog=blog, published=True, title="Mistaken post")
    services.post_retract(post=gone, by=editor, reason="Wrong")
    html = client.get(blog.get_absolute_url()).content.decode()
    assert published.title in html
    assert draft.title not in html
    assert "Mistaken post" not in html


def test_a_retracted_permalink_is_gone_with_a_note_and_keeps_nothing_of_the_post(
    client, blog, editor
):
    post = factories.PostFactory(blog=blog, published=True, title="Called too early",
                                 body="<p>SECRET WORDS</p>")  # fmt: skip
    url = post.get_absolute_url()
    services.post_retract(post=post, by=editor, reason="Wrong")
    response = client.get(url)
    assert response.status_code == 410
    html = response.content.decode()
    assert "This post was removed" in html
    assert "removed by the editors at <time" in html
    assert "SECRET WORDS" not in html
    assert "Called too early" not in html
    assert blog.get_absolute_url() in html


def test_staff_preview_a_post_that_is_not_public_and_readers_do_not(client, blog, draft,
                                                                    editor):  # fmt: skip
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(editor)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Preview: not published." in html
    assert draft.title in html
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"
