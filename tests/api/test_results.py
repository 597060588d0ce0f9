"""Results: races, candidates, the latest snapshot, the history, the confirmed winner."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from results.services import CandidateCount, snapshot_record, winner_call, winner_confirm
from tests import factories

from .conftest import error_code

T0 = datetime(2024, 11, 6, 3, 0, tzinfo=UTC)


@pytest.fixture
def race(blog):
    race = factories.RaceFactory(slug="president")
    factories.CandidateFactory(
        race=race, name="Kamala Harris", party="Democratic", party_short="Dem", ballot_order=1
    )
    factories.CandidateFactory(
        race=race, name="Donald Trump", party="Republican", party_short="Rep", ballot_order=2
    )
    blog.races.add(race)
    return race


def record(race, seq: str, as_of: datetime, harris: int, trump: int, **kwargs):
    return snapshot_record(
        race=race,
        as_of=as_of,
        source="AP",
        source_seq=seq,
        counts=[
            CandidateCount("Kamala Harris", harris, kwargs.pop("harris_ev", None)),
            CandidateCount("Donald Trump", trump, kwargs.pop("trump_ev", None)),
        ],
        **kwargs,
    )


def test_race_shows_the_latest_snapshot_with_shares_and_the_confirmed_winner(
    partner, race, editor, second_editor
):
    record(race, "1", T0, 100, 120)
    record(
        race,
        "2",
        T0 + timedelta(hours=1),
        74_332_538,
        76_869_569,
        total_votes=153_913_012,
        units_reporting=49,
        harris_ev=226,
        trump_ev=312,
    )
    trump = race.candidates.get(name="Donald Trump")
    winner_confirm(
        call=winner_call(race=race, candidate=trump, by=editor, source="AP"), by=second_editor
    )

    body = partner.get("/api/v1/races/president/").json()

    latest = body["latest_snapshot"]
    assert latest["source_seq"] == "2"
    assert (latest["units_reporting"], latest["units_total"], latest["results_to_go"]) == (
        49,
        51,
        2,
    )
    assert [(r["name"], r["share"], r["electoral_votes"]) for r in latest["results"]] == [
        ("Kamala Harris", 48.3, 226),
        ("Donald Trump", 49.9, 312),
    ]
    assert body["winner"]["name"] == "Donald Trump"
    assert body["winner"]["source"] == "AP"
    assert [c["name"] for c in body["candidates"]] == ["Kamala Harris", "Donald Trump"]
    assert body["url"] == "http://testserver/results/president/"


def test_an_unconfirmed_call_is_not_a_winner(partner, race, editor):
    trump = race.candidates.get(name="Donald Trump")
    winner_call(race=race, candidate=trump, by=editor, source="AP")

    assert partner.get("/api/v1/races/president/").json()["winner"] is None


def test_race_list_and_filter_by_blog(partner, race, blog):
    factories.RaceFactory(slug="senate", name="Senate")

    everything = partner.get("/api/v1/races/").json()
    on_blog = partner.get(f"/api/v1/races/?blog={blog.slug}").json()

    assert {r["slug"] for r in everything["results"]} == {"president", "senate"}
    assert [r["slug"] for r in on_blog["results"]] == ["president"]


def test_history_is_newest_first_and_paged(partner, race):
    for i in range(5):
        record(race, str(i), T0 + timedelta(minutes=i), 10 + i, 20 + i)

    first = partner.get("/api/v1/races/president/snapshots/?limit=3").json()
    rest = partner.get(f"/api/v1/races/president/snapshots/?limit=3&cursor={first['next']}")

    seqs = [s["source_seq"] for s in first["results"] + rest.json()["results"]]
    assert seqs == ["4", "3", "2", "1", "0"]
    assert rest.json()["has_more"] is False


def test_latest_snapshot(partner, race):
    record(race, "1", T0, 1, 3)

    body = partner.get("/api/v1/races/president/snapshots/latest/").json()

    assert body["total_votes"] == 4
    assert [r["share"] for r in body["results"]] == [25.0, 75.0]


def test_latest_snapshot_before_any_count_is_404(partner, race):
    response = partner.get("/api/v1/races/president/snapshots/latest/")

    assert response.status_code == 404
    assert error_code(response) == "not_found"


def test_a_race_before_any_count(partner, race):
    body = partner.get("/api/v1/races/president/").json()

    assert body["latest_snapshot"] is None
    assert body["winner"] is None


def test_unknown_race_is_404(partner, db):
    assert partner.get("/api/v1/races/nope/").status_code == 404
    assert partner.get("/api/v1/races/nope/snapshots/").status_code == 404


def test_results_answer_304_when_unchanged(partner, race):
    record(race, "1", T0, 1, 3)
    url = "/api/v1/races/president/"
    etag = partner.get(url)["ETag"]

    assert partner.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    record(race, "2", T0 + timedelta(minutes=1), 2, 3)
    assert partner.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_results_need_the_results_scope(make_key, race):
    from .conftest import client_for

    client = client_for(make_key(["liveblog:read"]))

    assert client.get("/api/v1/races/president/").status_code == 403


@pytest.mark.parametrize("value", ["M\x1d", " election", "election\t", "M\x1c"])
def test_query_values_are_taken_as_sent_not_trimmed_into_a_slug(partner, value):
    # Python's str.strip() removes \x1c-\x1f too: trimming turned "M\x1d" into a valid slug
    # that the schema's pattern forbids (found by schemathesis).
    assert partner.get("/api/v1/races/", {"blog": value}).status_code == 400
    assert partner.get("/api/v1/blogs/election/posts/", {"label": value}).status_code == 400


def test_the_snapshot_history_agrees_with_the_pages_chart_after_a_void(partner, race, editor):
    from results.charts import history
    from results.services import snapshot_void

    kept = record(race, "1", T0, 100, 120)[0]
    wrong = record(race, "2", T0 + timedelta(hours=1), 9_000_000, 1)[0]
    latest = record(race, "3", T0 + timedelta(hours=2), 300, 320)[0]
    snapshot_void(snapshot=wrong, by=editor, reason="A typo in the wire's count")

    listed = partner.get("/api/v1/races/president/snapshots/").json()["results"]
    charted = history(race).snapshots

    assert [s["id"] for s in listed] == [latest.pk, kept.pk]  # newest first, void left out
    assert sorted(s["id"] for s in listed) == sorted(s.pk for s in charted)
