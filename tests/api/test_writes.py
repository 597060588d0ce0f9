"""Staff writes: the same services and permissions as the admin."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from liveblog.models import Change, Post

from .conftest import STAFF, client_for, error_code
from .writing import act, post_url


def test_reporter_files_and_submits_a_post(as_reporter, blog, reporter):
    created = as_reporter.post(
        f"/api/v1/blogs/{blog.slug}/posts/",
        {"title": "Polls close", "body": "<p>Polls <script>x</script>closed.</p>"},
        format="json",
    )
    assert created.status_code == 201
    post = Post.objects.get(pk=created.json()["id"])
    assert created["Location"].endswith(f"/api/v1/blogs/election/posts/{post.pk}/")
    assert created["ETag"] == '"v1"'
    assert post.author == reporter
    assert post.status == Post.Status.DRAFT
    assert "<script>" not in post.body

    submitted = as_reporter.post(
        post_url(post, "submit"), {}, format="json", HTTP_IF_MATCH=created["ETag"]
    )

    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted"
    assert submitted["ETag"] == '"v2"'


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("publish", {}),
        ("pin", {"pinned": True}),
        ("key-event", {"key_event": True}),
        ("retract", {"reason": "Wrong"}),
    ],
)
def test_reporter_cannot_do_an_editors_job(as_reporter, published, action, data):
    response = act(as_reporter, published, action, data)

    assert response.status_code == 403
    assert error_code(response) == "forbidden"
    assert Post.objects.get(pk=published.pk).version == published.version


def test_reporter_cannot_publish_a_draft(as_reporter, draft):
    response = act(as_reporter, draft, "publish")

    assert response.status_code == 403
    assert Post.objects.get(pk=draft.pk).status == Post.Status.DRAFT


def test_reporter_cannot_correct_a_published_post(as_reporter, published):
    response = as_reporter.patch(
        post_url(published),
        {"title": "New"},
        format="json",
        HTTP_IF_MATCH=f'"v{published.version}"',
    )

    assert response.status_code == 403
    assert Post.objects.get(pk=published.pk).title == "Trump wins"


def test_reporter_edits_own_draft(as_reporter, draft):
    response = as_reporter.patch(
        post_url(draft), {"title": "Polls close at 7"}, format="json", HTTP_IF_MATCH='"v1"'
    )

    assert response.status_code == 200
    assert response.json()["title"] == "Polls close at 7"


def test_reporter_cannot_edit_someone_elses_draft(make_key, other_reporter, draft):
    client = client_for(make_key(STAFF, user=other_reporter))

    response = client.patch(
        post_url(draft), {"title": "Mine now"}, format="json", HTTP_IF_MATCH='"v1"'
    )

    assert response.status_code == 403


def test_editor_publishes_pins_corrects_and_retracts(as_editor, draft, blog):
    assert act(as_editor, draft, "publish").json()["status"] == "published"
    assert act(as_editor, draft, "pin", {"pinned": True}).json()["pinned"] is True
    assert act(as_editor, draft, "key-event", {"key_event": True}).json()["key_event"] is True
    version = Post.objects.get(pk=draft.pk).version
    corrected = as_editor.patch(
        post_url(draft),
        {"title": "Polls closed", "correction_note": "Time fixed"},
        format="json",
        HTTP_IF_MATCH=f'"v{version}"',
    )
    assert corrected.status_code == 200
    assert corrected.json()["correction_note"] == "Time fixed"
    assert corrected.json()["corrected_at"] is not None
    retracted = act(as_editor, draft, "retract", {"reason": "Wrong state"})
    assert retracted.json()["status"] == "retracted"
    kinds = list(blog.changes.order_by("seq").values_list("kind", flat=True))
    assert kinds == ["published", "pinned", "edited", "edited", "retracted"]


def test_editor_schedules_with_an_aware_time(as_editor, draft):
    at = timezone.now() + timedelta(hours=2)

    response = act(as_editor, draft, "publish", {"at": at.isoformat()})

    assert response.status_code == 200
    assert response.json()["status"] == "scheduled"
    assert Post.objects.get(pk=draft.pk).published_at == at


def test_a_naive_publication_time_is_refused(as_editor, draft):
    response = act(as_editor, draft, "publish", {"at": "2030-11-06T22:30:00"})

    assert response.status_code == 400
    assert error_code(response) == "invalid"
    assert "time zone" in response.json()["error"]["details"]["fields"]["at"][0]
    assert Post.objects.get(pk=draft.pk).status == Post.Status.DRAFT


@pytest.mark.parametrize("at", ["tomorrow", 12, "2030-13-45T99:00:00Z", "9" * 100, True])
def test_nonsense_publication_times_are_400(as_editor, draft, at):
    assert act(as_editor, draft, "publish", {"at": at}).status_code == 400


def test_partner_read_only_key_cannot_write(partner, blog, published):
    created = partner.post(f"/api/v1/blogs/{blog.slug}/posts/", {"title": "x"}, format="json")
    pinned = act(partner, published, "pin", {"pinned": True})

    assert created.status_code == pinned.status_code == 403
    assert error_code(created) == "insufficient_scope"
    assert not Post.objects.filter(title="x").exists()


def test_partner_key_with_write_scope_but_no_user_cannot_write(make_key, blog):
    from partners.models import PartnerKey

    secret = make_key(STAFF)  # bypasses the model's clean(): the API must still refuse
    assert PartnerKey.objects.get(prefix=secret.split(".")[0]).user is None

    response = client_for(secret).post(
        f"/api/v1/blogs/{blog.slug}/posts/", {"title": "x"}, format="json"
    )

    assert response.status_code == 403


def test_staff_session_writes_like_the_admin(client, editor, draft):
    client.force_login(editor)

    response = client.post(
        post_url(draft, "publish"), "{}", content_type="application/json", HTTP_IF_MATCH='"v1"'
    )

    assert response.status_code == 200


def test_a_patch_that_changes_nothing_changes_nothing(as_editor, published):
    response = as_editor.patch(
        post_url(published),
        {"title": published.title, "body": published.body, "correction_note": ""},
        format="json",
        HTTP_IF_MATCH=f'"v{published.version}"',
    )

    assert response.status_code == 200
    assert response["ETag"] == f'"v{published.version}"'  # no new version
    after = Post.objects.get(pk=published.pk)
    assert (after.version, after.corrected_at) == (published.version, None)
    assert not Change.objects.filter(post=published).exists()  # nothing pushed to pages


def test_allowed_actions_are_the_services_answer_for_each_caller(
    as_editor, as_reporter, partner, draft, published
):
    def actions(client, post):
        response = client.get(post_url(post, "actions"))
        assert response.status_code == 200
        return response.json()["actions"]

    assert actions(as_reporter, draft) == ["edit", "submit", "delete"]
    assert actions(as_reporter, published) == []
    assert actions(as_editor, published) == ["edit", "pin", "mark_key_event", "retract"]
    assert actions(as_editor, draft) == [
        "edit", "submit", "publish", "schedule", "mark_key_event", "delete",
    ]  # fmt: skip
    assert actions(partner, published) == []


def test_a_photo_over_the_size_limit_answers_413_with_the_limit(as_reporter, draft, jpeg, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.NEWSROOM_IMAGE_MAX_BYTES = 1000
    response = as_reporter.post(
        post_url(draft, "images"),
        {"file": SimpleUploadedFile("big.jpg", jpeg((400, 300))), "alt_text": "A queue"},
        format="multipart",
        HTTP_IF_MATCH=f'"v{draft.version}"',
    )

    assert response.status_code == 413
    assert error_code(response) == "too_large"
    assert "the limit is 1000 bytes" in response.json()["error"]["message"]
    assert not draft.images.exists()


def test_the_shipped_nginx_lets_through_every_upload_the_app_accepts(settings):
    import re
    from pathlib import Path

    conf = (Path(__file__).parents[2] / "docs" / "deploy" / "nginx.conf").read_text()

    def megabytes(text: str) -> int:
        return int(re.search(r"client_max_body_size (\d+)m;", text).group(1)) * 1024 * 1024

    server_wide = megabytes(conf.split("location")[0])
    admin = megabytes(conf.split("location /admin/ {", 1)[1].split("}", 1)[0])
    assert server_wide >= settings.NEWSROOM_IMAGE_MAX_BYTES  # photos, anywhere
    assert admin >= settings.NEWSROOM_VIDEO_MAX_BYTES  # videos, through the admin
