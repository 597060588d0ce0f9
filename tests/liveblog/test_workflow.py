"""The editorial workflow through the services: each role's allowed and refused actions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from liveblog import actions, services
from liveblog.exceptions import StaleEdit
from liveblog.models import Change, Post
from tests import factories

pytestmark = pytest.mark.django_db
Status = Post.Status


def kinds(blog) -> list[str]:
    return list(Change.objects.filter(blog=blog).order_by("seq").values_list("kind", flat=True))


# --- Reporters ------------------------------------------------------------------------


def test_reporter_files_a_draft_with_their_own_byline(blog, reporter):
    post = services.post_create(blog=blog, by=reporter, title=" Polls close ", body="Text")

    assert post.status == Status.DRAFT
    assert post.title == "Polls close"
    assert post.body == "<p>Text</p>"
    assert [(c.reporter, c.byline) for c in post.contributors.all()] == [
        (reporter.reporter, "Reporting from Washington DC")
    ]
    assert kinds(blog) == []  # nothing a reader sees yet


def test_reporter_edits_and_submits_own_draft(draft, reporter):
    post = services.post_update(
        post=draft, by=reporter, expected_version=draft.version, data={"title": "New"}
    )
    post = services.post_submit(post=post, by=reporter)

    assert post.status == Status.SUBMITTED
    assert post.title == "New"
    assert post.submitted_at is not None
    assert post.version == draft.version + 2


def test_reporter_cannot_edit_another_reporters_draft(draft, other_reporter):
    with pytest.raises(PermissionDenied, match="your own posts"):
        services.post_update(
            post=draft, by=other_reporter, expected_version=draft.version, data={"title": "X"}
        )
    assert Post.objects.get(pk=draft.pk).title == draft.title


def test_reporter_cannot_submit_another_reporters_draft(draft, other_reporter):
    with pytest.raises(PermissionDenied):
        services.post_submit(post=draft, by=other_reporter)


def test_reporter_cannot_edit_own_post_once_submitted(draft, reporter):
    services.post_submit(post=draft, by=reporter)
    with pytest.raises(PermissionDenied, match="while it is a draft"):
        services.post_update(post=draft, by=reporter, expected_version=2, data={"title": "X"})


def test_reporter_can_withdraw_own_submission(draft, reporter):
    services.post_submit(post=draft, by=reporter)
    post = services.post_return_to_draft(post=draft, by=reporter)
    assert post.status == Status.DRAFT


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (lambda p, u: services.post_publish(post=p, by=u), "Only editors can publish"),
        (
            lambda p, u: services.post_publish(post=p, by=u, at=timezone.now() + timedelta(1)),
            "Only editors can publish",
        ),
        (lambda p, u: services.post_set_pinned(post=p, by=u, pinned=True), "Only editors"),
        (lambda p, u: services.post_set_key_event(post=p, by=u, key_event=True), "Only editors"),
        (lambda p, u: services.post_retract(post=p, by=u, reason="x"), "Only editors"),
    ],
    ids=["publish", "schedule", "pin", "key-event", "retract"],
)
def test_reporter_cannot_publish_schedule_pin_or_retract(
    published, draft, reporter, action, message
):
    target = draft if "publish" in message else published
    before = Post.objects.get(pk=target.pk)
    with pytest.raises(PermissionDenied, match=message):
        action(target, reporter)
    after = Post.objects.get(pk=target.pk)
    assert (after.status, after.pinned, after.key_event, after.version) == (
        before.status,
        before.pinned,
        before.key_event,
        before.version,
    )


def test_reporter_cannot_touch_own_published_post(published, reporter):
    with pytest.raises(PermissionDenied, match="Only editors can change a published"):
        services.post_update(
            post=published, by=reporter, expected_version=published.version, data={"title": "X"}
        )


def test_reporter_cannot_edit_summary(blog, reporter):
    with pytest.raises(PermissionDenied):
        services.summary_update(blog=blog, by=reporter, points=["A"])


def test_user_without_a_role_cannot_file(blog):
    nobody = factories.UserFactory(username="visitor")
    with pytest.raises(PermissionDenied):
        services.post_create(blog=blog, by=nobody, title="Hello")


# --- Editors --------------------------------------------------------------------------


def test_editor_publishes_now_and_the_change_is_logged(draft, editor):
    post = services.post_publish(post=draft, by=editor)

    assert post.status == Status.PUBLISHED
    assert post.published_by == editor
    assert abs(post.published_at - timezone.now()) < timedelta(seconds=5)
    assert kinds(draft.blog) == ["published"]
    assert Change.objects.get(blog=draft.blog).post_version == post.version


def test_editor_schedules_for_later_and_nothing_is_announced_yet(draft, editor):
    at = timezone.now() + timedelta(hours=1)
    post = services.post_publish(post=draft, by=editor, at=at)

    assert (post.status, post.publish_at, post.published_at) == (Status.SCHEDULED, at, at)
    assert kinds(draft.blog) == []


def test_publishing_with_a_past_time_publishes_now(draft, editor):
    post = services.post_publish(post=draft, by=editor, at=timezone.now() - timedelta(hours=1))
    assert post.status == Status.PUBLISHED
    assert kinds(draft.blog) == ["published"]


def test_schedule_refuses_naive_datetimes(draft, editor):
    with pytest.raises(ValidationError, match="time zone"):
        services.post_publish(post=draft, by=editor, at=datetime(2030, 1, 1, 21, 0))


def test_editor_reschedules_and_cancels_a_schedule(draft, editor):
    services.post_publish(post=draft, by=editor, at=timezone.now() + timedelta(hours=1))
    later = timezone.now() + timedelta(hours=3)
    post = services.post_publish(post=draft, by=editor, at=later)
    assert post.published_at == later

    post = services.post_unschedule(post=post, by=editor)
    assert (post.status, post.published_at, post.publish_at) == (Status.SUBMITTED, None, None)


def test_cannot_reschedule_a_post_whose_time_has_passed(draft, editor):
    services.post_publish(post=draft, by=editor, at=timezone.now() + timedelta(hours=1))
    Post.objects.filter(pk=draft.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ValidationError, match="already public"):
        services.post_publish(post=draft, by=editor, at=timezone.now() + timedelta(hours=1))


def test_due_scheduled_posts_are_announced_exactly_once(draft, editor):
    services.post_publish(post=draft, by=editor, at=timezone.now() + timedelta(minutes=1))
    assert services.post_publish_due() == []

    later = timezone.now() + timedelta(minutes=2)
    first = services.post_publish_due(at=later)
    second = services.post_publish_due(at=later)

    assert [p.pk for p in first] == [draft.pk]
    assert second == []
    assert kinds(draft.blog) == ["published"]
    assert Post.objects.get(pk=draft.pk).status == Status.PUBLISHED


def test_pinning_a_post_unpins_the_previous_one(blog, editor):
    first = factories.PostFactory(blog=blog, published=True)
    second = factories.PostFactory(blog=blog, published=True)

    services.post_set_pinned(post=first, by=editor, pinned=True)
    services.post_set_pinned(post=second, by=editor, pinned=True)

    assert list(Post.objects.pinned()) == [second]
    assert kinds(blog) == ["pinned", "unpinned", "pinned"]


def test_only_public_posts_can_be_pinned(draft, editor):
    with pytest.raises(ValidationError, match="published post"):
        services.post_set_pinned(post=draft, by=editor, pinned=True)


def test_editor_corrects_a_published_post_with_a_note(published, editor):
    post = services.post_update(
        post=published,
        by=editor,
        expected_version=published.version,
        data={"body": "<p>Fixed figure: 312.</p>"},
        correction_note="An earlier version gave the wrong electoral vote count.",
    )

    assert post.body == "<p>Fixed figure: 312.</p>"
    assert post.corrected_at is not None
    assert post.correction_note.startswith("An earlier version")
    assert kinds(published.blog) == ["edited"]


def test_stale_edit_is_refused_and_the_newer_version_kept(published, editor, second_editor):
    opened_at = published.version
    services.post_update(
        post=published, by=second_editor, expected_version=opened_at, data={"title": "Theirs"}
    )
    with pytest.raises(StaleEdit, match="changed by someone else"):
        services.post_update(
            post=published, by=editor, expected_version=opened_at, data={"title": "Mine"}
        )
    post = Post.objects.get(pk=published.pk)
    assert post.title == "Theirs"
    assert post.version == opened_at + 1


def test_editor_retracts_with_a_reason(published, editor):
    services.post_set_pinned(post=published, by=editor, pinned=True)
    post = services.post_retract(post=published, by=editor, reason="Wrong person named")

    assert (post.status, post.pinned, post.retraction_reason) == (
        Status.RETRACTED,
        False,
        "Wrong person named",
    )
    assert kinds(published.blog) == ["pinned", "retracted"]


def test_retraction_needs_a_reason(published, editor):
    with pytest.raises(ValidationError, match="Say why"):
        services.post_retract(post=published, by=editor, reason="  ")
    assert Post.objects.get(pk=published.pk).status == Status.PUBLISHED


def test_retracted_post_cannot_be_edited_or_republished(published, editor):
    services.post_retract(post=published, by=editor, reason="Duplicate")
    with pytest.raises(PermissionDenied, match="retracted"):
        services.post_update(post=published, by=editor, expected_version=2, data={"title": "X"})
    with pytest.raises(ValidationError, match="retracted"):
        services.post_publish(post=published, by=editor)


def test_published_posts_are_never_deleted(published, editor):
    with pytest.raises(PermissionDenied, match="retracted, not deleted"):
        services.post_delete(post=published, by=editor)
    assert Post.objects.filter(pk=published.pk).exists()


def test_reporter_deletes_own_draft(draft, reporter):
    services.post_delete(post=draft, by=reporter)
    assert not Post.objects.filter(pk=draft.pk).exists()


def test_key_event_on_a_public_post_is_announced(published, editor):
    services.post_set_key_event(post=published, by=editor, key_event=True)
    assert Post.objects.key_events().get() == published
    assert kinds(published.blog) == ["edited"]


def test_editor_updates_summary_and_it_is_logged(blog, editor):
    services.summary_update(blog=blog, by=editor, points=[" Trump wins ", "", "Harris concedes"])
    blog.refresh_from_db()
    assert blog.summary == ["Trump wins", "Harris concedes"]
    change = Change.objects.get(blog=blog)
    assert (change.kind, change.payload) == ("summary", {"points": blog.summary})


def test_ending_a_blog_sets_its_coverage_end(blog, editor):
    services.blog_set_status(blog=blog, by=editor, status="ended")
    blog.refresh_from_db()
    assert blog.status == "ended"
    assert blog.coverage_end is not None
    assert kinds(blog) == ["blog"]


def test_add_image_to_published_post_is_an_edit(published, editor, jpeg):
    import io

    image = services.post_add_image(
        post=published, by=editor, file=io.BytesIO(jpeg()), alt_text="A crowd", credit="Reuters"
    )
    assert (image.width, image.height, image.credit) == (64, 48, "Reuters")
    assert kinds(published.blog) == ["edited"]


def test_add_image_without_alt_text_is_refused(draft, reporter, jpeg):
    import io

    with pytest.raises(ValidationError, match="Describe the picture"):
        services.post_add_image(post=draft, by=reporter, file=io.BytesIO(jpeg()), alt_text="")
    assert draft.images.count() == 0


def test_video_link_must_be_an_allowed_player(draft, reporter):
    with pytest.raises(ValidationError, match="allowed player"):
        services.post_add_video(
            post=draft, by=reporter, caption="Speech", url="https://evil.example/x.mp4"
        )
    video = services.post_add_video(
        post=draft, by=reporter, caption="Speech", url="https://youtu.be/dQw4w9WgXcQ"
    )
    assert video.url == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"


def test_schedule_across_a_clock_change_keeps_the_instant(draft, editor):
    from zoneinfo import ZoneInfo

    # 21:00 in London on the Sunday clocks go back: GMT, so 21:00 UTC.
    at = datetime(2030, 10, 27, 21, 0, tzinfo=ZoneInfo("Europe/London"))
    post = services.post_publish(post=draft, by=editor, at=at)
    assert post.published_at.astimezone(UTC) == datetime(2030, 10, 27, 21, 0, tzinfo=UTC)


# --- One rule per action: what ``may`` offers is what the service accepts ----------------


def _run(action: str, post: Post, user) -> None:
    later = timezone.now() + timedelta(hours=1)
    calls = {
        "edit": lambda: services.post_update(
            post=post, by=user, expected_version=post.version, data={"title": "Changed"}
        ),
        "submit": lambda: services.post_submit(post=post, by=user),
        "return_to_draft": lambda: services.post_return_to_draft(post=post, by=user),
        "publish": lambda: services.post_publish(post=post, by=user),
        "schedule": lambda: services.post_publish(post=post, by=user, at=later),
        "unschedule": lambda: services.post_unschedule(post=post, by=user),
        "pin": lambda: services.post_set_pinned(post=post, by=user, pinned=True),
        "unpin": lambda: services.post_set_pinned(post=post, by=user, pinned=False),
        "mark_key_event": lambda: services.post_set_key_event(post=post, by=user, key_event=True),
        "unmark_key_event": lambda: services.post_set_key_event(
            post=post, by=user, key_event=False
        ),
        "retract": lambda: services.post_retract(post=post, by=user, reason="Wrong"),
        "delete": lambda: services.post_delete(post=post, by=user),
    }
    calls[action]()


STATES = {
    "draft": {},
    "submitted": {"status": Status.SUBMITTED},
    "scheduled": {"status": Status.SCHEDULED, "published_at": datetime(2099, 1, 1, tzinfo=UTC)},
    "published": {"published": True},
    "pinned": {"published": True, "pinned": True, "key_event": True},
    "retracted": {"status": Status.RETRACTED},
}


class _Undo(Exception):
    pass


@pytest.mark.parametrize("state", list(STATES))
@pytest.mark.parametrize("who", ["author", "other reporter", "editor"])
def test_every_action_offered_is_accepted_and_every_other_refused(blog, reporter, who, state):
    from django.db import transaction

    user = {
        "author": reporter,
        "other reporter": factories.reporter(username="someone"),
        "editor": factories.editor(username="boss"),
    }[who]
    post = factories.PostFactory(blog=blog, author=reporter, **STATES[state])
    for action in actions.REGISTRY:
        offered = actions.may(action, user, Post.objects.get(pk=post.pk))
        before = Post.objects.values().get(pk=post.pk)
        try:
            with transaction.atomic():
                _run(action, Post.objects.get(pk=post.pk), user)
                changed = not Post.objects.filter(pk=post.pk).exists() or (
                    Post.objects.values().get(pk=post.pk) != before
                )
                raise _Undo
        except _Undo:
            accepted = True
        except (PermissionDenied, ValidationError):
            accepted, changed = False, False
        if offered:
            assert accepted, f"{who} offered {action} on a {state} post: refused"
            assert changed, f"{who} offered {action} on a {state} post: it did nothing"
        else:
            assert not changed, f"{who} not offered {action} on a {state} post: it ran"
