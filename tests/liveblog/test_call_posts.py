"""A state call an editor confirms becomes a post waiting in the editors' queue: "AP calls
Pennsylvania for Donald Trump", with the count and a link. Nothing reaches readers until
an editor publishes it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Permission

from benchmarks.synthetic import presidential_document
from liveblog import actions, permissions
from liveblog import services as posts
from liveblog.models import LiveBlog, Post
from liveblog.services.calls import draft_call_posts
from results import services
from results.ingest import import_document
from results.models import Race, ResultSnapshot
from tests import factories

pytestmark = pytest.mark.django_db
T = datetime(2024, 11, 6, 3, 12, tzinfo=UTC)
TRUMP, HARRIS = 1, 0


@pytest.fixture
def election(blog):
    doc = presidential_document(["PA", "GA", "MI"], at=T, reporting=0.95, counties=2,
                                calls={"PA": TRUMP, "GA": TRUMP})  # fmt: skip
    assert import_document(json.dumps(doc).encode()).ok
    blog.races.add(Race.objects.get(level="national"))
    return blog


def call_of(postal):
    return Race.objects.get(state_postal=postal).calls.get(withdrawn_at=None)


@pytest.fixture
def confirm(django_capture_on_commit_callbacks):
    """Confirm a call and commit, as the admin's request does: its posts are drafted
    once the confirmation has committed."""

    def run(call, by):
        with django_capture_on_commit_callbacks(execute=True):
            return services.winner_confirm(call=call, by=by)

    return run


def test_a_confirmed_state_call_is_filed_for_the_editors(
    election, second_editor, client, confirm, committed
):
    assert not Post.objects.exists()  # AP's call alone files nothing
    confirm(call_of("PA"), second_editor)
    post = Post.objects.get()
    pa = Race.objects.get(state_postal="PA")
    assert post.title == "AP calls Pennsylvania for Donald Trump"
    assert (post.status, post.author, post.blog) == (Post.Status.SUBMITTED, second_editor, election)
    assert "AP has called Pennsylvania for Donald Trump, and its 19 electoral votes." in post.body
    latest = ResultSnapshot.objects.latest_of(pa.pk)
    trump = latest.results.get(candidate__name="Donald Trump")
    reporting = round(100 * latest.units_reporting / latest.units_total)
    assert (f"Donald Trump has {trump.popular_votes:,} votes ({trump.share}%) with "
            f"{reporting}% of precincts reporting.") in post.body  # fmt: skip
    assert ("That gives Donald Trump 19 electoral votes of the 270 needed to win; "
            "50 states still to call.") in post.body  # fmt: skip
    assert f'<a href="/results/{pa.slug}/" rel="noopener noreferrer">Full results for ' in post.body
    # Not public until an editor publishes it.
    assert post.title not in client.get(election.get_absolute_url()).content.decode()
    assert client.get(post.get_absolute_url()).status_code == 404
    feed = client.get(f"/live/{election.slug}/feed/rss/")
    assert feed.status_code == 200
    assert post.title not in feed.content.decode()
    with committed():
        posts.post_publish(post=post, by=second_editor)
    assert post.title in client.get(election.get_absolute_url()).content.decode()


def test_it_waits_in_the_live_desk_queue_for_one_click(
    election, second_editor, client, editor, confirm
):
    confirm(call_of("GA"), second_editor)
    client.force_login(editor)
    desk = client.get(f"/admin/desk/{election.slug}/").content.decode()
    queue = desk[desk.index('id="region-queue"') :]
    assert "AP calls Georgia for Donald Trump" in queue
    post = Post.objects.get()
    assert actions.may("publish", editor, post)


def test_a_correction_is_filed_as_one_and_a_withdrawal_files_nothing(
    election, editor, second_editor, confirm
):
    standing = confirm(call_of("PA"), second_editor)
    harris = Race.objects.get(state_postal="PA").candidates.get(name="Kamala Harris")
    fix = services.winner_correct(call=standing, candidate=harris, by=editor, note="AP retracted")
    confirm(fix, second_editor)
    assert list(Post.objects.order_by("pk").values_list("title", flat=True)) == [
        "AP calls Pennsylvania for Donald Trump",
        "Correction: AP now calls Pennsylvania for Kamala Harris",
    ]
    services.winner_withdraw(call=fix, by=editor, reason="Too close")
    assert Post.objects.count() == 2


def test_blogs_not_showing_the_race_or_already_ended_get_nothing(election, second_editor, confirm):
    other = LiveBlog.objects.create(slug="other", title="Other", coverage_start=T)
    election.status = LiveBlog.Status.ENDED
    election.save()
    confirm(call_of("PA"), second_editor)
    assert not Post.objects.exists()
    assert not other.posts.exists()


def test_an_editor_who_may_call_races_but_not_file_posts_confirms_and_the_post_waits(
    election, confirm
):
    desk_of_results = factories.UserFactory(username="results-desk")  # staff, no roles
    may_confirm = Permission.objects.filter(
        content_type__app_label="results", codename__in=["change_winnercall", "view_race"]
    )
    desk_of_results.user_permissions.add(*may_confirm)
    assert not permissions.can_file(desk_of_results)

    call = confirm(call_of("PA"), desk_of_results)

    assert call.confirmed_at is not None  # the confirmation stands
    post = Post.objects.get()
    assert post.title == "AP calls Pennsylvania for Donald Trump"
    assert (post.author, post.status) == (desk_of_results, Post.Status.SUBMITTED)


def test_drafting_twice_files_each_blogs_post_once(election, second_editor, confirm):
    call = confirm(call_of("PA"), second_editor)

    assert draft_call_posts(call=call, by=second_editor) == []  # a retried task adds nothing
    assert Post.objects.count() == 1


def test_a_state_call_adds_the_national_race_up_once(election, second_editor, confirm):
    national = Race.objects.get(level="national")
    before = ResultSnapshot.objects.filter(race=national).count()

    confirm(call_of("PA"), second_editor)

    assert ResultSnapshot.objects.filter(race=national).count() == before + 1


def test_a_second_drafter_losing_the_race_files_nothing_and_the_first_post_stands(
    election, second_editor, confirm, monkeypatch
):
    call = confirm(call_of("PA"), second_editor)
    [post] = Post.objects.all()
    # The other drafter's check ran before this one committed: it sees no post yet.
    monkeypatch.setattr(Post.objects, "filter", lambda **kw: Post.objects.none())

    assert draft_call_posts(call=call, by=second_editor) == []
    monkeypatch.undo()
    assert list(Post.objects.all()) == [post]
