"""The newsroom admin, driven like a browser: filing, the workflow steps, the approval queue.

Every test checks what ended up in the database (and on disk), not only the response.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from liveblog import services
from liveblog.models import Change, LiveBlog, Post, PostContributor, PostImage
from tests import factories

Status = Post.Status
LONDON = ZoneInfo("Europe/London")
INLINE_PREFIXES = ("contributors", "images", "videos", "embeds")


# --- Helpers ------------------------------------------------------------------------------
def add_url() -> str:
    return reverse("admin:liveblog_post_add")


def change_url(post: Post) -> str:
    return reverse("admin:liveblog_post_change", args=[post.pk])


def step_url(post: Post, step: str) -> str:
    return reverse("admin:liveblog_post_workflow", args=[post.pk, step])


def changelist_url() -> str:
    return reverse("admin:liveblog_post_changelist")


def messages_of(response: Any) -> list[tuple[str, str]]:
    """(level, text) of every message queued for the user by this request."""
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def inline_management(**initial_counts: int) -> dict[str, str]:
    """Management-form data for the three inlines, with no extra forms."""
    data = {}
    for prefix in INLINE_PREFIXES:
        count = str(initial_counts.get(prefix, 0))
        data |= {
            f"{prefix}-TOTAL_FORMS": count,
            f"{prefix}-INITIAL_FORMS": count,
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    return data


def add_form_data(blog: LiveBlog, **fields: Any) -> dict[str, Any]:
    base = {"blog": blog.pk, "title": "Polls close", "label": "", "body": ""}
    return base | inline_management() | fields


def with_image(data: dict[str, Any], upload: SimpleUploadedFile, **fields: str) -> dict[str, Any]:
    """Add one new image form to add-page data."""
    return data | {
        "images-TOTAL_FORMS": "1",
        "images-0-image": upload,
        "images-0-alt_text": fields.get("alt_text", "Voters queue outside a school"),
        "images-0-caption": fields.get("caption", "Queues in Atlanta"),
        "images-0-credit": fields.get("credit", "Getty Images"),
        "images-0-placement": fields.get("placement", "lead"),
        "images-0-order": "0",
    }


def change_form_data(post: Post, version: int | None = None, **fields: Any) -> dict[str, Any]:
    """The change form as a browser would post it (the posts here have no inline rows)."""
    return {
        "blog": post.blog_id,
        "title": post.title,
        "label": post.label_id or "",
        "body": post.body,
        "version": post.version if version is None else version,
        "correction_note": "",
        **inline_management(),
        **fields,
    }


class _FormReader(HTMLParser):
    """Collects what a browser would submit from one ``<form id=...>`` of a page."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside = form_id, False
        self.data: dict[str, list[str]] = {}
        self.textarea: str | None = None
        self.select: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside or "name" not in a:
            if self.inside and tag == "option" and self.select is not None:
                self._option(a)
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            checkable = kind in ("checkbox", "radio")
            if checkable and "checked" not in a:
                return
            self.data.setdefault(a["name"], []).append(a.get("value", "on" if checkable else ""))
        elif tag == "textarea":
            self.textarea = a["name"]
            self.data.setdefault(a["name"], []).append("")
        elif tag == "select":
            self.select = {"name": a["name"], "multiple": "multiple" in a, "chosen": []}
            self.select["first"] = None

    def _option(self, a: dict[str, str]) -> None:
        assert self.select is not None
        if self.select["first"] is None:
            self.select["first"] = a.get("value", "")
        if "selected" in a:
            self.select["chosen"].append(a.get("value", ""))

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.data[self.textarea][-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea is not None:
            value = self.data[self.textarea][-1]  # browsers drop one newline after <textarea>
            self.data[self.textarea][-1] = value[1:] if value.startswith("\n") else value
            self.textarea = None
        elif tag == "select" and self.select is not None:
            chosen = self.select["chosen"]
            if not chosen and not self.select["multiple"] and self.select["first"] is not None:
                chosen = [self.select["first"]]
            if chosen:
                self.data.setdefault(self.select["name"], []).extend(chosen)
            self.select = None


def browser_form_data(page: Any, form_id: str) -> dict[str, Any]:
    """The form's fields as the page rendered them: what "Save" would send unchanged."""
    reader = _FormReader(form_id)
    reader.feed(page.content.decode())
    assert reader.data, f"no form #{form_id} on the page"
    return {name: values[0] if len(values) == 1 else values for name, values in reader.data.items()}


def file_post(client: Any, blog: LiveBlog, **fields: Any) -> Any:
    return client.post(add_url(), add_form_data(blog) | fields)


def with_comment(jpeg_data: bytes, comment: bytes) -> bytes:
    """Insert a JPEG COM segment (metadata a re-encoding must drop) after the SOI marker."""
    segment = b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment
    return jpeg_data[:2] + segment + jpeg_data[2:]


def gif_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, "GIF")
    return buffer.getvalue()


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def snapshot(post: Post) -> dict[str, Any]:
    """The fields a refused request must leave alone."""
    post.refresh_from_db()
    return {
        name: getattr(post, name)
        for name in (
            "title", "body", "status", "published_at", "publish_at", "pinned", "key_event",
            "retracted_at", "retraction_reason", "corrected_at", "version",
        )
    }  # fmt: skip


def assert_refused(response: Any) -> None:
    """Django's 403, or the app's redirect back to the page with an error saying why."""
    if response.status_code == 403:
        return
    assert response.status_code == 302
    errors = [text for level, text in messages_of(response) if level == "error"]
    assert errors, "refused silently: no error message for the user"
    assert all(text.strip() for text in errors)


def publish(post: Post, by: Any) -> Post:
    return services.post_publish(post=post, by=by)


@pytest.fixture
def submitted(draft, reporter):
    return services.post_submit(post=draft, by=reporter)


# --- 1. Filing with a photo, then submitting ----------------------------------------------
def test_reporter_files_draft_with_photo_from_add_page(reporter_client, reporter, blog, jpeg):
    original = with_comment(jpeg((64, 48)), b"GPS: the source's kitchen")
    upload = SimpleUploadedFile("../../Polling Station.JPG", original, "image/jpeg")

    response = reporter_client.post(add_url(), with_image(add_form_data(blog), upload))

    assert response.status_code == 302, response.context and response.context["errors"]
    post = Post.objects.get()
    assert (post.title, post.status, post.author) == ("Polls close", Status.DRAFT, reporter)
    contributor = PostContributor.objects.get(post=post)
    assert contributor.reporter == reporter.reporter
    assert contributor.byline == "Reporting from Washington DC"
    image = PostImage.objects.get(post=post)
    assert (image.alt_text, image.caption, image.credit) == (
        "Voters queue outside a school",
        "Queues in Atlanta",
        "Getty Images",
    )
    assert (image.width, image.height, image.placement) == (64, 48, "lead")
    path = Path(image.image.path)
    assert path.is_file()
    assert path.is_relative_to(Path(settings.MEDIA_ROOT))
    assert re.fullmatch(r"[0-9a-f]{32}\.jpg", path.name)  # the server's name, not theirs
    assert image.original_name == "Polling Station.JPG"
    stored = path.read_bytes()
    assert stored != original
    assert b"source's kitchen" not in stored  # re-encoded: the comment is gone
    with Image.open(path) as img:
        assert (img.format, img.size) == ("JPEG", (64, 48))


def test_reporter_submits_filed_draft_from_workflow_step(reporter_client, blog):
    file_post(reporter_client, blog, title="Turnout is high")
    post = Post.objects.get(title="Turnout is high")

    response = reporter_client.post(step_url(post, "submit"))

    assert response.status_code == 302
    assert response.url == change_url(post)
    post.refresh_from_db()
    assert post.status == Status.SUBMITTED
    assert post.submitted_at is not None
    assert ("success", "“Turnout is high” submitted for approval.") in messages_of(response)


# --- 2. Bad images are refused before anything is stored ------------------------------------
@pytest.mark.parametrize(
    ("name", "make_bytes", "expected_error"),
    [
        pytest.param(
            "chart.svg",
            lambda jpeg: b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "Upload a valid image",
            id="svg",
        ),
        pytest.param(
            "cut.jpg",
            lambda jpeg: jpeg((200, 150))[:-300],
            "The image file is damaged or incomplete.",
            id="truncated-jpeg",
        ),
        pytest.param(
            "anim.gif",
            lambda jpeg: gif_bytes(),
            "Unsupported image type: upload a JPEG, PNG or WebP photo.",
            id="gif",
        ),
    ],
)
def test_bad_image_re_renders_add_page_and_stores_nothing(
    reporter_client, blog, jpeg, name, make_bytes, expected_error
):
    upload = SimpleUploadedFile(name, make_bytes(jpeg), "image/jpeg")

    response = reporter_client.post(add_url(), with_image(add_form_data(blog), upload))

    assert response.status_code == 200
    image_form = response.context["inline_admin_formsets"][1].formset.forms[0]
    assert any(expected_error in error for error in image_form.errors["image"])
    assert expected_error in response.content.decode()
    assert not Post.objects.exists()
    assert not PostImage.objects.exists()
    assert stored_files() == []


# --- 3. What reporters may not do ----------------------------------------------------------
EDITOR_STEPS = [
    # (step, post fixture, form data a browser would send)
    ("publish", "draft", {}),
    ("schedule", "draft", {"publish_at": "2099-07-01T12:00:00"}),
    ("pin", "published", {}),
    ("retract", "published", {"reason": "Wrong result"}),
]


@pytest.mark.parametrize(("step", "fixture", "data"), EDITOR_STEPS)
def test_reporter_is_turned_away_from_editor_step_page(
    request, reporter_client, step, fixture, data
):
    post = request.getfixturevalue(fixture)

    response = reporter_client.get(step_url(post, step))

    assert response.status_code == 403  # the action registry's answer, at every door
    assert "Your role does not allow" in response.context["refusal"]
    assert change_url(post) in response.content.decode()  # the way back to the post


@pytest.mark.parametrize(("step", "fixture", "data"), EDITOR_STEPS)
def test_reporter_posting_editor_step_changes_nothing(
    request, reporter_client, step, fixture, data
):
    post = request.getfixturevalue(fixture)
    before = snapshot(post)

    response = reporter_client.post(step_url(post, step), data)

    assert response.status_code == 403
    assert "Your role does not allow" in response.context["refusal"]
    assert snapshot(post) == before
    assert not Change.objects.filter(post=post).exists()


def test_reporter_sees_other_reporters_draft_read_only(client, other_reporter, draft):
    client.force_login(other_reporter)

    response = client.get(change_url(draft))

    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    readonly = set(response.context["adminform"].readonly_fields)
    assert "title" in readonly
    assert "body_as_readers_see_it" in readonly  # the body, shown as readers see it


def test_reporter_cannot_save_other_reporters_draft(client, other_reporter, draft):
    client.force_login(other_reporter)
    before = snapshot(draft)

    response = client.post(change_url(draft), change_form_data(draft, title="Hijacked"))

    assert snapshot(draft) == before
    assert_refused(response)


def test_reporter_cannot_change_published_post(reporter_client, published):
    before = snapshot(published)

    response = reporter_client.post(
        change_url(published), change_form_data(published, title="Trump loses")
    )

    assert snapshot(published) == before
    assert not Change.objects.filter(post=published).exists()
    assert_refused(response)


def test_staff_without_role_gets_403_on_change_page_not_a_redirect_loop(client, draft):
    client.force_login(factories.UserFactory(username="no-role"))

    response = client.get(change_url(draft))

    assert response.status_code == 403


def test_reporter_bulk_publish_leaves_posts_unpublished(reporter_client, reporter, blog):
    posts = [factories.PostFactory(blog=blog, author=reporter) for _ in range(2)]

    response = reporter_client.post(
        changelist_url(),
        {"action": "action_publish", "_selected_action": [p.pk for p in posts]},
    )

    # Not offered to a reporter at all: a forged request is "no action", and changes nothing.
    assert response.status_code == 302
    assert set(Post.objects.values_list("status", flat=True)) == {Status.DRAFT}
    assert not Post.objects.published().exists()
    assert [level for level, _ in messages_of(response)] == ["warning"]


def test_editor_bulk_publish_publishes_selected_posts(editor_client, reporter, blog):
    posts = [factories.PostFactory(blog=blog, author=reporter) for _ in range(2)]

    response = editor_client.post(
        changelist_url(),
        {"action": "action_publish", "_selected_action": [p.pk for p in posts]},
    )

    assert response.status_code == 302
    assert set(Post.objects.values_list("status", flat=True)) == {Status.PUBLISHED}
    assert ("success", "2 post(s) published.") in messages_of(response)


def test_editor_bulk_schedule_asks_for_time_then_schedules(editor_client, reporter, blog):
    posts = [factories.PostFactory(blog=blog, author=reporter) for _ in range(2)]
    selection = {"action": "action_schedule", "_selected_action": [p.pk for p in posts]}
    year = timezone.now().year + 1

    confirm = editor_client.post(changelist_url(), selection)
    assert confirm.status_code == 200
    assert confirm.context["bulk"] is True
    assert set(Post.objects.values_list("status", flat=True)) == {Status.DRAFT}

    when = {"apply": "1", "publish_at": f"{year}-07-15T14:30"}
    response = editor_client.post(changelist_url(), selection | when)

    assert response.status_code == 302
    assert set(Post.objects.values_list("status", "published_at")) == {
        (Status.SCHEDULED, datetime(year, 7, 15, 13, 30, tzinfo=UTC))
    }


def test_reporter_can_open_approval_queue(reporter_client, submitted):
    response = reporter_client.get(changelist_url())

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [submitted]


# --- 4. Editors' workflow steps ------------------------------------------------------------
def test_editor_publishes_submitted_post_now(editor_client, editor, submitted):
    response = editor_client.post(step_url(submitted, "publish"))

    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.PUBLISHED
    assert submitted.published_at is not None
    assert submitted.published_at <= timezone.now()
    assert submitted.published_by == editor
    assert Post.objects.published().filter(pk=submitted.pk).exists()
    change = Change.objects.get(post=submitted)
    assert (change.kind, change.by, change.post_version) == (
        Change.Kind.PUBLISHED,
        editor,
        submitted.version,
    )
    assert ("success", f"“{submitted.title}” published.") in messages_of(response)


def test_editor_opens_schedule_page_with_form(editor_client, submitted):
    response = editor_client.get(step_url(submitted, "schedule"))

    assert response.status_code == 200
    assert set(response.context["form"].fields) == {"publish_at"}
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_editor_schedules_post_in_london_time(editor_client, editor, submitted):
    # A summer date, so London (BST, UTC+1) and UTC differ.
    year = timezone.now().year + 1
    london_time = datetime(year, 7, 15, 14, 30, tzinfo=LONDON)

    response = editor_client.post(
        step_url(submitted, "schedule"),
        {"publish_at": f"{year}-07-15T14:30"},
    )

    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.SCHEDULED
    assert submitted.published_at == london_time
    assert submitted.published_at == datetime(year, 7, 15, 13, 30, tzinfo=UTC)
    assert submitted.publish_at == submitted.published_at
    assert not Post.objects.published().filter(pk=submitted.pk).exists()
    assert not Change.objects.filter(post=submitted).exists()  # announced when it comes


def test_editor_cancels_schedule(editor_client, editor, submitted):
    services.post_publish(post=submitted, by=editor, at=timezone.now() + timedelta(hours=3))

    response = editor_client.post(step_url(submitted, "unschedule"))

    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    assert (submitted.published_at, submitted.publish_at) == (None, None)
    assert not Post.objects.published().filter(pk=submitted.pk).exists()


def test_editor_pins_published_post(editor_client, editor, published):
    response = editor_client.post(step_url(published, "pin"))

    assert response.status_code == 302
    published.refresh_from_db()
    assert published.pinned is True
    assert Change.objects.filter(post=published, kind=Change.Kind.PINNED).count() == 1


def test_pinning_second_post_unpins_first(editor_client, editor, blog, reporter, published):
    services.post_set_pinned(post=published, by=editor, pinned=True)
    second = factories.PostFactory(blog=blog, author=reporter, published=True)

    response = editor_client.post(step_url(second, "pin"))

    assert response.status_code == 302
    published.refresh_from_db()
    second.refresh_from_db()
    assert (published.pinned, second.pinned) == (False, True)
    assert list(Post.objects.filter(blog=blog).pinned()) == [second]
    assert Change.objects.filter(post=published, kind=Change.Kind.UNPINNED).exists()


def test_editor_marks_key_event(editor_client, published):
    response = editor_client.post(step_url(published, "mark_key_event"))

    assert response.status_code == 302
    published.refresh_from_db()
    assert published.key_event is True
    assert list(Post.objects.key_events()) == [published]


def test_editor_retracts_with_reason(editor_client, editor, published):
    services.post_set_pinned(post=published, by=editor, pinned=True)

    response = editor_client.post(step_url(published, "retract"), {"reason": "  Wrong call  "})

    assert response.status_code == 302
    published.refresh_from_db()
    assert published.status == Status.RETRACTED
    assert published.pinned is False
    assert published.retraction_reason == "Wrong call"
    assert published.retracted_at is not None
    assert not Post.objects.published().filter(pk=published.pk).exists()
    assert Change.objects.filter(post=published, kind=Change.Kind.RETRACTED, by=editor).exists()


def test_retract_without_reason_shows_error_and_changes_nothing(editor_client, published):
    before = snapshot(published)

    response = editor_client.post(step_url(published, "retract"), {"reason": "   "})

    assert response.status_code == 400
    assert response.context["form"].errors["reason"] == ["This field is required."]
    assert snapshot(published) == before
    assert not Change.objects.filter(post=published).exists()


def test_editor_corrects_published_post_with_note(editor_client, editor, published):
    old_version = published.version
    data = change_form_data(
        published,
        title="Trump wins Georgia",
        body="<p>Corrected figures.</p>",
        correction_note="An earlier version gave the wrong state.",
    )

    response = editor_client.post(change_url(published), data)

    assert response.status_code == 302
    published.refresh_from_db()
    assert published.title == "Trump wins Georgia"
    assert published.body == "<p>Corrected figures.</p>"
    assert published.correction_note == "An earlier version gave the wrong state."
    assert published.corrected_at is not None
    assert published.status == Status.PUBLISHED
    assert published.version == old_version + 1
    change = Change.objects.get(post=published)
    assert (change.kind, change.by, change.post_version) == (
        Change.Kind.EDITED,
        editor,
        published.version,
    )


# --- 5. Stale edits are refused, never overwritten -----------------------------------------
def test_stale_edit_is_refused_and_keeps_other_editors_save(
    editor_client, second_editor, published
):
    page = editor_client.get(change_url(published))
    opened_version = page.context["adminform"].form["version"].value()
    first_editors_form = browser_form_data(page, "post_form") | {"title": "First editor's title"}
    assert first_editors_form["version"] == str(opened_version)
    services.post_update(
        post=published,
        by=second_editor,
        expected_version=opened_version,
        data={"title": "Second editor's title"},
    )
    published.refresh_from_db()
    version_after_second_save = published.version

    response = editor_client.post(change_url(published), first_editors_form)

    assert response.status_code == 200
    assert "Someone else saved this post" in response.content.decode()
    published.refresh_from_db()
    assert published.title == "Second editor's title"
    assert published.version == version_after_second_save == opened_version + 1


# --- 6. The approval queue -----------------------------------------------------------------
def test_queue_lists_submitted_before_drafts_before_published(
    editor_client, reporter, editor, blog
):
    # Oldest edit first: plain "-updated_at" ordering would list these the other way round.
    waiting = factories.PostFactory(blog=blog, author=reporter, title="Waiting")
    services.post_submit(post=waiting, by=reporter)
    drafted = factories.PostFactory(blog=blog, author=reporter, title="Drafted")
    live = publish(factories.PostFactory(blog=blog, author=reporter, title="Live"), editor)

    response = editor_client.get(changelist_url())

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [waiting, drafted, live]


def test_queue_filters_by_status(editor_client, reporter, blog, submitted, published):
    factories.PostFactory(blog=blog, author=reporter, title="Another draft")

    response = editor_client.get(changelist_url(), {"status__exact": "submitted"})

    assert list(response.context["cl"].result_list) == [submitted]


def test_queue_filters_by_blog(editor_client, reporter, draft):
    other_blog = factories.LiveBlogFactory(slug="budget", title="Budget day")
    elsewhere = factories.PostFactory(blog=other_blog, author=reporter)

    response = editor_client.get(changelist_url(), {"blog__id__exact": other_blog.pk})

    assert list(response.context["cl"].result_list) == [elsewhere]


# --- 7. Hostile HTML is cleaned on the way in ----------------------------------------------
def test_hostile_body_from_add_page_is_sanitised(reporter_client, blog):
    body = (
        '<script>alert(1)</script><p onclick="x()">Hi <a href="javascript:alert(1)">x</a></p>'
        "<blockquote>Quote</blockquote>"
        '<p><a href="https://example.org/results">Results</a></p>'
        "<ul><li>One</li><li>Two</li></ul>"
    )

    file_post(reporter_client, blog, title="Hostile", body=body)

    stored = Post.objects.get(title="Hostile").body
    lowered = stored.lower()
    assert "<script" not in lowered
    assert "alert(1)" not in lowered.replace("javascript", "")
    assert "onclick" not in lowered
    assert "javascript:" not in lowered
    assert "<p>Hi x</p>" in stored  # the link lost its address, so its tag (words kept)
    assert "<blockquote>Quote</blockquote>" in stored
    assert 'href="https://example.org/results"' in stored
    assert "<ul><li>One</li><li>Two</li></ul>" in stored


# --- 8. Deleting ----------------------------------------------------------------------------
def test_editor_cannot_delete_published_post(editor_client, published):
    url = reverse("admin:liveblog_post_delete", args=[published.pk])

    response = editor_client.post(url, {"post": "yes"})

    assert response.status_code == 403
    assert Post.objects.filter(pk=published.pk, status=Status.PUBLISHED).exists()


def test_delete_selected_bulk_action_is_not_offered(rf, editor):
    from django.contrib.admin.sites import site

    request = rf.get(changelist_url())
    request.user = editor

    assert "delete_selected" not in site._registry[Post].get_actions(request)


def test_reporter_deletes_own_draft(reporter_client, draft):
    url = reverse("admin:liveblog_post_delete", args=[draft.pk])

    response = reporter_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not Post.objects.filter(pk=draft.pk).exists()


# --- 9. The blog's key-points summary --------------------------------------------------------
def blog_form_data(blog: LiveBlog, **fields: Any) -> dict[str, Any]:
    start = blog.coverage_start.astimezone(LONDON)
    return {
        "title": blog.title,
        "slug": blog.slug,
        "description": blog.description,
        "status": blog.status,
        "coverage_start_0": start.strftime("%Y-%m-%d"),
        "coverage_start_1": start.strftime("%H:%M:%S"),
        "coverage_end_0": "",
        "coverage_end_1": "",
        "summary_text": "\n".join(blog.summary),
        **fields,
    }


def blog_change_url(blog: LiveBlog) -> str:
    return reverse("admin:liveblog_liveblog_change", args=[blog.pk])


def test_editor_updates_summary_one_point_per_line(editor_client, editor, blog):
    points = "Polls have closed in Georgia\n\n  Turnout is at a record high  \nCount begins"

    response = editor_client.post(blog_change_url(blog), blog_form_data(blog, summary_text=points))

    assert response.status_code == 302, response.context and response.context["errors"]
    blog.refresh_from_db()
    expected = ["Polls have closed in Georgia", "Turnout is at a record high", "Count begins"]
    assert blog.summary == expected
    assert blog.summary_updated_at is not None
    change = Change.objects.get(blog=blog, kind=Change.Kind.SUMMARY)
    assert (change.payload, change.by) == ({"points": expected}, editor)


def test_reporter_gets_blog_page_read_only(reporter_client, blog):
    response = reporter_client.get(blog_change_url(blog))

    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert {"title", "summary_text"} <= set(response.context["adminform"].readonly_fields)


def test_reporter_cannot_change_blog_summary(reporter_client, blog):
    data = blog_form_data(blog, summary_text="A reporter's own key point")

    response = reporter_client.post(blog_change_url(blog), data)

    assert response.status_code == 403
    blog.refresh_from_db()
    assert blog.summary == []
    assert not Change.objects.filter(blog=blog).exists()


def test_too_many_summary_points_is_a_form_error(editor_client, blog):
    points = "\n".join(f"Point {n}" for n in range(13))  # the limit is 12

    response = editor_client.post(blog_change_url(blog), blog_form_data(blog, summary_text=points))

    assert response.status_code == 200
    assert "12 points or fewer" in response.content.decode()
    blog.refresh_from_db()
    assert blog.summary == []


def test_saving_blog_page_opened_earlier_keeps_newer_summary(editor_client, second_editor, blog):
    page = editor_client.get(blog_change_url(blog))
    form_as_opened = browser_form_data(page, "liveblog_form")
    services.summary_update(blog=blog, by=second_editor, points=["Count begins"])

    editor_client.post(
        blog_change_url(blog), form_as_opened | {"description": "Follow the count live"}
    )

    blog.refresh_from_db()
    assert blog.description == "Follow the count live"
    assert blog.summary == ["Count begins"]


@pytest.mark.django_db
def test_body_help_text_names_tags_without_markup(client, editor):
    client.force_login(editor)
    html = client.get(add_url()).content.decode()
    assert "keeps only these tags: a, abbr, b, blockquote" in html
    assert "&lt;p&gt;" not in html


def test_body_editor_loads_under_the_content_security_policy(client, editor):
    """The rich text editor's import map is inline: it must carry the page's CSP nonce,
    or the browser refuses it and reporters are left with no editor."""
    client.force_login(editor)
    response = client.get(add_url())
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])[1]
    html = response.content.decode()
    assert f'<script type="importmap" nonce="{nonce}">' in html
    assert "data-django-prose-editor-configurable" in html
    assert re.search(rf'<script src="[^"]*/editor\.js" nonce="{re.escape(nonce)}"', html)


# --- Approval is bound to the version the editor reviewed ---------------------------------
def test_publishing_a_post_that_changed_since_review_is_refused_with_both_versions(
    editor_client, reporter, submitted
):
    reviewed = submitted.version
    page = editor_client.get(change_url(submitted))
    assert f"do/publish/?version={reviewed}" in page.content.decode()
    confirm = editor_client.get(step_url(submitted, "publish") + f"?version={reviewed}")
    assert f'name="version" value="{reviewed}"' in confirm.content.decode()
    # Meanwhile the reporter takes the submission back, rewrites it and submits again.
    services.post_return_to_draft(post=submitted, by=reporter)
    services.post_update(
        post=submitted, by=reporter, expected_version=reviewed + 1, data={"title": "Swapped"}
    )
    services.post_submit(post=submitted, by=reporter)

    response = editor_client.post(step_url(submitted, "publish"), {"version": str(reviewed)})

    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED  # not published
    assert response.status_code == 412
    text = response.context["refusal"]
    assert f"you have version {reviewed}" in text
    assert f"now at version {submitted.version}" in text


@pytest.mark.django_db(transaction=True)
def test_a_save_that_truly_races_another_keeps_what_the_editor_typed(
    editor_client, second_editor, published, monkeypatch
):
    """PostgreSQL: the other save commits in its own connection between this form's
    version check and the service's (SQLite lets one writer in at a time: no race)."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: run with DATABASE_URL=postgres://…")
    real = services.post_update
    raced: list[bool] = []

    def other_editor_saves() -> None:
        try:
            real(post=published, by=second_editor, expected_version=published.version,
                 data={"title": "The other editor's title"})  # fmt: skip
        finally:
            connection.close()

    def racing(**kwargs):
        if not raced:
            raced.append(True)
            thread = threading.Thread(target=other_editor_saves)
            thread.start()
            thread.join(10)
        return real(**kwargs)

    monkeypatch.setattr(services, "post_update", racing)
    data = change_form_data(published, title="What I typed", body="<p>My careful words</p>")

    response = editor_client.post(change_url(published), data)

    assert response.status_code == 200  # the form again, not a redirect
    page = response.content.decode()
    assert "My careful words" in page
    assert "What I typed" in page
    assert "Someone else saved this post" in page
    published.refresh_from_db()
    assert published.title == "The other editor's title"


def test_two_blogs_saved_with_one_slug_at_the_same_instant_get_a_form_error(
    admin_client, blog, monkeypatch
):
    """Both saves pass the form's uniqueness check before either inserts (simulated by
    skipping the check once): the loser sees the clash on its form, not a 500."""
    from liveblog.admin.forms import LiveBlogForm

    real, skipped = LiveBlogForm.validate_unique, []

    def once(form):
        if not skipped:
            skipped.append(True)
            return None
        return real(form)

    monkeypatch.setattr(LiveBlogForm, "validate_unique", once)
    response = admin_client.post("/admin/liveblog/liveblog/add/", {
        "title": "Election night again", "slug": blog.slug, "description": "",
        "status": "live", "coverage_start_0": "2024-11-05", "coverage_start_1": "20:00:00",
        "summary_text": "", "initial-summary_text": "",
    })  # fmt: skip
    assert response.status_code == 200
    assert "Live blog with this Slug already exists." in response.content.decode()
    assert skipped == [True]
    assert LiveBlog.objects.filter(slug=blog.slug).count() == 1


def test_the_schedule_form_takes_seconds_defaults_to_the_next_minute_and_names_the_zone(
    editor_client, submitted
):
    page = editor_client.get(step_url(submitted, "schedule")).content.decode()
    assert 'type="datetime-local"' in page
    assert 'step="1"' in page
    assert "Publish at (GMT, Europe/London)" in page or "Publish at (BST, Europe/London)" in page
    shown = re.search(r'name="publish_at" value="([^"]+)"', page)[1]
    assert shown.endswith(":00")  # a round minute, in the future
    year = timezone.now().year + 1
    editor_client.post(step_url(submitted, "schedule"), {"publish_at": f"{year}-01-15T14:30:07"})
    submitted.refresh_from_db()
    assert submitted.published_at == datetime(year, 1, 15, 14, 30, 7, tzinfo=LONDON)


def test_a_new_post_starts_with_the_filers_byline_filled_in(reporter_client, reporter):
    page = reporter_client.get("/admin/liveblog/post/add/").content.decode()
    profile = reporter.reporter
    assert f'<option value="{profile.pk}" selected>{profile.display_name}</option>' in page
    assert f'value="{profile.default_byline}"' in page


def test_a_new_post_saved_without_byline_rows_says_whose_name_it_carries(
    reporter_client, reporter, blog
):
    response = reporter_client.post(add_url(), add_form_data(blog), follow=True)
    post = Post.objects.get()
    assert [c.reporter for c in post.contributors.all()] == [reporter.reporter]
    said = [m.message for m in response.context["messages"]]
    assert f"No byline was given: the post is signed “{reporter.reporter.display_name}”." in said


def test_a_new_post_with_its_byline_chosen_says_nothing_about_it(
    reporter_client, reporter, blog, editor
):
    data = add_form_data(blog) | {
        "contributors-TOTAL_FORMS": "1", "contributors-0-reporter": editor.reporter.pk,
        "contributors-0-byline": "Washington", "contributors-0-order": "0",
    }  # fmt: skip
    response = reporter_client.post(add_url(), data, follow=True)
    assert [c.reporter for c in Post.objects.get().contributors.all()] == [editor.reporter]
    assert not any("No byline" in m.message for m in response.context["messages"])


def test_a_post_the_user_may_not_edit_shows_its_body_as_readers_see_it(
    reporter_client, reporter, blog
):
    post = factories.PostFactory(blog=blog, author=reporter, status=Status.SUBMITTED,
                                 body="<p>Turnout is <strong>high</strong>.</p>")  # fmt: skip
    page = reporter_client.get(f"/admin/liveblog/post/{post.pk}/change/").content.decode()
    assert '<div class="post-body-preview"><p>Turnout is <strong>high</strong>.</p></div>' in page
    assert "&lt;strong&gt;" not in page  # never the raw markup
    assert "Pasted or typed HTML keeps only these tags" not in page  # the editor's help


def test_the_admin_home_counts_what_awaits_approval(editor_client, blog, reporter):
    for n in range(2):
        factories.PostFactory(blog=blog, author=reporter, status=Status.SUBMITTED,
                              title=f"Waiting {n}")  # fmt: skip
    page = editor_client.get("/admin/").content.decode()
    assert "2 awaiting approval" in page


def test_admin_pages_speak_to_editors_not_operators(client, editor, blog, published):
    """No setting names, no internal counters: help in the newsroom's words."""
    client.force_login(editor)
    pages = [
        reverse("admin:liveblog_post_add") + f"?blog={blog.pk}",
        reverse("admin:liveblog_post_change", args=[published.pk]),
        reverse("admin:liveblog_liveblog_change", args=[blog.pk]),
        reverse("admin:liveblog_post_changelist"),
        reverse("admin:results_winnercall_changelist"),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert "NEWSROOM_" not in html, url
        assert "Last seq" not in html, url
    add = client.get(pages[0]).content.decode()
    assert "A link to the video on vimeo.com, youtu.be, youtube-nocookie.com, youtube.com" in add


def test_the_posts_list_marks_label_pin_and_key_event_in_one_column(client, editor, published):
    services.post_set_pinned(post=published, by=editor, pinned=True)
    client.force_login(editor)
    html = client.get(reverse("admin:liveblog_post_changelist")).content.decode()
    assert '<span class="mark">Pinned</span>' in html
    # Times come from the one helper readers' pages use (the zone spelled out).
    assert re.search(r'<time datetime="[^"]+">\d\d:\d\d <abbr title="[^"]+">', html)
