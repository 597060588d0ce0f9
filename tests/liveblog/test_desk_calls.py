"""The results desk on the live desk: a waiting winner call shows on every editor's desk
as it is made, a second editor confirms or rejects it in one click (never the editor who
made it), and recording results or correcting a call goes to the results admin's page
and comes back to the desk. Everything offered comes from the results' action registry."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from liveblog.models import DeskChange
from results import services
from results.models import WinnerCall
from tests import factories

pytestmark = pytest.mark.django_db


def desk(blog) -> str:
    return f"/admin/desk/{blog.slug}/"


@pytest.fixture
def race(blog):
    race = factories.RaceFactory(name="Georgia")
    factories.CandidateFactory(race=race, name="Kamala Harris")
    factories.CandidateFactory(race=race, name="Donald Trump")
    blog.races.add(race)
    return race


def signed_in(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def results_region(browser: Client, blog) -> str:
    return browser.get(desk(blog) + "regions/?only=results").content.decode()


def call_buttons(html: str, call: WinnerCall) -> set[str]:
    """What the desk offers on the call: its one-click buttons and its links to the
    results admin's pages."""
    return set(re.findall(rf"/(?:desk/[a-z-]+/calls|winnercall)/{call.pk}/([a-z_]+)/", html))


def call_for(race, editor) -> WinnerCall:
    return services.winner_call(race=race, candidate=race.candidates.get(name="Donald Trump"),
                                by=editor, source="Decision desk")  # fmt: skip


def test_a_waiting_call_is_offered_to_a_second_editor_only(blog, race, editor, second_editor,
                                                           reporter):  # fmt: skip
    call = call_for(race, editor)

    second = results_region(signed_in(second_editor), blog)
    assert "Georgia: Donald Trump" in second
    assert "waiting for a second editor" in second
    assert "1 waiting" in second
    assert call_buttons(second, call) == {"confirm", "reject"}
    caller = results_region(signed_in(editor), blog)
    assert call_buttons(caller, call) == {"withdraw"}  # their own call: take it back
    assert "You made this call: a second editor confirms it." in caller
    assert call_buttons(results_region(signed_in(reporter), blog), call) == set()


def test_one_click_confirms_and_the_page_shows_the_winner(blog, race, editor, second_editor,
                                                          committed):  # fmt: skip
    call = call_for(race, editor)
    browser = signed_in(second_editor)

    with committed():
        answer = browser.post(desk(blog) + f"calls/{call.pk}/confirm/")

    assert answer.status_code == 200
    html = answer.content.decode()
    assert "The call for Donald Trump in Georgia: confirmed: it shows on the pages." in html
    assert 'id="region-results"' in html  # the results redrawn in place
    call.refresh_from_db()
    assert call.confirmed_by == second_editor
    assert "TRUMP WINS" in Client().get(blog.get_absolute_url()).content.decode()
    assert call_buttons(html, call) == {"correct", "withdraw"}  # links to the admin's pages


@pytest.mark.parametrize(("who", "status"), [("caller", 400), ("reporter", 403)])
def test_a_forged_verdict_is_refused_with_the_registry_s_status(blog, race, editor, reporter,
                                                               who, status):  # fmt: skip
    call = call_for(race, editor)
    user = editor if who == "caller" else reporter
    for name in ("confirm", "reject"):
        answer = signed_in(user).post(desk(blog) + f"calls/{call.pk}/{name}/")
        assert answer.status_code == status, name
    call.refresh_from_db()
    assert (call.confirmed_at, call.withdrawn_at) == (None, None)


def test_a_call_of_a_race_the_blog_does_not_show_is_not_found(blog, editor, second_editor):
    other = factories.RaceFactory(name="Ohio")
    call = services.winner_call(race=other, candidate=factories.CandidateFactory(race=other),
                                by=editor, source="Desk")  # fmt: skip
    assert (
        signed_in(second_editor).post(desk(blog) + f"calls/{call.pk}/confirm/").status_code == 404
    )


def test_reject_withdraws_a_waiting_call_on_record_and_it_never_shows(
    blog, race, editor, second_editor
):
    call = call_for(race, editor)
    answer = signed_in(second_editor).post(desk(blog) + f"calls/{call.pk}/reject/")
    assert answer.status_code == 200
    call.refresh_from_db()
    assert call.withdrawn_by == second_editor
    assert call.withdrawn_reason.startswith("Rejected by a second editor")
    assert call.confirmed_at is None
    assert "Georgia: Donald Trump" not in results_region(signed_in(second_editor), blog)


def test_every_change_to_a_waiting_call_tells_the_desks_of_the_blogs_showing_the_race(
    blog, race, editor, second_editor
):
    other_blog = factories.LiveBlogFactory(slug="other")  # does not show the race
    before = DeskChange.objects.count()
    call = call_for(race, editor)  # made
    services.winner_reject(call=call, by=second_editor)  # rejected
    call = call_for(race, editor)
    call = services.winner_confirm(call=call, by=second_editor)  # shown: a public change
    services.winner_correct(call=call, candidate=race.candidates.get(name="Kamala Harris"),
                            by=editor, note="Recount")  # proposed  # fmt: skip
    entries = list(DeskChange.objects.order_by("seq")[before:])
    assert [e.kind for e in entries] == ["call", "call", "call", "public", "call"]
    assert {e.blog_id for e in entries} == {blog.pk}
    assert not DeskChange.objects.filter(blog=other_blog).exists()


def test_recording_results_from_the_desk_comes_back_to_the_desk(blog, race, editor):
    browser = signed_in(editor)
    region = results_region(browser, blog)
    record = f"/admin/results/race/{race.pk}/record/?next={quote(desk(blog), safe='')}"
    assert f'href="{record}"' in region.replace("&amp;", "&")
    harris, trump = race.candidates.all()
    form = {"as_of_0": "2024-11-06", "as_of_1": "20:00:00", "source": "Desk",
            "source_seq": "1", "units_reporting": "", "units_total": "", "total_votes": "",
            f"votes_{harris.pk}": "10", f"electoral_{harris.pk}": "",
            f"votes_{trump.pk}": "12", f"electoral_{trump.pk}": "", "confirm": "1"}  # fmt: skip
    answer = browser.post(record, form)
    assert answer.status_code == 302
    assert answer["Location"] == desk(blog)
    evil = browser.post(f"/admin/results/race/{race.pk}/record/?next=https://evil.example/",
                        form | {"source_seq": "2"})  # fmt: skip
    assert evil["Location"] == f"/admin/results/race/{race.pk}/change/"  # not elsewhere


def test_the_results_region_costs_the_same_queries_with_two_races_or_twenty(
    blog, editor, second_editor
):
    def add_races(count: int) -> None:
        for _ in range(count):
            race = factories.RaceFactory()
            factories.CandidateFactory(race=race)
            blog.races.add(race)
            call = services.winner_call(race=race, candidate=race.candidates.get(), by=editor,
                                        source="Desk")  # fmt: skip
            services.winner_confirm(call=call, by=second_editor)

    browser = signed_in(second_editor)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            results_region(browser, blog)
        return len(queries)

    add_races(2)
    count()  # warm the caches (content types, permissions)
    two = count()
    add_races(18)
    assert count() == two  # nothing per race, nothing per call


def test_a_state_s_waiting_call_shows_on_the_desk_of_a_blog_showing_the_national_race(
    blog, editor, second_editor
):
    national = factories.RaceFactory(name="President", level="national")
    georgia = factories.RaceFactory(name="Georgia", level="state", parent=national)
    trump = factories.CandidateFactory(race=georgia, name="Donald Trump")
    blog.races.add(national)
    before = DeskChange.objects.filter(blog=blog).count()

    call = services.winner_call(race=georgia, candidate=trump, by=editor, source="AP")

    assert DeskChange.objects.filter(blog=blog).count() == before + 1  # its desks are told
    region = results_region(signed_in(second_editor), blog)
    assert "Georgia: Donald Trump" in region
    assert call_buttons(region, call) == {"confirm", "reject"}
    answer = signed_in(second_editor).post(desk(blog) + f"calls/{call.pk}/confirm/")
    assert answer.status_code == 200
