"""One gesture, one change: a save that touches several parts of a post is one unit of
work at every door (one version step, one change in the log, so one live event and one
webhook per subscriber, one staff-log entry)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from benchmarks.synthetic import presidential_document
from liveblog import services
from liveblog.models import Change, DeskChange, Post
from liveblog.signals import send_change_committed
from partners.models import PartnerKey, Scope
from results.ingest import import_document
from results.models import Race, ResultSnapshot
from tests import factories
from tests.api.conftest import client_for

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
    for prefix in ("contributors", "images", "videos", "embeds"):
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


def test_a_desk_publish_costs_the_same_queries_whatever_the_byline_and_moves_each_sequence_once(
    editor_client, blog
):
    """Publish of a new post (the issue measured 48 queries, 4 transactions, 5 staff-log
    rows and 6 sequence steps): one gesture, one staff-log row, each of the blog's two
    sequences moved once, and bylines written together (one reporter or four, the same
    queries)."""

    def publish(reporters: int) -> int:
        people = [factories.ReporterFactory() for _ in range(reporters)]
        before = type(blog).objects.values_list("last_seq", "desk_seq").get(pk=blog.pk)
        byline = {"byline-reporter": [p.pk for p in people], "byline-line": ["GA"] * reporters}
        with CaptureQueriesContext(connection) as queries:
            answer = desk_save(editor_client, blog, action="publish", title="Polls close",
                               body="<p>Now.</p>", **byline)  # fmt: skip
        assert answer.status_code == 200, answer.json()
        after = type(blog).objects.values_list("last_seq", "desk_seq").get(pk=blog.pk)
        assert (after[0] - before[0], after[1] - before[1]) == (1, 1)
        assert DeskChange.objects.filter(post_id=answer.json()["post"]).count() == 1
        return len(queries)

    one, four = publish(1), publish(4)
    assert one == four
    assert one <= 45  # 43 on 2026-12-07: a budget, so that a new query per part shows


def test_an_api_edit_of_words_and_label_is_one_change(
    blog, editor, public_post, django_capture_on_commit_callbacks
):
    _, secret = PartnerKey.objects.create_key(
        scopes=[Scope.LIVEBLOG_READ, Scope.LIVEBLOG_WRITE], user=editor, name="t", partner="Us"
    )
    label = factories.LabelFactory(slug="analysis")
    before = Change.objects.count()
    with django_capture_on_commit_callbacks() as callbacks:
        answer = client_for(secret).patch(
            f"/api/v1/blogs/{blog.slug}/posts/{public_post.pk}/",
            {"title": "Polls close late", "body": "<p>At 8.</p>", "label": "analysis",
             "correction_note": "Time corrected."},
            format="json", HTTP_IF_MATCH=f'"v{public_post.version}"',
        )  # fmt: skip

    assert answer.status_code == 200, answer.json()
    post = Post.objects.get(pk=public_post.pk)
    assert (post.title, post.label) == ("Polls close late", label)
    assert list(Change.objects.values_list("kind", flat=True)[before:]) == ["edited"]
    assert len(announced(callbacks)) == 1
    assert post.version == public_post.version + 1


def test_a_call_confirmed_in_the_results_admin_is_one_change_per_race_it_moved(
    blog, second_editor, django_capture_on_commit_callbacks
):
    """One gesture on the results side: the state's call and the national count it moves,
    one change each on a blog showing both, the national race added up once."""
    doc = presidential_document(["PA", "GA"], at=datetime(2024, 11, 6, 3, tzinfo=UTC),
                                reporting=0.95, counties=2, calls={"PA": 1})  # fmt: skip
    assert import_document(json.dumps(doc).encode()).ok
    national, pa = Race.objects.get(level="national"), Race.objects.get(state_postal="PA")
    blog.races.add(national, pa)
    call = pa.calls.get(withdrawn_at=None)
    changes, snapshots = Change.objects.count(), ResultSnapshot.objects.filter(race=national)
    national_before = snapshots.count()
    browser = Client()
    browser.force_login(second_editor)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        browser.post("/admin/results/winnercall/",
                     {"action": "confirm", "_selected_action": [call.pk]})  # fmt: skip

    call.refresh_from_db()
    assert call.confirmed_at is not None
    new = list(Change.objects.order_by("seq")[changes:].values_list("kind", "payload"))
    assert sorted(payload["race"] for _, payload in new) == sorted([pa.pk, national.pk])
    assert [kind for kind, _ in new] == ["results", "results"]
    assert len(announced(callbacks)) == 2
    assert snapshots.count() == national_before + 1  # added up once
