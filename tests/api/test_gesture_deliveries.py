"""One gesture, end to end: at every door (the desk, the admin, the partner API, the
results admin) one editor's gesture reaches each webhook subscriber once per change it
made and the push transport once per change, after commit. (``test_gestures.py`` counts
the changes themselves; here the deliveries and the announcements are counted where they
arrive: at the partners' endpoints and at the configured transport.)"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.test import Client

from benchmarks.synthetic import presidential_document
from liveblog import services
from liveblog.models import Post
from partners.models import PartnerKey, Scope
from partners.webhooks.services import webhook_create
from results.ingest import import_document
from results.models import Race
from tests import factories
from tests.api.conftest import client_for
from tests.liveblog.test_transports import BACKEND, EdgeStandIn

pytestmark = pytest.mark.django_db
VIDEO = "https://youtu.be/dQw4w9WgXcQ"


@pytest.fixture
def public_post(blog, reporter, editor):
    post = factories.PostFactory(blog=blog, author=reporter, title="Polls close")
    return services.post_publish(post=post, by=editor)


@pytest.fixture
def subscribers(receiver, key, blog, settings):
    """Two partners' webhooks on the blog, and a transport that counts what it announces."""
    second, _ = PartnerKey.objects.create_key(name="other", partner="Other", scopes=key.scopes)
    for owner in (key, second):
        webhook_create(key=owner, url=receiver.url, events=["published", "edited", "results"],
                       blog=blog)  # fmt: skip
    settings.NEWSROOM_PUSH_BACKEND = BACKEND
    EdgeStandIn.announced.clear()
    EdgeStandIn.desk_announced.clear()
    return receiver


def desk_save(editor, blog, post):
    browser = Client()
    browser.force_login(editor)
    return browser.post(f"/admin/desk/{blog.slug}/compose/save/", {
        "action": "save", "post": post.pk, "version": post.version,
        "title": "Polls close in Georgia", "body": "<p>Queues at 7 p.m.</p>",
        "correction_note": "Time corrected.", "video_url": VIDEO, "video_caption": "The queue",
        "byline-reporter": [editor.reporter.pk], "byline-line": ["In Atlanta"],
    })  # fmt: skip


def admin_save(editor, blog, post):
    browser = Client()
    browser.force_login(editor)
    url = f"/admin/liveblog/post/{post.pk}/change/"
    form = browser.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data |= {
        "title": "Polls close late",
        "body": "<p>Edited in the admin.</p>",
        "correction_note": "Later than first said.",
        "label": "",
        "version": post.version,
    }
    for prefix in ("contributors", "images", "embeds"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    data |= {
        "videos-TOTAL_FORMS": "1",
        "videos-INITIAL_FORMS": "0",
        "videos-0-url": VIDEO,
        "videos-0-caption": "Queue",
        "videos-0-placement": "lead",
        "videos-0-order": "0",
    }
    return browser.post(url, data)  # fmt: skip


def api_patch(editor, blog, post):
    _, secret = PartnerKey.objects.create_key(
        scopes=[Scope.LIVEBLOG_READ, Scope.LIVEBLOG_WRITE], user=editor, name="t", partner="Us"
    )
    factories.LabelFactory(slug="analysis")
    return client_for(secret).patch(
        f"/api/v1/blogs/{blog.slug}/posts/{post.pk}/",
        {"title": "Polls close late", "body": "<p>At 8.</p>", "label": "analysis",
         "correction_note": "Time corrected."},
        format="json", HTTP_IF_MATCH=f'"v{post.version}"',
    )  # fmt: skip


@pytest.mark.parametrize("door", [desk_save, admin_save, api_patch])
def test_one_save_at_any_door_is_one_delivery_per_subscriber_and_one_announcement(
    door, subscribers, blog, editor, public_post, django_capture_on_commit_callbacks
):
    before = Post.objects.get(pk=public_post.pk).version
    with django_capture_on_commit_callbacks(execute=True):
        answer = door(editor, blog, public_post)
    assert answer.status_code in (200, 302)
    blog.refresh_from_db()
    assert Post.objects.get(pk=public_post.pk).version == before + 1
    assert EdgeStandIn.announced == [(blog.pk, blog.last_seq)]  # one live event
    events = [json.loads(body) for _, body in subscribers.requests]
    assert [(e["event"], e["seq"]) for e in events] == [("edited", blog.last_seq)] * 2


def test_one_confirmation_in_the_results_admin_is_one_delivery_per_race_it_moved(
    subscribers, blog, second_editor, django_capture_on_commit_callbacks
):
    doc = presidential_document(["PA", "GA"], at=datetime(2024, 11, 6, 3, tzinfo=UTC),
                                reporting=0.95, counties=2, calls={"PA": 1})  # fmt: skip
    assert import_document(json.dumps(doc).encode()).ok
    national, pa = Race.objects.get(level="national"), Race.objects.get(state_postal="PA")
    blog.races.add(national, pa)
    call = pa.calls.get(withdrawn_at=None)
    browser = Client()
    browser.force_login(second_editor)

    with django_capture_on_commit_callbacks(execute=True):
        browser.post(f"/admin/results/winnercall/{call.pk}/confirm/")

    blog.refresh_from_db()
    moved = [blog.last_seq - 1, blog.last_seq]  # the state's call, then the national count
    assert [seq for _, seq in EdgeStandIn.announced] == moved
    events = sorted((e["seq"], e["event"]) for e in
                    (json.loads(body) for _, body in subscribers.requests))  # fmt: skip
    assert events == sorted([(seq, "results") for seq in moved] * 2)
