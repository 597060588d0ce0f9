"""The post page's byline, photo and video rows are saved by the services, and a save
that changes nothing changes nothing (no "Updated", no version, no event)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from liveblog import services
from liveblog.models import Change, Post, PostContributor, PostImage
from tests import factories
from tests.liveblog.test_admin import (
    add_form_data,
    add_url,
    browser_form_data,
    change_url,
    gif_bytes,
    with_image,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo_post(published, editor, jpeg):
    """A published post with a photo and a byline, as the demo's posts are."""
    services.post_add_image(
        post=published,
        by=editor,
        file=SimpleUploadedFile("p.jpg", jpeg((64, 48)), "image/jpeg"),
        alt_text="Voters queue",
        caption="Queues in Atlanta",
        credit="Getty Images",
    )
    Change.objects.all().delete()
    Post.objects.filter(pk=published.pk).update(corrected_at=None)  # as first published
    published.refresh_from_db()
    return published


@pytest.fixture
def spy(monkeypatch):
    """Records each call of the named services (they still run)."""
    calls: list[str] = []

    def watch(name: str) -> None:
        real = getattr(services, name)

        def wrapper(**kwargs: Any) -> Any:
            calls.append(name)
            return real(**kwargs)

        monkeypatch.setattr(services, name, wrapper)

    for name in (
        "post_set_contributors", "post_add_image", "post_update_image", "post_remove_image",
        "post_add_video", "post_update_video", "post_remove_video", "post_update",
    ):  # fmt: skip
        watch(name)
    return calls


def saved_unchanged(client: Any, post: Post) -> Any:
    page = client.get(change_url(post))
    return client.post(change_url(post), browser_form_data(page, "post_form"))


def test_saving_a_published_post_unchanged_changes_nothing(editor_client, photo_post):
    before = Post.objects.values().get(pk=photo_post.pk)

    response = saved_unchanged(editor_client, photo_post)

    assert response.status_code == 302
    assert Post.objects.values().get(pk=photo_post.pk) | {"updated_at": None} == before | {
        "updated_at": None
    }
    assert not Change.objects.exists()
    page = editor_client.get(photo_post.get_absolute_url())
    assert "Updated" not in page.content.decode()


def test_unchanged_save_calls_no_media_or_byline_service_that_writes(
    editor_client, photo_post, spy
):
    saved_unchanged(editor_client, photo_post)

    # The words and the byline go through their services, which find nothing to do;
    # the untouched photo row calls nothing at all.
    assert "post_update_image" not in spy
    assert "post_add_image" not in spy
    assert photo_post.images.count() == 1


def test_caption_edit_on_a_published_photo_goes_through_the_service(editor_client, photo_post, spy):
    page = editor_client.get(change_url(photo_post))
    data = browser_form_data(page, "post_form") | {"images-0-caption": "Long queues in Atlanta"}

    response = editor_client.post(change_url(photo_post), data)

    assert response.status_code == 302
    assert spy.count("post_update_image") == 1
    assert PostImage.objects.get().caption == "Long queues in Atlanta"
    photo_post.refresh_from_db()
    assert photo_post.corrected_at is not None  # readers see the update
    assert list(Change.objects.values_list("kind", flat=True)) == [Change.Kind.EDITED]


def test_removing_a_photo_in_the_admin_goes_through_the_service(editor_client, photo_post, spy):
    page = editor_client.get(change_url(photo_post))
    data = browser_form_data(page, "post_form") | {"images-0-DELETE": "on"}

    response = editor_client.post(change_url(photo_post), data)

    assert response.status_code == 302
    assert spy == ["post_update", "post_set_contributors", "post_remove_image"]
    assert not PostImage.objects.exists()
    assert Change.objects.get().kind == Change.Kind.EDITED


def test_new_photo_on_the_add_page_goes_through_the_service(reporter_client, blog, jpeg, spy):
    upload = SimpleUploadedFile("p.jpg", jpeg((64, 48)), "image/jpeg")

    response = reporter_client.post(add_url(), with_image(add_form_data(blog), upload))

    assert response.status_code == 302
    assert spy == ["post_add_image"]
    assert PostImage.objects.get().post.contributors.count() == 1  # the filer's byline


def test_admin_and_api_refuse_the_same_bad_photo_with_the_same_reason(
    reporter_client, blog, draft, reporter
):
    upload = SimpleUploadedFile("anim.gif", gif_bytes(), "image/jpeg")
    response = reporter_client.post(add_url(), with_image(add_form_data(blog), upload))
    admin_errors = response.context["inline_admin_formsets"][1].formset.forms[0].errors["image"]

    with pytest.raises(Exception) as refused:  # noqa: PT011  (whatever the service raises)
        services.post_add_image(
            post=draft,
            by=reporter,
            file=SimpleUploadedFile("anim.gif", gif_bytes(), "image/jpeg"),
            alt_text="An animation",
        )

    assert refused.value.messages == admin_errors  # type: ignore[attr-defined]
    assert not PostImage.objects.exists()


def test_byline_rows_are_saved_by_the_service(editor_client, photo_post, spy):
    colleague = factories.reporter(username="holly").reporter
    page = editor_client.get(change_url(photo_post))
    data = browser_form_data(page, "post_form")
    n = int(data["contributors-INITIAL_FORMS"])
    data |= {
        "contributors-TOTAL_FORMS": str(n + 1),
        f"contributors-{n}-reporter": str(colleague.pk),
        f"contributors-{n}-byline": "Reporting from Howard University",
        f"contributors-{n}-order": str(n),
    }

    response = editor_client.post(change_url(photo_post), data)

    assert response.status_code == 302, response.context["errors"]
    assert spy.count("post_set_contributors") == 1
    assert [c.byline for c in PostContributor.objects.filter(post=photo_post)][-1] == (
        "Reporting from Howard University"
    )
    assert Change.objects.get().kind == Change.Kind.EDITED


def test_reporter_cannot_add_a_photo_to_a_published_post_through_the_admin(
    reporter_client, photo_post, jpeg
):
    # The page is read-only for them; a forged post changes nothing either.
    data = {
        "images-TOTAL_FORMS": "1",
        "images-INITIAL_FORMS": "0",
        "images-0-image": SimpleUploadedFile("p.jpg", jpeg((64, 48)), "image/jpeg"),
        "images-0-alt_text": "x",
    }

    response = reporter_client.post(change_url(photo_post), data)

    assert response.status_code in (302, 403)
    assert photo_post.images.count() == 1
    assert not Change.objects.exists()


def test_replacing_a_photo_in_the_admin_stores_the_new_picture_checked(
    editor_client, photo_post, jpeg, spy
):
    before = PostImage.objects.get().image.name
    page = editor_client.get(change_url(photo_post))
    data = browser_form_data(page, "post_form") | {
        "images-0-image": SimpleUploadedFile("new.png", jpeg((80, 60)), "image/png"),
    }

    response = editor_client.post(change_url(photo_post), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    assert spy.count("post_update_image") == 1
    image = PostImage.objects.get()
    assert image.image.name != before
    assert (image.width, image.height, image.original_name) == (80, 60, "new.png")


def test_a_video_row_added_in_the_admin_goes_through_the_service(editor_client, photo_post, spy):
    page = editor_client.get(change_url(photo_post))
    data = browser_form_data(page, "post_form") | {
        "videos-TOTAL_FORMS": "1",
        "videos-0-url": "https://www.youtube.com/watch?v=aqz-KE-bpKQ",
        "videos-0-caption": "The count in Atlanta",
        "videos-0-placement": "end",
        "videos-0-order": "1",
    }

    response = editor_client.post(change_url(photo_post), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    assert spy.count("post_add_video") == 1
    video = photo_post.videos.get()
    assert video.url == "https://www.youtube-nocookie.com/embed/aqz-KE-bpKQ"
