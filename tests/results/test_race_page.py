"""A race's results page with a breakdown of any size: 200 units a page, searchable by
name, each page drawn once per snapshot and served from the cache after."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from results import services

pytestmark = pytest.mark.django_db
T = datetime(2024, 11, 6, 3, 0, tzinfo=UTC)


@pytest.fixture
def big_race(race):
    units = [services.UnitCount(f"{n:05d}", f"County {n:05d}", {"Kamala Harris": 1,
                                                                 "Donald Trump": 2})
             for n in range(450)]  # fmt: skip
    services.snapshot_record(
        race=race, as_of=T, source="AP", source_seq="1", units=units,
        counts=[services.CandidateCount("Kamala Harris", 450),
                services.CandidateCount("Donald Trump", 900)],
    )  # fmt: skip
    return race


def units_read(queries) -> int:
    return sum("results_snapshotunit" in q["sql"] for q in queries.captured_queries)


def test_the_breakdown_is_paged_200_at_a_time(client, big_race):
    first = client.get(f"/results/{big_race.slug}/").content.decode()
    last = client.get(f"/results/{big_race.slug}/?page=3").content.decode()

    assert first.count('<th scope="row">County ') == 200
    assert "1–200 of 450" in first
    assert "?page=2" in first
    assert last.count('<th scope="row">County ') == 50
    assert "401–450 of 450" in last
    assert "County 00449" in last


def test_a_reader_finds_a_county_by_name(client, big_race):
    page = client.get(f"/results/{big_race.slug}/?q=00317").content.decode()

    assert page.count('<th scope="row">County ') == 1
    assert "County 00317" in page
    missing = client.get(f"/results/{big_race.slug}/?q=Atlantis").content.decode()
    assert "No county named “Atlantis”." in missing


def test_each_page_is_drawn_once_per_snapshot_then_served_from_the_cache(client, big_race):
    client.get(f"/results/{big_race.slug}/?page=2")
    with CaptureQueriesContext(connection) as again:
        page = client.get(f"/results/{big_race.slug}/?page=2").content.decode()

    assert units_read(again) == 0
    assert "201–400 of 450" in page
    services.snapshot_record(
        race=big_race, as_of=T.replace(hour=4), source="AP", source_seq="2",
        units=[services.UnitCount("00000", "County 00000", {"Kamala Harris": 5})],
        counts=[services.CandidateCount("Kamala Harris", 500),
                services.CandidateCount("Donald Trump", 900)],
    )  # fmt: skip
    with CaptureQueriesContext(connection) as moved:
        newer = client.get(f"/results/{big_race.slug}/").content.decode()
    assert units_read(moved) > 0  # a new snapshot: drawn afresh
    assert newer.count('<th scope="row">County ') == 1


def test_a_race_without_a_breakdown_shows_no_table(client, race):
    services.snapshot_record(race=race, as_of=T, source="AP", source_seq="1",
                             counts=[services.CandidateCount("Kamala Harris", 4)])  # fmt: skip

    page = client.get(f"/results/{race.slug}/").content.decode()

    assert "units-heading" not in page


def test_the_page_keeps_itself_current_through_a_cacheable_versioned_poll(
    client, race, editor, second_editor
):
    page = client.get(f"/results/{race.slug}/").content.decode()
    shown = re.search(r'data-results-live="([^"]+)" data-version="(\w+)"', page)
    assert shown is not None
    live, version = shown.groups()
    assert live == f"/results/{race.slug}/live/"
    assert 'src="/static/results/live.js"' in page

    quiet = client.get(live, {"v": version})
    assert quiet.status_code == 204  # current: nothing to send
    assert quiet["X-Results-Version"] == version
    assert "public" in quiet["Cache-Control"]
    assert "max-age=" in quiet["Cache-Control"]

    # New figures: a new version and the header as the page draws it.
    services.snapshot_record(
        race=race, as_of=T, source="AP", source_seq="2",
        counts=[services.CandidateCount("Kamala Harris", 10),
                services.CandidateCount("Donald Trump", 20)],
    )  # fmt: skip
    moved = client.get(live, {"v": version})
    assert moved.status_code == 200
    assert moved["X-Results-Version"] != version
    assert 'id="results"' in moved.content.decode()
    assert "20 votes" in moved.content.decode()
    counted = moved["X-Results-Version"]

    # A call made and confirmed moves it again (the banner), though no count changed.
    trump = race.candidates.get(name="Donald Trump")
    call = services.winner_call(race=race, candidate=trump, source="Newsroom", by=editor)
    services.winner_confirm(call=call, by=second_editor)
    called = client.get(live, {"v": counted})
    assert called.status_code == 200
    assert "TRUMP WINS" in called.content.decode()
    assert client.get(live, {"v": called["X-Results-Version"]}).status_code == 204
