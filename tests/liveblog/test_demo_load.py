"""The demo import reproduces the reference live page, and running it twice changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from PIL import Image

from liveblog.demo.loader import SOURCE, load_content, load_demo
from liveblog.models import Change, LiveBlog, Post, PostImage, PostVideo
from results.models import Race, ResultSnapshot
from results.rollup import SOURCE as ROLLUP

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.NEWSROOM_DEMO_PASSWORD = "demo-pass-123"
    load_demo()
    return LiveBlog.objects.get(slug="us-election-2024")


def test_all_twenty_posts_with_exact_titles_and_times(demo):
    content = load_content()["posts"]
    posts = list(Post.objects.filter(blog=demo).published().newest_first())
    assert len(posts) == 20
    assert [p.title for p in posts] == [c["title"] for c in content]
    assert posts[0].title == "Biden invites president-elect to White House - Trump campaign"
    assert posts[0].published_at == datetime(2024, 11, 7, 0, 31, tzinfo=UTC)
    assert posts[-1].published_at == datetime(2024, 11, 6, 21, 40, tzinfo=UTC)


def test_bodies_are_kept_verbatim(demo):
    post = Post.objects.get(blog=demo, title="Anger and hope at Howard University")
    assert "students andsupporters." in post.body
    assert "<p>Some were dancing, others were crying.</p>" in post.body


def test_bylines_with_role_or_location(demo):
    bylines = {
        (c.reporter.display_name, c.byline)
        for p in Post.objects.filter(blog=demo)
        for c in p.contributors.select_related("reporter")
    }
    assert ("Mitch Mansfield", "Reporting from Washington DC") in bylines
    assert ("Anthony Zurcher", "BBC North America correspondent") in bylines
    assert ("Kayla Epstein", "reporting from West Palm Beach, Florida") in bylines
    assert ("Holly Honderich", "Reporting from Howard University") in bylines


def test_analysis_label(demo):
    post = Post.objects.get(blog=demo, label__name="Analysis")
    assert post.title == "What's next for Harris?"


def test_images_alt_text_captions_and_credits(demo):
    images = PostImage.objects.filter(post__blog=demo)
    assert images.count() == 13
    first = images.get(alt_text="A view of the White House as the sun sets")
    assert (first.credit, first.placement) == ("Getty Images", "lead")
    obama = images.get(alt_text="Kamala Harris and Michelle Obama")
    assert obama.caption.startswith("Michelle Obama joined Harris on the big stage")
    assert obama.placement == "end"
    assert images.filter(credit="Getty Images").count() == 6
    with Image.open(first.image.path) as stored:
        assert stored.format == "JPEG"
        assert not stored.getexif()


def _saturation(image: Image.Image) -> int:
    """The largest difference between a pixel's channels: 0 for a grey."""
    small = image.convert("RGB").resize((32, 18))
    return max(max(pixel) - min(pixel) for pixel in small.get_flattened_data())


def test_placeholder_photos_are_a_calm_grey_frame_not_a_black_band(demo):
    for image in PostImage.objects.filter(post__blog=demo):
        with Image.open(image.image.path) as stored:
            assert stored.size == (1280, 720)
            assert _saturation(stored) < 16, image.alt_text  # neutral, whatever the text
            strip = stored.convert("L").crop((0, 600, 1280, 680))
            low, _high = strip.getextrema()
            assert low > 80, "a dark band across the picture"
            corner = stored.convert("L").getpixel((10, 10))
            assert 200 <= corner <= 240


def test_candidates_have_headshots_in_their_party_colour(demo, client):
    race = Race.objects.get(slug="us-president-2024")
    for candidate in race.candidates.all():
        assert candidate.photo, candidate.name
        with Image.open(candidate.photo.path) as photo:
            assert photo.size[0] == photo.size[1] >= 200
            party = tuple(int(candidate.colour[i : i + 2], 16) for i in (1, 3, 5))
            corner = photo.convert("RGB").getpixel((5, 5))
            assert all(abs(a - b) < 60 for a, b in zip(corner, party, strict=True))
    html = client.get(demo.get_absolute_url()).content.decode()
    header = html[html.index('id="results"') : html.index('id="summary"')]
    harris = race.candidates.get(name="Kamala Harris")
    assert f'<img class="results-photo" src="{harris.photo.url}" alt=""' in header
    assert "Democratic candidate" in header
    assert client.get(harris.photo.url).status_code == 200
    load_demo()  # loading again keeps the same photo
    assert Race.objects.get(pk=race.pk).candidates.get(name=harris.name).photo == harris.photo


def test_videos_with_media_captions(demo):
    captions = set(PostVideo.objects.filter(post__blog=demo).values_list("caption", flat=True))
    assert captions == {
        "US voters on one reason Trump won... and why Harris lost",
        "Harris: Election outcome 'not what we wanted'",
    }
    assert all(v.file and v.poster for v in PostVideo.objects.all())


def test_both_result_captures(demo):
    race = demo.races.get()
    assert (race.threshold, race.threshold_unit) == (270, "electoral votes")
    # The earlier capture is the race's own; the final figures are its 51 states' sum.
    early, final = race.snapshots.order_by("as_of")
    assert (early.source, final.source) == (SOURCE, ROLLUP)

    def figures(snapshot: ResultSnapshot):
        return {
            r.candidate.name: (r.popular_votes, r.share, r.electoral_votes)
            for r in snapshot.results.select_related("candidate")
        }

    assert figures(early) == {
        "Kamala Harris": (67_951_111, Decimal("47.5"), None),
        "Donald Trump": (72_658_972, Decimal("50.8"), None),
    }
    assert figures(final) == {
        "Kamala Harris": (74_332_538, Decimal("48.3"), 226),
        "Donald Trump": (76_869_569, Decimal("49.9"), 312),
    }
    assert final.results_to_go == 0
    call = race.calls.get()
    assert call.candidate.name == "Donald Trump"
    assert call.is_confirmed
    assert ResultSnapshot.objects.latest_of(race.pk) == final
    assert (final.units_reporting, final.units_total) == (51, 51)


def test_the_demo_race_is_made_of_its_states(demo):
    race = demo.races.get()
    assert race.level == "national"
    states = race.states.all()
    assert states.count() == 51
    called = {s.state_postal: s.calls.get().candidate.name for s in states}
    assert sum(1 for name in called.values() if name == "Donald Trump") == 31
    assert (called["PA"], called["CA"]) == ("Donald Trump", "Kamala Harris")
    maine = ResultSnapshot.objects.latest_of(states.get(state_postal="ME").pk)
    assert {r.candidate.name: r.electoral_votes for r in maine.results.all()} == {
        "Kamala Harris": 3,
        "Donald Trump": 1,
    }
    assert all(s.calls.get().is_confirmed for s in states)
    assert not race.calls.filter(confirmed_at=None).exists()  # no second call proposed


def test_loading_the_demo_again_changes_nothing(demo):
    race = demo.races.get()
    snapshots = ResultSnapshot.objects.count()
    load_demo()
    assert ResultSnapshot.objects.count() == snapshots
    assert race.states.count() == 51


def test_summary_and_live_status(demo):
    assert demo.status == "live"
    assert len(demo.summary) == 4


def test_change_log_tells_the_evening_in_order(demo):
    published = Change.objects.filter(blog=demo, kind="published").order_by("seq")
    times = [c.post.published_at for c in published]
    assert len(times) == 20
    assert times == sorted(times)
    assert demo.last_seq == Change.objects.filter(blog=demo).count()


def test_loading_twice_changes_nothing(demo):
    counts = (Post.objects.count(), PostImage.objects.count(), Change.objects.count(),
              ResultSnapshot.objects.count())  # fmt: skip
    summary = load_demo()
    assert summary.posts_created == 0
    assert counts == (Post.objects.count(), PostImage.objects.count(), Change.objects.count(),
                      ResultSnapshot.objects.count())  # fmt: skip


def test_demo_logins_use_the_configured_password(demo, rf):
    request = rf.post("/admin/login/")
    assert (
        authenticate(request, username="editor", password="demo-pass-123")
        .groups.filter(name="Editor")
        .exists()
    )
    assert (
        authenticate(request, username="reporter", password="demo-pass-123")
        .groups.filter(name="Reporter")
        .exists()
    )


def test_load_demo_command_reports_what_it_did(settings, capsys):
    call_command("load_demo")
    assert "20 posts added" in capsys.readouterr().out


def test_demo_page_shows_posts_bylines_captions_and_credits(client, demo):
    html = client.get("/live/us-election-2024/").content.decode()
    assert html.count('class="post"') == 20
    for text in ("Trump team not surprised by scale of victory", "Anthony Zurcher",
                 "BBC North America correspondent", "Getty Images", "Analysis",
                 "Imani Bishop and Gabrielle Vickles",
                 '22:21 <abbr title="Greenwich Mean Time">GMT</abbr> 6 November'):  # fmt: skip
        assert text in html
