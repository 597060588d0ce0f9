"""The live desk: who may open it, filing from the compose box, the workflow buttons,
soft locks, the staff channel, and what never leaves it (drafts, submissions, notes)."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import AsyncClient, Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from liveblog import actions, services
from liveblog.live import redis as live_redis
from liveblog.live.hub import hub
from liveblog.live.operations import render_catch_up
from liveblog.models import Change, DeskChange, EditLock, LiveBlog, Post
from liveblog.services.locks import lock_open, lock_release
from partners.models import PartnerKey, Scope
from tests import factories
from tests.liveblog.test_page import make_posts

pytestmark = pytest.mark.django_db


def desk_url(blog, *parts: object) -> str:
    return f"/admin/desk/{blog.slug}/" + "".join(f"{p}/" for p in parts)


def save(client: Client, blog, **data: object):
    data.setdefault("action", "draft")
    return client.post(desk_url(blog, "compose", "save"), data)


# --- The door -----------------------------------------------------------------------------


def test_the_desk_is_for_signed_in_staff_only(client, blog, reporter):
    answer = client.get(desk_url(blog))
    assert answer.status_code == 302
    assert answer["Location"].startswith("/admin/login/")
    outsider = factories.UserFactory(username="reader", is_staff=False)
    client.force_login(outsider)
    assert client.get(desk_url(blog)).status_code == 302
    staff_without_posts = factories.UserFactory(username="intern")  # staff, no permissions
    client.force_login(staff_without_posts)
    assert client.get(desk_url(blog)).status_code == 403
    client.force_login(reporter)
    assert client.get(desk_url(blog)).status_code == 200
    assert client.get(desk_url(blog) + "?post=not-a-number").status_code == 200
    index = client.get("/admin/desk/")
    assert index.status_code == 200
    assert f'href="{desk_url(blog)}"' in index.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_staff_channel_refuses_anyone_but_staff(blog):
    async def status(user=None) -> int:
        client = AsyncClient()
        if user is not None:
            await sync_to_async(client.force_login)(user)
        response = await client.get(desk_url(blog, "stream"))
        return response.status_code

    assert asyncio.run(status()) == 403
    outsider = factories.UserFactory(username="reader2", is_staff=False)
    assert asyncio.run(status(outsider)) == 403


def test_admin_index_and_blog_list_link_to_the_desks(editor_client, blog):
    index = editor_client.get("/admin/").content.decode()
    assert "Live desks" in index
    assert f'href="{desk_url(blog)}"' in index
    listing = editor_client.get("/admin/liveblog/liveblog/").content.decode()
    assert f'href="{desk_url(blog)}"' in listing


def test_buttons_are_those_of_the_role(client, blog, reporter, editor, published):
    client.force_login(reporter)
    page = client.get(desk_url(blog)).content.decode()
    assert 'value="submit"' in page
    assert 'value="draft"' in page
    for forbidden in ['value="publish"', 'value="schedule"', ">Pin<", ">Retract…<",
                      'id="id_key_event"', "Edit key points"]:  # fmt: skip
        assert forbidden not in page, forbidden
    client.force_login(editor)
    page = client.get(desk_url(blog)).content.decode()
    for offered in ['value="publish"', 'value="schedule"', ">Pin<", ">Retract…<",
                    'id="id_key_event"', "Edit key points", "Ctrl/⌘ + Enter"]:  # fmt: skip
        assert offered in page, offered


def test_the_change_list_offers_each_role_only_its_actions(client, reporter, editor, draft):
    client.force_login(reporter)
    page = client.get("/admin/liveblog/post/").content.decode()
    assert 'value="action_submit"' in page
    for name in ["publish", "schedule", "pin", "unpin", "retract", "mark_key_event"]:
        assert f'value="action_{name}"' not in page, name
    client.force_login(editor)
    page = client.get("/admin/liveblog/post/").content.decode()
    for name in ["publish", "schedule", "pin", "retract", "mark_key_event"]:
        assert f'value="action_{name}"' in page, name


# --- Filing from the compose box ------------------------------------------------------


def photo(jpeg, name: str = "scoop.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg(), content_type="image/jpeg")


def test_a_reporter_files_a_photo_post_for_approval_in_one_request(
    reporter_client, blog, reporter, jpeg
):
    answer = reporter_client.post(desk_url(blog, "compose", "save"), {
        "action": "submit", "title": "Queues in Atlanta", "body": "<p>Long lines.</p>",
        "byline-reporter": [reporter.reporter.pk], "byline-line": ["Reporting from Atlanta"],
        "new-photo": ["new-0"], "new-0-file": photo(jpeg), "new-0-alt": "Voters queue",
        "new-0-caption": "The queue", "new-0-credit": "Getty Images",
    })  # fmt: skip
    result = answer.json()
    assert answer.status_code == 200, result
    assert result["ok"]
    assert result["done"] == "Submitted for approval"
    post = Post.objects.get(pk=result["post"])
    assert post.status == Post.Status.SUBMITTED
    assert post.author == reporter
    image = post.images.get()
    assert (image.alt_text, image.caption, image.credit) == ("Voters queue", "The queue",
                                                             "Getty Images")  # fmt: skip
    assert result["stored"] == {"new-0": image.pk}
    assert [(c.reporter_id, c.byline) for c in post.contributors.all()] == [
        (reporter.reporter.pk, "Reporting from Atlanta")
    ]


def test_the_answer_carries_the_last_version_so_the_next_save_is_accepted(
    reporter_client, blog, reporter, jpeg
):
    first = reporter_client.post(desk_url(blog, "compose", "save"), {
        "action": "draft", "title": "Photo draft", "video_url": "https://youtu.be/dQw4w9WgXcQ",
        "video_caption": "The rally", "new-0-file": photo(jpeg), "new-0-alt": "A rally",
    }).json()  # fmt: skip
    post = Post.objects.get(pk=first["post"])
    assert first["version"] == post.version > 1  # photo and video made versions too
    again = save(
        reporter_client,
        blog,
        title="Photo draft, retitled",
        post=post.pk,
        version=first["version"],
        **{f"photo-{post.images.get().pk}-alt": "A rally"},
    )
    assert again.status_code == 200, again.json()


def test_a_refused_photo_is_named_and_everything_else_is_kept(reporter_client, blog, jpeg):
    answer = reporter_client.post(desk_url(blog, "compose", "save"), {
        "action": "submit", "title": "Two photos", "body": "<p>Words survive.</p>",
        "new-0-file": photo(jpeg), "new-0-alt": "A good photo",
        "new-1-file": SimpleUploadedFile("evil.jpg", b"<script>alert(1)</script>",
                                         content_type="image/jpeg"),
        "new-1-alt": "Not a photo",
        "new-2-file": photo(jpeg, "third.jpg"), "new-2-alt": "",
    })  # fmt: skip
    result = answer.json()
    assert answer.status_code == 400
    assert set(result["photos"]) == {"new-1", "new-2"}
    assert result["photos"]["new-2"] == "Describe the picture for readers who cannot see it."
    post = Post.objects.get(pk=result["post"])
    assert post.status == Post.Status.DRAFT, "a refused part must stop the submission"
    assert "Words survive." in post.body
    assert [i.alt_text for i in post.images.all()] == ["A good photo"]
    assert list(result["stored"]) == ["new-0"]


def test_a_photo_too_large_is_413_with_its_message_and_the_words_are_kept(
    reporter_client, blog, jpeg, settings
):
    settings.NEWSROOM_IMAGE_MAX_BYTES = 100
    answer = reporter_client.post(desk_url(blog, "compose", "save"), {
        "action": "draft", "title": "A big photo", "body": "<p>Words survive.</p>",
        "new-0-file": photo(jpeg), "new-0-alt": "Too big",
    })  # fmt: skip

    assert answer.status_code == 413
    assert "the limit is 100 bytes" in answer.json()["photos"]["new-0"]
    assert "Words survive." in Post.objects.get(pk=answer.json()["post"]).body


def test_a_hostile_body_is_sanitised_and_an_empty_title_is_refused(reporter_client, blog):
    answer = save(reporter_client, blog, title="Hostile",
                  body='<p onclick="x()">Hi<script>alert(1)</script></p>')  # fmt: skip
    post = Post.objects.get(pk=answer.json()["post"])
    assert "script" not in post.body
    assert "onclick" not in post.body
    refused = save(reporter_client, blog, title="  ", action="submit")
    assert refused.status_code == 400
    assert refused.json()["errors"]["title"] == ["A post needs a title."]


def test_autosave_keeps_a_draft_and_never_touches_a_public_post(
    client, blog, reporter, editor, published
):
    client.force_login(reporter)
    first = save(client, blog, title="Typing…", action="autosave").json()
    assert first["ok"]
    assert first["done"] == "Draft saved"
    second = save(client, blog, title="Typing more", action="autosave", post=first["post"],
                  version=first["version"]).json()  # fmt: skip
    assert Post.objects.get(pk=first["post"]).title == "Typing more"
    assert second["version"] == first["version"] + 1
    # No title yet: nothing to keep on the server (the browser holds it).
    assert save(client, blog, title="", action="autosave").json()["post"] is None

    client.force_login(editor)
    before = published.version
    save(client, blog, title="Half-typed corr", action="autosave", post=published.pk,
         version=before)  # fmt: skip
    published.refresh_from_db()
    assert (published.title, published.version) == ("Trump wins", before)


def test_a_stale_save_writes_nothing_and_shows_both_versions(editor_client, blog, published,
                                                             editor):  # fmt: skip
    opened = published.version
    services.post_update(post=published, by=editor, expected_version=opened,
                         data={"title": "Theirs"})  # fmt: skip
    answer = save(editor_client, blog, title="Mine", action="save", post=published.pk,
                  version=opened)  # fmt: skip
    assert answer.status_code == 409
    stale = answer.json()["stale"]
    assert (stale["yours"], stale["theirs"]) == (opened, opened + 1)
    theirs = stale["fields"]  # field by field, as the compose box holds them
    assert theirs["title"] == "Theirs"
    assert theirs["body"] == published.body
    assert (theirs["label"], theirs["key_event"]) == (published.label_id, published.key_event)
    assert theirs["byline"] == [
        {"reporter": c.reporter_id, "line": c.byline} for c in published.contributors.all()
    ]
    published.refresh_from_db()
    assert published.title == "Theirs"


def test_an_editor_publishes_and_schedules_from_the_compose_box(editor_client, blog):
    now = save(editor_client, blog, title="Breaking", action="publish").json()
    assert Post.objects.get(pk=now["post"]).is_public
    at = timezone.localtime() + timedelta(minutes=10)
    later = save(editor_client, blog, title="Later", action="schedule",
                 publish_at=at.strftime("%Y-%m-%dT%H:%M:%S")).json()  # fmt: skip
    post = Post.objects.get(pk=later["post"])
    assert post.status == Post.Status.SCHEDULED
    assert not post.is_public
    assert abs((post.published_at - at).total_seconds()) < 1
    past = save(editor_client, blog, title="Past", action="schedule",
                publish_at="2020-01-01T10:00:00")  # fmt: skip
    assert past.status_code == 400
    assert "publish_at" in past.json()["errors"]


def test_preview_is_the_readers_card_and_saves_nothing(editor_client, blog):
    answer = editor_client.post(desk_url(blog, "compose", "preview"), {
        "title": "Preview me", "body": "<p>Hello<script>x</script></p>",
        "new-photo": ["new-0"], "new-0-alt": "Picked photo", "new-0-credit": "AP",
    })  # fmt: skip
    html = answer.content.decode()
    assert 'class="post' in html
    assert "Preview me" in html
    assert "script" not in html
    assert 'alt="Picked photo"' in html
    assert "#new-0" in html
    assert not Post.objects.filter(title="Preview me").exists()


# --- Workflow buttons -------------------------------------------------------------------------


def step(client: Client, blog, post, name: str, **data: object):
    return client.post(desk_url(blog, "posts", post.pk, name), {"version": post.version, **data})


def test_forged_editor_steps_from_a_reporter_are_refused(reporter_client, blog, published,
                                                         draft):  # fmt: skip
    for name, data in [
        ("publish", {}),
        ("pin", {}),
        ("retract", {"reason": "x"}),
        ("mark_key_event", {}),
        ("schedule", {"publish_at": "2099-01-01T10:00"}),
    ]:
        assert step(reporter_client, blog, published, name, **data).status_code == 403, name
    assert step(reporter_client, blog, draft, "publish").status_code == 403
    published.refresh_from_db()
    assert not (published.pinned)
    assert not (published.key_event)
    assert published.status == Post.Status.PUBLISHED
    assert step(reporter_client, blog, published, "no-such-step").status_code == 404


def test_publish_in_one_click_then_pin_and_retract(editor_client, blog, draft, reporter):
    services.post_submit(post=draft, by=reporter)
    draft.refresh_from_db()
    answer = step(editor_client, blog, draft, "publish")
    assert answer.status_code == 200
    assert "published" in answer.content.decode()
    draft.refresh_from_db()
    assert draft.is_public
    assert step(editor_client, blog, draft, "pin").status_code == 200
    draft.refresh_from_db()
    assert draft.pinned
    assert step(editor_client, blog, draft, "retract").status_code == 400  # a reason is needed
    assert step(editor_client, blog, draft, "retract", reason="Wrong").status_code == 200
    draft.refresh_from_db()
    assert draft.status == Post.Status.RETRACTED


def test_a_stale_step_is_refused_as_the_api_refuses_it(editor_client, blog, published, editor):
    opened = Post.objects.get(pk=published.pk)
    services.post_update(post=published, by=editor, expected_version=published.version,
                         data={"title": "Moved on"})  # fmt: skip
    answer = step(editor_client, blog, opened, "pin")
    assert answer.status_code == 412  # the version guard's status, at every door
    assert "changed by someone else" in answer.content.decode()


def test_returned_with_a_note_the_reporter_sees_until_they_submit_again(
    client, blog, draft, reporter, editor
):
    services.post_submit(post=draft, by=reporter)
    draft.refresh_from_db()
    client.force_login(editor)
    form = client.get(desk_url(blog, "posts", draft.pk, "return_to_draft"))
    assert 'name="note"' in form.content.decode()
    assert step(client, blog, draft, "return_to_draft",
                note="Needs a second source.").status_code == 200  # fmt: skip
    draft.refresh_from_db()
    assert (draft.status, draft.return_note, draft.returned_by) == (
        Post.Status.DRAFT,
        "Needs a second source.",
        editor,
    )
    client.force_login(reporter)
    assert "Needs a second source." in client.get(desk_url(blog)).content.decode()
    services.post_submit(post=draft, by=reporter)
    draft.refresh_from_db()
    assert draft.return_note == ""


def test_key_points_are_edited_in_place_unless_someone_changed_them(editor_client, blog,
                                                                    editor):  # fmt: skip
    url = desk_url(blog, "summary")
    answer = editor_client.post(url, {"points": "One\nTwo", "started_from": "[]"})
    assert answer.status_code == 200
    blog.refresh_from_db()
    assert blog.summary == ["One", "Two"]
    stale = editor_client.post(url, {"points": "Mine", "started_from": "[]"})
    assert stale.status_code == 409
    assert "Mine" in stale.content.decode()  # kept in the form
    blog.refresh_from_db()
    assert blog.summary == ["One", "Two"]


def test_the_key_points_are_an_action_of_the_registry_at_every_door(reporter_client, blog,
                                                                     reporter, editor):  # fmt: skip
    assert not actions.BLOGS.may("edit_summary", reporter, blog)
    assert actions.BLOGS.may("edit_summary", editor, blog)
    as_editor = Client()
    as_editor.force_login(editor)
    assert desk_url(blog, "summary") in as_editor.get(desk_url(blog)).content.decode()
    page = reporter_client.get(desk_url(blog)).content.decode()
    assert desk_url(blog, "summary") not in page  # not offered
    forged = reporter_client.post(desk_url(blog, "summary"), {"points": "X", "started_from": "[]"})
    assert forged.status_code == 403  # the registry's status for a role that may not
    broken = reporter_client.post(desk_url(blog, "summary"), {"points": "X", "started_from": "{"})
    assert broken.status_code == 400
    blog.refresh_from_db()
    assert blog.summary == []


# --- Soft locks ----------------------------------------------------------------------------


def test_soft_locks_warn_lapse_and_yield_to_an_editor_who_takes_over(
    blog, published, editor, second_editor, reporter, draft
):
    mine = lock_open(post=published, by=editor)
    assert mine.user == editor
    theirs = lock_open(post=published, by=second_editor)
    assert theirs.user == editor, "a colleague's live lock is reported, not stolen"
    taken = lock_open(post=published, by=second_editor, take_over=True)
    assert taken.user == second_editor
    lock_release(post=published, by=editor)  # not theirs any more: nothing happens
    assert EditLock.objects.get(post=published).user == second_editor
    EditLock.objects.filter(post=published).update(expires_at=timezone.now())
    assert lock_open(post=published, by=editor).user == editor, "a lapsed lock is free"
    # A reporter cannot take over (and cannot even open someone else's post).
    lock_open(post=draft, by=reporter)
    assert lock_open(post=draft, by=editor, take_over=False).user == reporter


def test_opening_a_locked_post_shows_who_is_editing(client, blog, published, editor,
                                                    second_editor):  # fmt: skip
    client.force_login(editor)
    client.get(desk_url(blog, "compose", published.pk))
    client.force_login(second_editor)
    page = client.get(desk_url(blog, "compose", published.pk)).content.decode()
    name = editor.reporter.display_name
    assert f"{name} is editing this post" in page
    assert "Take over editing" in page
    answer = client.post(desk_url(blog, "posts", published.pk, "lock"), {"take_over": "1"})
    assert answer.json()["mine"] is True


# --- What stays on the desk -------------------------------------------------------------------


def test_drafts_submissions_and_notes_never_reach_readers_or_partners(
    client, blog, reporter, editor, published
):
    client.force_login(reporter)
    secret = save(client, blog, title="SECRET DRAFT", body="<p>SECRET BODY</p>").json()
    submitted = save(client, blog, title="SECRET SUBMISSION", action="submit").json()
    client.force_login(editor)
    post = Post.objects.get(pk=submitted["post"])
    step(client, blog, post, "return_to_draft", note="SECRET NOTE")
    assert DeskChange.objects.filter(blog=blog, post_id=secret["post"]).exists()
    assert not Change.objects.filter(post_id__in=[secret["post"], post.pk]).exists()

    client.logout()
    _, raw = PartnerKey.objects.create_key(name="Partner", partner="Partner",
                                           scopes=[Scope.LIVEBLOG_READ])  # fmt: skip
    reads = [
        client.get(f"/live/{blog.slug}/"),
        client.get(f"/live/{blog.slug}/changes/?since=0"),
        client.get(f"/live/{blog.slug}/feed/rss/"),
        client.get(f"/live/{blog.slug}/feed/atom/"),
        client.get(f"/api/v1/blogs/{blog.slug}/posts/", HTTP_AUTHORIZATION=f"Api-Key {raw}"),
        client.get(f"/api/v1/blogs/{blog.slug}/changes/", HTTP_AUTHORIZATION=f"Api-Key {raw}"),
    ]
    stream = render_catch_up(blog.pk, 0)  # what the stream sends a reader from 0
    texts = [r.content.decode() for r in reads] + [stream.html if stream else ""]
    assert all(r.status_code == 200 for r in reads), [r.status_code for r in reads]
    assert "Trump wins" in texts[0]  # the reads do show public posts
    for text in texts:
        for word in ("SECRET DRAFT", "SECRET BODY", "SECRET SUBMISSION", "SECRET NOTE"):
            assert word not in text


@pytest.mark.django_db(transaction=True)
def test_the_public_stream_carries_nothing_of_the_desk(blog, reporter, editor, published):
    draft = services.post_create(blog=blog, by=reporter, title="SECRET DRAFT")
    services.post_submit(post=draft, by=reporter)
    services.post_return_to_draft(post=draft, by=editor, note="SECRET NOTE")
    services.post_set_pinned(post=published, by=editor, pinned=True)

    async def read() -> str:
        response = await AsyncClient().get(f"/live/{blog.slug}/stream/?after=0")
        chunks = b""
        iterator = response.streaming_content.__aiter__()
        async with asyncio.timeout(5):
            while b"id:" not in chunks or not chunks.endswith(b"\n\n"):
                chunks += await iterator.__anext__()
        await iterator.aclose()
        await sync_to_async(connections.close_all)()
        return chunks.decode()

    text = asyncio.run(read())
    assert "Trump wins" in text  # the stream does carry the public change
    assert "SECRET" not in text


# --- The staff channel ---------------------------------------------------------------------


async def read_events(response, count: int, timeout: float = 5.0) -> list[dict]:
    events: list[dict] = []
    buffer = ""
    iterator = response.streaming_content.__aiter__()
    async with asyncio.timeout(timeout):
        while len(events) < count:
            buffer += (await iterator.__anext__()).decode()
            while "\n\n" in buffer:
                block, buffer = buffer.split("\n\n", 1)
                fields = dict(line.split(": ", 1) for line in block.split("\n") if ": " in line)
                if fields.get("event") == "desk":
                    events.append({"id": int(fields["id"]), **json.loads(fields["data"])})
    await iterator.aclose()
    await sync_to_async(connections.close_all)()
    return events


@pytest.mark.django_db(transaction=True)
def test_the_staff_channel_catches_up_then_delivers_in_order_and_resumes(blog, reporter):
    first = services.post_create(blog=blog, by=reporter, title="First draft")

    async def scenario(after: int, last_event_id: str = "") -> list[dict]:
        client = AsyncClient()
        await sync_to_async(client.force_login)(reporter)
        headers = {"Last-Event-ID": last_event_id} if last_event_id else {}
        response = await client.get(desk_url(blog, "stream") + f"?after={after}", headers=headers)
        assert response["Content-Type"] == "text/event-stream"

        async def file_later() -> None:
            await asyncio.sleep(0.3)
            await sync_to_async(services.post_submit)(post=first, by=reporter)

        task = asyncio.create_task(file_later())
        events = await read_events(response, 2)
        await task
        return events

    catch_up, live = asyncio.run(scenario(0))
    assert [c["post"] for c in catch_up["changes"]] == [first.pk]
    assert catch_up["changes"][0]["kind"] == "filed"
    # Whose post it is (a reporter's desk tells them when a colleague moves it on), by id
    # only: every desk of the blog gets the staff log, so no draft's title travels in it.
    assert catch_up["changes"][0]["author"] == reporter.pk
    assert "title" not in catch_up["changes"][0]
    assert live["changes"][0]["status"] == "submitted"
    assert live["id"] > catch_up["id"]

    # Reconnecting with Last-Event-ID: only what came after it, none twice.
    async def resume() -> list[dict]:
        client = AsyncClient()
        await sync_to_async(client.force_login)(reporter)
        response = await client.get(desk_url(blog, "stream") + "?after=0",
                                    headers={"Last-Event-ID": str(catch_up["id"])})  # fmt: skip
        return await read_events(response, 1)

    [again] = asyncio.run(resume())
    assert again["id"] == live["id"]
    assert [c["seq"] for c in again["changes"]] == [c["seq"] for c in live["changes"]]


def staff_change_elsewhere(blog) -> int:
    """A staff-log entry committed by another process: this one is not told (no signal)."""
    seq = LiveBlog.objects.get(pk=blog.pk).desk_seq + 1
    DeskChange.objects.create(blog=blog, seq=seq, kind=DeskChange.Kind.FILED, post_id=None)
    LiveBlog.objects.filter(pk=blog.pk).update(desk_seq=seq)
    return seq


async def open_desk(blog, user):
    client = AsyncClient()
    await sync_to_async(client.force_login)(user)
    response = await client.get(desk_url(blog, "stream") + "?after=0")
    assert response["Content-Type"] == "text/event-stream"
    return response


@pytest.mark.django_db(transaction=True)
def test_another_process_s_staff_change_wakes_open_desks_through_the_hub_not_the_poll(
    blog, reporter, settings
):
    """The hub's one subscription carries the desks' channel: with the desks' safety poll
    a minute away, a staff change committed elsewhere reaches an open desk at once."""
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL: the processes tell each other through Redis")
    settings.NEWSROOM_DESK_POLL_SECONDS = 60

    async def scenario() -> list[dict]:
        response = await open_desk(blog, reporter)
        stream = response.streaming_content.__aiter__()
        async with asyncio.timeout(5):
            # Joined (the hub started), caught up (nothing yet) and told who is on the desk.
            while b"event: presence" not in await stream.__anext__():
                pass
            while not hub.redis_ok:  # subscribed to the live and the desk channels
                await asyncio.sleep(0.02)
        seq = await sync_to_async(staff_change_elsewhere)(blog)
        redis = live_redis.client()
        assert redis is not None
        redis.publish(live_redis.key("desk"), f"{blog.pk}:{seq}")
        return await read_events(response, 1, timeout=3)

    [event] = asyncio.run(scenario())
    assert [c["kind"] for c in event["changes"]] == ["filed"]


@pytest.mark.django_db(transaction=True)
def test_a_staff_change_committed_here_wakes_this_process_s_desks_through_the_transport(
    blog, reporter, settings
):
    settings.NEWSROOM_DESK_POLL_SECONDS = 60  # the safety poll is not what delivers it

    async def scenario() -> list[dict]:
        response = await open_desk(blog, reporter)

        async def file_soon() -> None:
            await asyncio.sleep(0.2)
            await sync_to_async(services.post_create)(blog=blog, by=reporter, title="Draft")

        task = asyncio.create_task(file_soon())
        events = await read_events(response, 1, timeout=3)
        await task
        return events

    [event] = asyncio.run(scenario())
    assert [c["kind"] for c in event["changes"]] == ["filed"]


def test_the_hub_hands_a_desk_channel_message_to_the_desks_only():
    woken: list[tuple[int, int]] = []
    kicked: list[int] = []
    original = (hub.listeners.get("desk"), hub._kick)
    hub.listeners["desk"] = lambda blog_id, seq: woken.append((blog_id, seq))
    hub._kick = kicked.append  # type: ignore[method-assign]
    try:
        hub._on_message(b"7:42", "desk")
        hub._on_message(b"x:42", "desk")  # not a blog: dropped
        hub._on_message(b"8:3", "live")
    finally:
        hub.listeners["desk"], hub._kick = original  # type: ignore[assignment, method-assign]
    assert woken == [(7, 42)]
    assert kicked == [8]


# --- Cost ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["", "regions/", "compose/", "timeline/"])
def test_desk_page_and_fragments_cost_the_same_queries_at_20_and_2000_posts(
    editor_client, blog, reporter, path
):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert editor_client.get(desk_url(blog) + path).status_code == 200
        return len(queries)

    make_posts(blog, 20)
    for n in range(3):
        services.post_submit(post=services.post_create(blog=blog, by=reporter,
                                                       title=f"Sub {n}"), by=reporter)  # fmt: skip
    count()  # warm the caches (content types, permissions)
    few = count()
    make_posts(blog, 1980)
    for n in range(20):
        services.post_submit(post=services.post_create(blog=blog, by=reporter,
                                                       title=f"More {n}"), by=reporter)  # fmt: skip
    assert count() == few


@pytest.mark.parametrize("raw", ["abc", "²", "9" * 40, "-1"])
def test_a_forged_byline_is_refused_clearly_and_the_words_are_kept(reporter_client, blog, raw):
    answer = save(
        reporter_client, blog, title="Kept words", **{"byline-reporter": raw, "byline-line": "x"}
    )
    assert answer.status_code == 400
    assert answer.json()["errors"]["byline"] == ["Choose people for the byline from the list."]
    assert Post.objects.get(title="Kept words").status == Post.Status.DRAFT


@pytest.mark.parametrize(("readers", "words"), [(0, "0</strong> <span data-presence-readers-word>"
                                                    "readers</span>"),
                                                (1, "1</strong> <span data-presence-readers-word>"
                                                    "reader</span>")])  # fmt: skip
def test_the_reader_count_is_said_in_good_english(readers, words):
    from django.template.loader import render_to_string

    assert words in render_to_string("desk/_presence.html", {"staff": [], "readers": readers})


def test_key_points_started_from_a_forged_giant_are_refused_and_nothing_changes(
    editor_client, blog
):
    answer = editor_client.post(
        desk_url(blog, "summary"), {"points": "One", "started_from": "[" + '"x",' * 10_000 + "]"}
    )
    assert answer.status_code == 400
    blog.refresh_from_db()
    assert blog.summary == []
