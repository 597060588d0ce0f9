"""The newsroom's own JSON and CSV results format: imports, idempotency, errors by row."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from results.ingest import import_document
from results.models import ResultSnapshot
from results.services import shares
from tests import factories

HEADER = "race,as_of,source,source_seq,units_reporting,units_total,total_votes,candidate,popular_votes,electoral_votes"  # noqa: E501


@pytest.fixture
def race(db):
    race = factories.RaceFactory(slug="us-president-2024", name="US presidential election 2024")
    factories.CandidateFactory(race=race, name="Kamala Harris", ballot_order=0)
    factories.CandidateFactory(race=race, name="Donald Trump", ballot_order=1)
    return race


def snapshot_json(seq="s1", as_of="2024-11-07T12:00:00+00:00", harris=74_962_105, **extra):
    doc = {
        "race": "us-president-2024",
        "as_of": as_of,
        "source": "Newsroom desk",
        "source_seq": seq,
        "units_reporting": 51,
        "units_total": 51,
        "total_votes": 154_980_434,
        "candidates": [
            {"name": "Kamala Harris", "popular_votes": harris, "electoral_votes": 226},
            {"name": "Donald Trump", "popular_votes": 77_205_384, "electoral_votes": 312},
        ],
    }
    return doc | extra


def csv_doc(*rows):
    return "\n".join([HEADER, *rows]) + "\n"


ROW_H = "us-president-2024,2024-11-07T12:00:00+00:00,Desk,c1,50,51,,Kamala Harris,1000,"
ROW_T = "us-president-2024,2024-11-07T12:00:00+00:00,Desk,c1,50,51,,Donald Trump,1200,"


def test_json_snapshot_imports_with_shares_and_electoral_votes(race):
    report = import_document(json.dumps(snapshot_json()))

    assert report.ok, report.errors
    assert (report.format, report.races_seen, report.snapshots_created) == ("newsroom JSON", 1, 1)
    snapshot = ResultSnapshot.objects.latest_of(race.pk)
    assert (snapshot.source, snapshot.source_seq, snapshot.total_votes) == (
        "Newsroom desk",
        "s1",
        154_980_434,
    )
    assert snapshot.as_of == datetime(2024, 11, 7, 12, 0, tzinfo=UTC)
    assert {r.candidate.name: r.electoral_votes for r in snapshot.results.all()} == {
        "Kamala Harris": 226,
        "Donald Trump": 312,
    }
    assert sorted(shares(snapshot).values()) == [Decimal("48.4"), Decimal("49.8")]


def test_json_list_is_idempotent_and_keeps_older_snapshots_as_history(race):
    older = snapshot_json(seq="s0", as_of="2024-11-07T01:00:00+01:00", harris=70_000_000)
    doc = [snapshot_json(), older]

    first = import_document(json.dumps(doc))
    again = import_document(json.dumps(doc))

    assert (first.snapshots_created, first.older_kept) == (2, 1)
    assert (again.snapshots_created, again.duplicates_skipped) == (0, 2)
    assert race.snapshots.count() == 2
    assert ResultSnapshot.objects.latest_of(race.pk).source_seq == "s1"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"candidates": [{"name": "Kamala Harris", "popular_votes": "12a"}]},
            'candidates[0].popular_votes: expected a whole number ≥ 0, got "12a"',
        ),
        (
            {"candidates": [{"name": "Kamala Haris", "popular_votes": 1}]},
            'candidates[0].name: "Kamala Haris" is not a candidate in US presidential election '
            "2024 (Donald Trump, Kamala Harris)",
        ),
        ({"race": "nope"}, 'race: no race with the slug "nope"'),
        (
            {"candidates": [{"name": "Kamala Harris", "votes": 1}]},
            'candidates[0]: unknown field "votes" (expected name, popular_votes, electoral_votes)',
        ),
        ({"units_reporting": 52}, "units_reporting: 52 is more than units_total 51"),
        (
            {"as_of": "2024-11-07 12:00"},
            'as_of: the time must include its offset (Z or +HH:MM), got "2024-11-07 12:00"',
        ),
        (
            {"total_votes": 10},
            "(us-president-2024): The total of 10 votes is less than the 152,167,489 counted "
            "for the candidates (shares would pass 100%).",
        ),
    ],
)
def test_json_errors_name_the_field(race, change, message):
    report = import_document(json.dumps(snapshot_json() | change))

    assert report.errors == [message]
    assert not race.snapshots.exists()


def test_one_bad_entry_in_a_json_list_does_not_block_the_others(race):
    bad = snapshot_json(seq="s2", candidates=[{"name": "Donald Trump", "popular_votes": -1}])

    report = import_document(json.dumps([snapshot_json(), bad]))

    assert report.errors == ["[1].candidates[0].popular_votes: expected a whole number ≥ 0, got -1"]
    assert report.snapshots_created == 1
    assert list(race.snapshots.values_list("source_seq", flat=True)) == ["s1"]


def test_csv_rows_group_into_snapshots(race):
    later = [r.replace(",c1,50,", ",c2,51,").replace("12:00", "13:00") for r in (ROW_H, ROW_T)]

    report = import_document(csv_doc(ROW_H, ROW_T, *later).encode(), filename="results.csv")

    assert report.ok, report.errors
    assert (report.format, report.races_seen, report.snapshots_created) == ("newsroom CSV", 1, 2)
    latest = ResultSnapshot.objects.latest_of(race.pk)
    assert (latest.source_seq, latest.units_reporting, latest.total_votes) == ("c2", 51, 2200)
    assert {r.candidate.name: r.electoral_votes for r in latest.results.all()} == {
        "Kamala Harris": None,
        "Donald Trump": None,
    }


def test_csv_is_recognised_by_its_header_and_a_bom(race):
    report = import_document(("\ufeff" + csv_doc(ROW_H, ROW_T)).encode())

    assert report.format == "newsroom CSV"
    assert report.snapshots_created == 1


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            (ROW_H, ROW_T.replace("1200", "12a")),
            'row 3 popular_votes: expected a whole number ≥ 0, got "12a"',
        ),
        (
            (ROW_H, ROW_T.replace("Donald Trump", "Donald Trumpp")),
            'row 3 candidate: "Donald Trumpp" is not a candidate in US presidential election 2024 '
            "(Donald Trump, Kamala Harris)",
        ),
        (
            (ROW_H, ROW_T.replace("12:00", "13:00")),
            'row 3 as_of: "2024-11-07T13:00:00+00:00" differs from row 2\'s '
            '"2024-11-07T12:00:00+00:00" for the same race, source and source_seq',
        ),
        (
            tuple(r.replace(",50,51,", ",52,51,") for r in (ROW_H, ROW_T)),
            "row 2 units_reporting: 52 is more than units_total 51",
        ),
        ((ROW_H, ROW_H), 'row 3 candidate: "Kamala Harris" appears twice in one snapshot'),
        ((ROW_H.replace("us-president-2024", "nope"),), 'row 2 race: no race with the slug "nope"'),
    ],
)
def test_csv_errors_name_the_row_and_the_good_snapshot_still_imports(race, rows, message):
    good = [r.replace(",c1,", ",ok,") for r in (ROW_H, ROW_T)]

    report = import_document(csv_doc(*rows, *good), filename="results.csv")

    assert report.errors == [message]
    assert list(race.snapshots.values_list("source_seq", flat=True)) == ["ok"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            HEADER.replace("popular_votes", "votes") + "\n",
            "row 1 (header): unknown columns votes; missing columns popular_votes (expected "
            f"{HEADER})",
        ),
        (
            csv_doc(ROW_H.replace("Kamala Harris", "Harris, Kamala")),
            "row 2: more cells than columns (quote cells with commas)",
        ),
    ],
)
def test_a_malformed_csv_is_refused_whole(race, content, message):
    report = import_document(content + ROW_T + "\n", filename="results.csv")

    assert report.errors == [message]
    assert not race.snapshots.exists()


def test_text_in_no_known_format_is_refused(db):
    report = import_document("hello")

    assert report.errors == [
        "document: neither JSON nor CSV with the newsroom header "
        "(starting race,as_of,source,source_seq,candidate,popular_votes…)"
    ]
