"""Rehearse the night (issue 29): a recorded sequence of documents replays into a
rehearsal's own races with the same snapshots and calls as the original import, at the
speed asked; the real blog, its feeds, webhooks for all blogs and the partner API's real
races are untouched; the wipe leaves nothing behind."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from liveblog import rehearsal as rehearsals
from liveblog import services
from liveblog.models import Change, LiveBlog, Post
from partners.models import PartnerKey, Webhook, WebhookDelivery
from results import recording
from results import services as results_services
from results.ingest import import_document
from results.models import CandidateResult, Race, Rehearsal, ResultSnapshot, WinnerCall
from tests import factories

pytestmark = pytest.mark.django_db

NIGHT = Path(rehearsals.__file__).resolve().parent / "demo" / "night"


def night_documents() -> list[bytes]:
    plan = json.loads((NIGHT / "night.json").read_text())
    return [(NIGHT / d["file"]).read_bytes() for d in plan["documents"]]


def results_of(races) -> dict[str, object]:
    """Each race's snapshots (sequence and votes by candidate) and calls, by feed id."""
    found: dict[str, object] = {}
    for race in races.order_by("source_id"):
        snapshots = [
            (s.source_seq, sorted(CandidateResult.objects.filter(snapshot=s)
                                  .values_list("candidate__source_id", "popular_votes")))
            for s in ResultSnapshot.objects.filter(race=race).order_by("as_of", "pk")
        ]  # fmt: skip
        calls = sorted(WinnerCall.objects.filter(race=race)
                       .values_list("candidate__source_id", "source", "confirmed_at"))  # fmt: skip
        found[race.source_id] = {"snapshots": snapshots, "calls": [c[:2] for c in calls],
                                 "confirmed": [c[2] is not None for c in calls]}  # fmt: skip
    return found


@pytest.fixture
def superuser(db):
    return factories.UserFactory(username="chief", is_superuser=True)


def test_a_recorded_night_replays_into_the_rehearsals_own_races_as_the_original(superuser, editor):
    # The real night: the poller's documents, on record.
    for body in night_documents():
        recording.record("https://api.ap.org/v2/elections/2015-11-03?apiKey=x", body)
        import_document(body)
    original = results_of(Race.objects.filter(rehearsal=None, source_id__gt=""))

    out = StringIO()
    call_command("rehearse", "--recorded", "2015-11-03", "--speed", "1000", "--as",
                 editor.username, stdout=out)  # fmt: skip

    rehearsal = Rehearsal.objects.get()
    replayed = results_of(Race.objects.filter(rehearsal=rehearsal, source_id__gt=""))
    assert replayed == original  # the same snapshots, in order, and the same calls
    assert results_of(Race.objects.filter(rehearsal=None, source_id__gt="")) == original
    blog = LiveBlog.objects.get(rehearsal=rehearsal)
    assert set(blog.races.all()) == set(Race.objects.filter(rehearsal=rehearsal, parent=None))
    assert "Live page: /live/rehearsal-" in out.getvalue()


def test_the_night_plays_at_the_speed_asked(superuser):
    night = rehearsals.folder_night(NIGHT)
    rehearsal, blog = rehearsals.prepare(night, speed=10)
    clock = {"now": 0.0}
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock["now"] += seconds

    posts = rehearsals.scripted_posts(NIGHT / "posts.json")
    played = rehearsals.play(night, rehearsal, blog, by=superuser, speed=10, posts=posts,
                             sleep=sleep, clock=lambda: clock["now"])  # fmt: skip

    assert (played.documents, played.posts) == (3, 3)
    assert clock["now"] == pytest.approx(9.0)  # the last step at 90 s, played at 10x
    titles = list(blog.posts.published().order_by("published_at").values_list("title", flat=True))
    assert titles[0] == "Polls have closed across Kentucky"
    assert Post.objects.filter(blog=blog, key_event=True).count() == 2


def test_nothing_of_a_rehearsal_reaches_the_real_night(superuser, editor, blog, committed):
    real_post = factories.PostFactory(blog=blog, published=True, title="The real night")
    real_race = factories.RaceFactory(slug="real", name="A real race")
    key, _ = PartnerKey.objects.create_key(name="hooks", partner="Partner", scopes=[])
    everything = Webhook.objects.create(url="https://partner.example/hook", key=key,
                                        events=list(Change.Kind.values))  # fmt: skip
    changes_before = Change.objects.filter(blog=blog).count()
    feed_before = Client().get(f"/live/{blog.slug}/feed/rss/").content

    with committed():  # what follows a commit (webhooks, the live channel) runs too
        call_command("rehearse", "--demo", "--speed", "1000", "--posts",
                     str(NIGHT / "posts.json"), stdout=StringIO())  # fmt: skip

    rehearsal = Rehearsal.objects.get()
    mock = LiveBlog.objects.get(rehearsal=rehearsal)
    assert mock.posts.published().count() == 3
    assert Change.objects.filter(blog=blog).count() == changes_before
    assert Client().get(f"/live/{blog.slug}/feed/rss/").content == feed_before
    assert Post.objects.get(pk=real_post.pk).title == "The real night"
    assert Race.objects.filter(rehearsal=None).count() == 1  # only the real race
    assert Race.objects.get(pk=real_race.pk).name == "A real race"
    assert not WebhookDelivery.objects.filter(webhook=everything).exists()
    # (The same webhook does hear the real blog: the check above is not vacuous.)
    with committed():
        services.post_publish(post=factories.PostFactory(blog=blog), by=editor)
    assert WebhookDelivery.objects.filter(webhook=everything).count() == 1
    # Marked on its pages and in the API; not in the API's lists.
    page = Client().get(mock.get_absolute_url()).content.decode()
    assert "Rehearsal: not real results" in page
    staff = Client()
    staff.force_login(editor)
    listed = staff.get("/api/v1/blogs/").json()["results"]
    assert mock.slug not in [b["slug"] for b in listed]
    assert staff.get(f"/api/v1/blogs/{mock.slug}/").json()["rehearsal"] is True
    races = staff.get("/api/v1/races/").json()["results"]
    assert [r["slug"] for r in races] == ["real"]
    assert races[0]["rehearsal"] is False


def test_the_wipe_leaves_nothing_behind(superuser, blog):
    models = (LiveBlog, Post, Change, Race, ResultSnapshot, CandidateResult, WinnerCall)
    before = {model: model.objects.count() for model in models}
    call_command("rehearse", "--demo", "--speed", "1000", "--posts", str(NIGHT / "posts.json"),
                 stdout=StringIO())  # fmt: skip
    assert Race.objects.count() > before[Race]

    listed = StringIO()
    call_command("rehearse", "--list", stdout=listed)
    races = Race.objects.filter(rehearsal__isnull=False).count()
    assert f"(1000x, {races} races, finished " in listed.getvalue()

    out = StringIO()
    call_command("rehearse", "--wipe", stdout=out)

    assert "1 rehearsal(s) wiped" in out.getvalue()
    assert not Rehearsal.objects.exists()
    assert {model: model.objects.count() for model in before} == before


def test_the_demo_night_is_the_real_document_climbing_to_its_final_figures():
    early, half, final = (json.loads(body) for body in night_documents())
    real = json.loads(Path("tests/results/data/ap-20151103.json").read_text())
    assert final == real

    def votes(document: dict) -> int:
        return sum(c["voteCount"] for race in document["races"]
                   for unit in race["reportingUnits"] for c in unit["candidates"])  # fmt: skip

    assert votes(early) < votes(half) < votes(final)


def test_a_call_confirmed_on_the_rehearsal_files_its_post_there_only(
    superuser, editor, second_editor, blog, django_capture_on_commit_callbacks
):
    call_command("rehearse", "--demo", "--speed", "1000", "--as", editor.username,
                 stdout=StringIO())  # fmt: skip
    rehearsal = Rehearsal.objects.get()
    mock = LiveBlog.objects.get(rehearsal=rehearsal)
    call = WinnerCall.objects.get(race__rehearsal=rehearsal, race__name__contains="Kentucky",
                                  confirmed_at=None)  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        results_services.winner_confirm(call=call, by=second_editor)

    [filed] = Post.objects.filter(title__startswith="AP calls")
    assert filed.blog == mock
    assert filed.status == Post.Status.SUBMITTED  # waiting on the rehearsal's desk
    assert not Post.objects.filter(blog=blog).exists()
