"""Uploads cannot be guessed, are served only to those who may see their post, and
cannot run: embargoed photos stay embargoed, and a hostile "video" is refused."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from liveblog import services
from liveblog.demo.loader import PLACEHOLDER_VIDEO
from liveblog.models import Post, PostImage
from liveblog.renditions import make_renditions
from liveblog.video import check_video_file
from tests import factories

pytestmark = pytest.mark.django_db
UNGUESSABLE = re.compile(r"posts/[0-9a-f]{32}\.jpg")


@pytest.fixture
def photo_of(reporter, jpeg):
    def attach(post: Post, name: str = "scoop.jpg") -> PostImage:
        return services.post_add_image(
            post=post,
            by=reporter if post.status == Post.Status.DRAFT else factories.editor(),
            file=SimpleUploadedFile(name, jpeg((900, 600)), "image/jpeg"),
            alt_text="The scoop",
        )

    return attach


def url(image: PostImage) -> str:
    return image.image.url


def test_stored_names_are_unguessable_and_the_uploaders_is_kept_as_metadata(draft, photo_of):
    image = photo_of(draft, "trump-wins.jpg")

    assert UNGUESSABLE.fullmatch(image.image.name)
    assert image.original_name == "trump-wins.jpg"
    assert "trump" not in url(image)


def as_user(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_a_drafts_photo_is_only_for_staff_who_may_see_it(draft, photo_of, reporter, editor):
    address = url(photo_of(draft))

    assert as_user().get(address).status_code == 404
    mine = as_user(reporter).get(address)
    assert mine.status_code == 200
    assert mine["Cache-Control"] == "private, no-store, max-age=0"
    assert as_user(editor).get(address).status_code == 200


def test_a_published_posts_photo_is_public_and_cacheable(client, draft, photo_of, editor):
    address = url(photo_of(draft))
    services.post_publish(post=draft, by=editor)

    response = client.get(address)

    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=60"


def test_a_scheduled_photo_goes_public_at_its_second_without_a_worker(
    client, draft, photo_of, editor
):
    address = url(photo_of(draft))
    services.post_publish(post=draft, by=editor, at=timezone.now() + timedelta(hours=1))
    assert client.get(address).status_code == 404

    Post.objects.filter(pk=draft.pk).update(published_at=timezone.now() - timedelta(seconds=1))

    assert client.get(address).status_code == 200  # visible by query, not by announcement


def test_a_retracted_posts_photo_and_renditions_are_gone(client, draft, photo_of, editor):
    image = photo_of(draft)
    services.post_publish(post=draft, by=editor)
    made = make_renditions(PostImage.objects.get(pk=image.pk))
    rendition = f"/media/{made[0]['name']}"
    assert client.get(rendition).status_code == 200

    services.post_retract(post=draft, by=editor, reason="Wrong picture")

    assert client.get(url(image)).status_code == 404
    assert client.get(rendition).status_code == 404


def test_a_drafts_renditions_are_not_public_either(draft, photo_of, reporter):
    image = photo_of(draft)
    made = make_renditions(PostImage.objects.get(pk=image.pk))

    for rendition in made:
        assert as_user().get(f"/media/{rendition['name']}").status_code == 404
        assert as_user(reporter).get(f"/media/{rendition['name']}").status_code == 200


def test_guessing_names_finds_nothing(client, draft, photo_of, editor):
    photo_of(draft, "trump-wins.jpg")
    services.post_publish(post=draft, by=editor)
    month = timezone.now().strftime("%Y/%m")

    for guess in (f"posts/{month}/trump-wins.jpg", f"posts/{month}/the-scoop.jpg",
                  "posts/trump-wins.jpg", f"posts/{'0' * 32}.jpg"):  # fmt: skip
        assert client.get(f"/media/{guess}").status_code == 404


def test_every_media_answer_is_typed_unsniffable_and_sandboxed(client, draft, photo_of, editor):
    address = url(photo_of(draft))
    services.post_publish(post=draft, by=editor)

    response = client.get(address)

    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_a_stored_file_of_a_type_we_never_store_is_never_served(editor_client, draft, settings):
    from pathlib import Path

    planted = Path(settings.MEDIA_ROOT) / "posts" / "pub.html"
    planted.parent.mkdir(parents=True, exist_ok=True)
    planted.write_text("<script>alert(1)</script>")
    PostImage.objects.create(post=draft, image="posts/pub.html", alt_text="x", width=1, height=1)

    assert editor_client.get("/media/posts/pub.html").status_code == 404


def test_the_api_and_feeds_never_show_a_non_public_media_address(
    client, blog, draft, photo_of, editor, reporter
):
    from rest_framework.test import APIClient

    from partners.models import PartnerKey, Scope

    hidden = photo_of(draft).image.name
    shown = factories.PostFactory(blog=blog, author=reporter)
    services.post_publish(post=shown, by=editor)
    _, key = PartnerKey.objects.create_key(name="t", partner="P", scopes=[Scope.LIVEBLOG_READ])
    api = APIClient(HTTP_AUTHORIZATION=f"Api-Key {key}")

    bodies = [
        api.get(f"/api/v1/blogs/{blog.slug}/posts/").content,
        api.get(f"/api/v1/blogs/{blog.slug}/changes/?after=0").content,
        api.get(f"/api/v1/blogs/{blog.slug}/posts/{draft.pk}/").content,
        client.get(f"/live/{blog.slug}/feed/rss/").content,
        client.get(f"/live/{blog.slug}/feed/atom/").content,
        client.get(f"/live/{blog.slug}/").content,
    ]

    assert not any(hidden.encode() in body for body in bodies)


# --- Video: judged by its container, never by a few magic bytes ------------------------


def mp4(*boxes: tuple[bytes, bytes]) -> bytes:
    return b"".join((8 + len(body)).to_bytes(4, "big") + kind + body for kind, body in boxes)


VALID_MP4 = mp4((b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41"), (b"moov", b"\x00" * 32),
                (b"mdat", b"\x00" * 64))  # fmt: skip


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"/*\x00\x00ftypisom*/ fetch('/admin/')" + b" " * 64, id="script-with-ftyp"),
        pytest.param(
            b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2<html><script>x</script>",
            id="ftyp-then-html",
        ),
        pytest.param(
            mp4((b"ftyp", b"isom\x00\x00\x02\x00isomiso2"), (b"mdat", b"\x00" * 8)), id="no-moov"
        ),
        pytest.param(VALID_MP4[:-10], id="truncated"),
        pytest.param(b"\x1a\x45\xdf\xa3\x84\x42\x82\x81x" + b"\x00" * 32, id="ebml-not-webm"),
        pytest.param(b"<svg onload=alert(1)>", id="svg"),
        pytest.param(b"", id="empty"),
    ],
)
def test_files_that_only_look_like_video_are_refused(content):
    with pytest.raises(ValidationError) as refused:
        check_video_file(io.BytesIO(content))

    assert refused.value.messages == ["Unsupported video: upload an MP4 or WebM file."]


def test_real_containers_pass_and_are_stored_under_the_servers_name(draft, reporter):
    assert check_video_file(io.BytesIO(VALID_MP4)) == "mp4"
    assert check_video_file(io.BytesIO(PLACEHOLDER_VIDEO.read_bytes())) == "webm"

    video = services.post_add_video(
        post=draft,
        by=reporter,
        caption="Queues",
        file=SimpleUploadedFile("pub.js", VALID_MP4, "application/javascript"),
    )

    assert re.fullmatch(r"videos/[0-9a-f]{32}\.mp4", video.file.name)
    assert video.original_name == "pub.js"


def test_a_reporters_script_disguised_as_video_is_refused_by_the_service(draft, reporter):
    script = b"/*\x00\x00ftypisom*/ fetch('/admin/liveblog/post/').then(publish)" + b" " * 64

    with pytest.raises(ValidationError):
        services.post_add_video(
            post=draft,
            by=reporter,
            caption="Breaking",
            file=SimpleUploadedFile("pub.js", script, "video/mp4"),
        )

    assert not draft.videos.exists()


def test_a_readers_media_request_costs_one_query(client, draft, photo_of, editor,
                                                  django_assert_num_queries):  # fmt: skip
    hidden = url(photo_of(draft))
    shown = url(photo_of(factories.PostFactory(blog=draft.blog, published=True)))

    with django_assert_num_queries(1):
        assert client.get(shown).status_code == 200
    with django_assert_num_queries(1):
        assert client.get(hidden).status_code == 404


def test_candidate_photos_are_public_and_unknown_names_are_not(client, jpeg):
    from django.core.files.base import ContentFile

    candidate = factories.CandidateFactory(race=factories.RaceFactory())
    candidate.photo.save("x.jpg", ContentFile(jpeg((40, 40))))

    assert re.fullmatch(r"candidates/[0-9a-f]{32}\.jpg", candidate.photo.name)
    assert client.get(candidate.photo.url).status_code == 200
    assert client.get("/media/candidates/" + "0" * 32 + ".jpg").status_code == 404
    assert client.get("/media/elsewhere/file.jpg").status_code == 404
