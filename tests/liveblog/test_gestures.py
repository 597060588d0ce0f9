"""One gesture, one change: a save that touches several parts of a post is one unit of
work at every door (one version step, one change in the log, so one live event and one
webhook per subscriber, one staff-log entry)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from liveblog import services
from liveblog.models import Change, DeskChange, Post
from liveblog.signals import send_change_committed
from tests import factories

pytestmark = pytest.mark.django_db
VIDEO = "https://youtu.be/dQw4w9WgXcQ"


def desk_save(client, blog, **data):
    data.setdefault("action", "draft")
    return client.post(f"/admin/desk/{blog.slug}/compose/save/", data)


def announced(callbacks) -> list[int]:
    """The sequence numbers announced after commit (live channel, webhooks: one seam)."""
    return [c.args[0].seq for c in callbacks
            if getattr(c, "func", None) is send_change_committed]  # fmt: skip


@pytest.fixture
def public_post(blog, reporter, editor):
    post = factories.PostFactory(blog=blog, author=reporter, title="Polls close")
    return services.post_publish(post=post, by=editor)


def test_one_desk_save_of_words_byline_and_video_is_one_change(
    editor_client, blog, editor, public_post, django_capture_on_commit_callbacks
):
    before = (public_post.version, Change.objects.count(), DeskChange.objects.count())
    with django_capture_on_commit_callbacks() as callbacks:
        answer = desk_save(
            editor_client, blog, action="save", post=public_post.pk, version=public_post.version,
            title="Polls close in Georgia", body="<p>Queues at 7 p.m.</p>",
            correction_note="Time corrected.", video_url=VIDEO, video_caption="The queue",
            **{"byline-reporter": [editor.reporter.pk], "byline-line": ["In Atlanta"]},
        )  # fmt: skip

    assert answer.status_code == 200, answer.json()
    post = Post.objects.get(pk=public_post.pk)
    assert post.title == "Polls close in Georgia"
    assert "dQw4w9WgXcQ" in post.videos.get().url
    assert post.contributors.get().byline == "In Atlanta"
    assert post.version == before[0] + 1  # one version step
    new = list(Change.objects.order_by("seq")[before[1] :])
    assert [(c.kind, c.post_version) for c in new] == [("edited", post.version)]
    assert announced(callbacks) == [new[0].seq]  # one push, one webhook per subscriber
    assert DeskChange.objects.count() == before[2] + 1  # one staff-log entry
    assert answer.json()["version"] == post.version


def test_publishing_a_new_photo_post_from_the_desk_is_one_change(
    editor_client, blog, jpeg, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        answer = desk_save(
            editor_client, blog, action="publish", title="Queues in Atlanta",
            body="<p>Long lines.</p>", video_url=VIDEO, video_caption="The queue",
            **{"new-0-file": SimpleUploadedFile("q.jpg", jpeg(), content_type="image/jpeg"),
               "new-0-alt": "Voters queue"},
        )  # fmt: skip

    assert answer.status_code == 200, answer.json()
    post = Post.objects.get(pk=answer.json()["post"])
    assert post.status == Post.Status.PUBLISHED
    assert list(Change.objects.values_list("kind", "post_version")) == [("published", post.version)]
    assert len(announced(callbacks)) == 1
    assert DeskChange.objects.filter(post_id=post.pk).count() == 1
    assert post.version == 2  # filed, then one step for everything that one click did


def test_a_refused_part_is_rolled_back_alone_and_the_gesture_still_counts_once(
    editor_client, blog, public_post
):
    before = Change.objects.count()
    answer = desk_save(
        editor_client, blog, action="save", post=public_post.pk, version=public_post.version,
        title="Corrected title", video_url="https://evil.example/x.mp4",
    )  # fmt: skip

    assert answer.status_code == 400
    post = Post.objects.get(pk=public_post.pk)
    assert post.title == "Corrected title"  # the words stand
    assert not post.videos.exists()  # the refused part left nothing
    assert list(Change.objects.values_list("kind", flat=True)[before:]) == ["edited"]
    assert post.version == public_post.version + 1


def test_an_admin_save_with_its_inlines_is_one_change(
    editor_client, blog, public_post, django_capture_on_commit_callbacks
):
    url = f"/admin/liveblog/post/{public_post.pk}/change/"
    form = editor_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data |= {"title": "Polls close late", "body": "<p>Edited in the admin.</p>",
             "correction_note": "Later than first said.", "label": "",
             "version": public_post.version}  # fmt: skip
    for prefix in ("contributors", "images", "videos"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    data |= {"videos-TOTAL_FORMS": "1", "videos-0-url": VIDEO, "videos-0-caption": "Queue",
             "videos-0-placement": "lead", "videos-0-order": "0"}  # fmt: skip
    before = Change.objects.count()

    with django_capture_on_commit_callbacks() as callbacks:
        response = editor_client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    post = Post.objects.get(pk=public_post.pk)
    assert (post.title, post.videos.count()) == ("Polls close late", 1)
    assert list(Change.objects.values_list("kind", flat=True)[before:]) == ["edited"]
    assert len(announced(callbacks)) == 1
    assert post.version == public_post.version + 1
