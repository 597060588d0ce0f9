"""AP Elections API v2 import: the 2015 Kentucky and Mississippi governor sample, exactly."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from liveblog.models import Change
from results.ingest import import_document
from results.models import Candidate, Race, ResultSnapshot, SnapshotUnit, WinnerCall
from results.services import shares, winner_withdraw
from tests import factories

SAMPLE = Path(__file__).parent / "data" / "ap-20151103.json"


@pytest.fixture
def sample():
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


def state_unit(doc, race_index):
    return doc["races"][race_index]["reportingUnits"][0]


def import_doc(doc):
    return import_document(json.dumps(doc).encode(), filename="feed.json")


def by_name(snapshot):
    return {r.candidate.name: r.popular_votes for r in snapshot.results.select_related("candidate")}


def test_sample_is_the_reference_copy():
    raw = SAMPLE.read_bytes()
    assert len(raw) == 136_254
    assert raw.startswith(b'{"electionDate":"2015-11-03"')
    assert not raw.endswith(b"\n")


@pytest.mark.django_db
def test_sample_imports_kentucky_with_exact_state_totals_and_counties():
    report = import_document(SAMPLE.read_bytes(), filename="ap-20151103.json")

    assert report.ok, report.errors
    assert (report.races_seen, report.races_created, report.snapshots_created) == (2, 2, 2)
    assert report.candidates_created == 6
    ky = Race.objects.get(source_id="KY-18525")
    assert (ky.name, ky.office, ky.threshold) == ("Kentucky Governor", "Governor", None)
    snapshot = ResultSnapshot.objects.latest_of(ky.pk)
    assert snapshot.source == "AP"
    assert snapshot.source_seq == "2015-11-04T19:14:28Z"
    assert snapshot.as_of == datetime(2015, 11, 4, 19, 14, 28, tzinfo=UTC)
    assert by_name(snapshot) == {
        "Matt Bevin": 511_771,
        "Jack Conway": 426_944,
        "Drew Curtis": 35_629,
    }
    assert snapshot.total_votes == 974_344
    assert (snapshot.units_reporting, snapshot.units_total, snapshot.results_to_go) == (
        3697,
        3697,
        0,
    )
    assert snapshot.units.count() == 120
    bevin = ky.candidates.get(source_id="5295")
    conway = ky.candidates.get(source_id="5266")
    # Units are keyed by AP's reportingunitID; the FIPS code is kept beside it.
    adair = snapshot.units.get(source_id="18001")
    assert (adair.name, adair.fips_code, adair.level, adair.units_reporting, adair.units_total) == (
        "Adair",
        "21001",
        "county",
        16,
        16,
    )
    assert adair.votes[str(bevin.pk)] == 2727
    assert adair.votes[str(conway.pk)] == 1268
    jefferson = snapshot.units.get(name="Jefferson")
    assert (jefferson.source_id, jefferson.fips_code, jefferson.votes[str(conway.pk)]) == (
        "18056",
        "21111",
        112_232,
    )


@pytest.mark.django_db
def test_sample_imports_mississippi_with_precincts_still_out():
    import_document(SAMPLE.read_bytes())

    ms = Race.objects.get(source_id="MS-25002")
    snapshot = ResultSnapshot.objects.latest_of(ms.pk)
    assert snapshot.source_seq == "2015-11-04T20:15:07Z"
    assert by_name(snapshot) == {
        "Phil Bryant": 472_197,
        "Robert Gray": 227_400,
        "Shawn O'Hara": 9_835,
    }
    assert snapshot.total_votes == 709_432
    assert (snapshot.units_reporting, snapshot.units_total, snapshot.results_to_go) == (
        1797,
        1811,
        14,
    )
    assert snapshot.units.count() == 82
    stone = snapshot.units.get(name="Stone")
    assert (stone.source_id, stone.fips_code, stone.units_reporting, stone.units_total) == (
        "25066",
        "28131",
        4,
        15,
    )
    gray = ms.candidates.get(name="Robert Gray")
    assert snapshot.units.get(name="Hinds").votes[str(gray.pk)] == 32_169


@pytest.mark.django_db
def test_shares_candidates_and_colours():
    import_document(SAMPLE.read_bytes())

    ky = Race.objects.get(source_id="KY-18525")
    ms = Race.objects.get(source_id="MS-25002")
    by_candidate = {
        **shares(ResultSnapshot.objects.latest_of(ky.pk)),
        **shares(ResultSnapshot.objects.latest_of(ms.pk)),
    }
    named = {Candidate.objects.get(pk=pk).name: share for pk, share in by_candidate.items()}
    assert named == {
        "Matt Bevin": Decimal("52.5"),
        "Jack Conway": Decimal("43.8"),
        "Drew Curtis": Decimal("3.7"),
        "Phil Bryant": Decimal("66.6"),
        "Robert Gray": Decimal("32.1"),
        "Shawn O'Hara": Decimal("1.4"),
    }
    assert [c.name for c in ky.candidates.all()] == ["Jack Conway", "Matt Bevin", "Drew Curtis"]
    bevin = ky.candidates.get(name="Matt Bevin")
    assert (bevin.party, bevin.party_short, bevin.colour, bevin.ballot_order) == (
        "Republican",  # AP's code as readers say it
        "GOP",
        "#c8102e",
        2,
    )
    assert ky.candidates.get(name="Jack Conway").colour == "#1a5bb8"
    oh = ms.candidates.get(source_id="31832")
    assert (oh.name, oh.party, oh.colour) == ("Shawn O'Hara", "RP", "#666666")


@pytest.mark.django_db
def test_winners_become_pending_calls_from_the_state_unit_only():
    report = import_document(SAMPLE.read_bytes())

    assert report.calls_recorded == 2
    calls = {c.race.source_id: c for c in WinnerCall.objects.select_related("race", "candidate")}
    assert calls["KY-18525"].candidate.name == "Matt Bevin"
    # Gray led Hinds county, where AP repeats the statewide "X" on Bryant: no county calls.
    assert calls["MS-25002"].candidate.name == "Phil Bryant"
    for call in calls.values():
        assert (call.source, call.called_by, call.is_confirmed) == ("AP", None, False)
    assert calls["MS-25002"].called_at == datetime(2015, 11, 4, 20, 15, 7, tzinfo=UTC)


@pytest.mark.django_db
def test_importing_the_same_document_twice_records_nothing_new():
    import_document(SAMPLE.read_bytes())
    again = import_document(SAMPLE.read_bytes())

    assert again.ok, again.errors
    assert (again.snapshots_created, again.duplicates_skipped, again.calls_recorded) == (0, 2, 0)
    assert (again.races_created, again.candidates_created, again.warnings) == (0, 0, [])
    assert ResultSnapshot.objects.count() == 2
    assert SnapshotUnit.objects.count() == 120 + 82
    assert WinnerCall.objects.count() == 2


@pytest.mark.django_db
def test_a_later_document_records_a_second_snapshot(sample):
    import_document(SAMPLE.read_bytes())
    unit = state_unit(sample, 1)
    unit["lastUpdated"] = "2015-11-04T23:00:00Z"
    unit["precinctsReporting"] = 1811
    unit["candidates"][0]["voteCount"] += 1_000
    unit["candidates"][1]["voteCount"] += 2_000

    report = import_doc(sample)

    assert (report.snapshots_created, report.duplicates_skipped, report.older_kept) == (1, 1, 0)
    ms = Race.objects.get(source_id="MS-25002")
    assert ms.snapshots.count() == 2
    latest = ResultSnapshot.objects.latest_of(ms.pk)
    assert latest.source_seq == "2015-11-04T23:00:00Z"
    assert latest.total_votes == 709_432 + 3_000
    assert latest.results_to_go == 0
    assert by_name(latest)["Robert Gray"] == 229_400


@pytest.mark.django_db
def test_an_older_document_is_history_and_is_not_announced(sample, blog):
    import_document(SAMPLE.read_bytes())
    ms = Race.objects.get(source_id="MS-25002")
    blog.races.add(ms)
    announced = Change.objects.filter(blog=blog, kind="results").count()
    unit = state_unit(sample, 1)
    unit["lastUpdated"] = "2015-11-04T03:00:00Z"
    unit["precinctsReporting"] = 900
    unit["candidates"][0]["voteCount"] = 250_000

    report = import_doc(sample)

    assert (report.snapshots_created, report.older_kept) == (1, 1)
    assert ms.snapshots.count() == 2
    assert ResultSnapshot.objects.latest_of(ms.pk).source_seq == "2015-11-04T20:15:07Z"
    assert Change.objects.filter(blog=blog, kind="results").count() == announced


@pytest.mark.django_db
def test_a_race_set_up_by_hand_is_adopted_and_its_blog_told(blog):
    race = factories.RaceFactory(source_id="KY-18525", name="Kentucky", threshold=None)
    factories.CandidateFactory(race=race, name="Matt Bevin", colour="#000000")
    blog.races.add(race)

    report = import_document(SAMPLE.read_bytes())

    assert (report.races_created, report.candidates_created) == (1, 5)  # Mississippi's 3 + 2
    bevin = race.candidates.get(name="Matt Bevin")
    assert (bevin.source_id, bevin.colour) == ("5295", "#000000")  # the editor's colour stays
    assert Change.objects.filter(blog=blog, kind="results").count() == 1


@pytest.mark.django_db
def test_a_call_an_editor_withdrew_is_not_made_again(sample, editor):
    import_document(SAMPLE.read_bytes())
    call = WinnerCall.objects.get(race__source_id="KY-18525")
    winner_withdraw(call=call, by=editor, reason="Checking AP's call")
    state_unit(sample, 0)["lastUpdated"] = "2015-11-05T10:00:00Z"

    report = import_doc(sample)

    assert report.snapshots_created == 1
    assert report.calls_recorded == 0
    assert WinnerCall.objects.filter(race__source_id="KY-18525").count() == 1


@pytest.mark.django_db
def test_same_timestamp_with_different_votes_keeps_the_stored_snapshot(sample):
    import_document(SAMPLE.read_bytes())
    state_unit(sample, 0)["candidates"][0]["voteCount"] += 5

    report = import_doc(sample)

    assert report.snapshots_created == 0
    assert report.warnings == [
        "races[0] (KY-18525): AP '2015-11-04T19:14:28Z' is already stored with different "
        "votes; the stored snapshot is kept (a correction needs a new sequence)"
    ]


def presidential_document():
    def candidates(harris, trump, ev_harris, ev_trump, winner):
        return [
            {"first": "Kamala", "last": "Harris", "party": "Dem", "candidateID": "1",
             "ballotOrder": 1, "voteCount": harris, "electWon": ev_harris},
            {"first": "Donald", "last": "Trump", "party": "GOP", "candidateID": "8639",
             "ballotOrder": 2, "voteCount": trump, "electWon": ev_trump, "winner": winner},
        ]  # fmt: skip

    return {
        "electionDate": "2024-11-05",
        "races": [
            {
                "raceID": "0",
                "raceType": "General",
                "officeID": "P",
                "officeName": "President",
                "reportingUnits": [
                    {
                        "statePostal": "US",
                        "level": "national",
                        "lastUpdated": "2024-11-07T00:31:00Z",
                        "precinctsReporting": 51,
                        "precinctsTotal": 51,
                        "electTotal": 538,
                        "candidates": candidates(74_332_538, 76_869_569, 226, 312, "X"),
                    },
                    {
                        "statePostal": "PA",
                        "stateName": "Pennsylvania",
                        "level": "state",
                        "lastUpdated": "2024-11-06T10:00:00Z",
                        "precinctsReporting": 9_000,
                        "precinctsTotal": 9_100,
                        "electTotal": 19,
                        "candidates": candidates(3_400_000, 3_540_000, 0, 19, "X"),
                    },
                ],
            }
        ],
    }


@pytest.mark.django_db
def test_a_presidential_document_gives_electoral_votes_and_the_threshold():
    report = import_doc(presidential_document())

    assert report.ok, report.errors
    race = Race.objects.get(source_id="US-0")
    assert (race.name, race.threshold, race.threshold_unit) == (
        "United States President",
        270,
        "electoral votes",
    )
    snapshot = ResultSnapshot.objects.latest_of(race.pk)
    electoral = {r.candidate.name: r.electoral_votes for r in snapshot.results.all()}
    assert electoral == {"Kamala Harris": 226, "Donald Trump": 312}
    pa = snapshot.units.get()
    assert (pa.source_id, pa.name, pa.level, pa.units_reporting) == (
        "PA",
        "Pennsylvania",
        "state",
        9_000,
    )
    assert race.calls.get().candidate.name == "Donald Trump"


@pytest.mark.django_db
def test_a_call_in_an_older_document_is_not_made(sample):
    uncalled = copy.deepcopy(sample)
    for candidate in state_unit(uncalled, 1)["candidates"]:
        candidate.pop("winner", None)
    import_doc(uncalled)
    state_unit(sample, 1)["lastUpdated"] = "2015-11-04T06:00:00Z"  # older, with Bryant's "X"

    report = import_doc(sample)

    assert (report.older_kept, report.calls_recorded) == (1, 0)
    assert not WinnerCall.objects.filter(race__source_id="MS-25002").exists()


@pytest.mark.django_db
def test_a_winner_flag_taken_back_is_reported_not_acted_on(sample):
    import_document(SAMPLE.read_bytes())
    unit = state_unit(sample, 1)
    unit["lastUpdated"] = "2015-11-05T10:00:00Z"
    for candidate in unit["candidates"]:
        candidate.pop("winner", None)

    report = import_doc(sample)

    assert report.warnings == [
        "races[1] (MS-25002): AP no longer marks a winner, but the call for Phil Bryant "
        "stands until an editor withdraws it"
    ]
    assert WinnerCall.objects.get(race__source_id="MS-25002").withdrawn_at is None


@pytest.mark.django_db
def test_a_snapshot_dated_in_the_future_is_refused_and_the_rest_imports(sample):
    state_unit(sample, 1)["lastUpdated"] = "9999-12-31T23:59:59Z"

    report = import_doc(sample)

    assert report.snapshots_created == 1  # Kentucky; Mississippi refused with its reason
    assert any("in the future" in error for error in report.errors), report.errors
    assert not ResultSnapshot.objects.filter(as_of__year=9999).exists()
