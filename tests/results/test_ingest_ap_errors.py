"""Malformed AP documents: refused with the path named; a bad race never blocks a good one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from results.ingest import import_document
from results.models import Candidate, Race, ResultSnapshot, SnapshotUnit, WinnerCall

SAMPLE = Path(__file__).parent / "data" / "ap-20151103.json"
MS = "races[1] (MS-25002) reportingUnits"


def mississippi(doc):
    return doc["races"][1]


def ms_state(doc):
    return mississippi(doc)["reportingUnits"][0]


def set_in(path, value):
    """A change to the Mississippi race: ``set_in((0, "candidates", 2, "voteCount"), -5)``."""

    def change(doc):
        target = mississippi(doc)["reportingUnits"]
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def drop_state_unit(doc):
    mississippi(doc)["reportingUnits"].pop(0)


def drop_last_updated(doc):
    del ms_state(doc)["lastUpdated"]


CASES = {
    "negative votes": (
        set_in((0, "candidates", 2, "voteCount"), -5),
        f"{MS}[0].candidates[2].voteCount: expected a whole number ≥ 0, got -5",
    ),
    "non-numeric votes": (
        set_in((0, "candidates", 2, "voteCount"), "12a"),
        f'{MS}[0].candidates[2].voteCount: expected a whole number ≥ 0, got "12a"',
    ),
    "fractional county votes": (
        set_in((4, "candidates", 1, "voteCount"), 12.5),
        f"{MS}[4].candidates[1].voteCount: expected a whole number ≥ 0, got 12.5",
    ),
    "precincts over total": (
        set_in((0, "precinctsReporting"), 1812),
        f"{MS}[0].precinctsReporting: 1812 is more than precinctsTotal 1811",
    ),
    "county precincts over total": (
        set_in((7, "precinctsReporting"), 99),
        f"{MS}[7].precinctsReporting: 99 is more than precinctsTotal 10",
    ),
    "precincts as text": (
        set_in((0, "precinctsTotal"), "1811"),
        f'{MS}[0].precinctsTotal: expected a whole number ≥ 0, got "1811"',
    ),
    "unknown county candidate": (
        set_in((3, "candidates", 0, "candidateID"), "99999"),
        f"{MS}[3].candidates[0].candidateID: candidate 99999 is not in the statewide unit "
        "(which has 31345, 31581, 31832)",
    ),
    "no state unit": (
        drop_state_unit,
        f'{MS}: no unit with level "state" (the statewide total), so there is no total to record',
    ),
    "duplicate candidate": (
        set_in((0, "candidates", 1, "candidateID"), "31345"),
        f"{MS}[0].candidates[1].candidateID: candidate 31345 appears twice",
    ),
    "missing key": (drop_last_updated, f'{MS}[0]: missing "lastUpdated"'),
    "time without offset": (
        set_in((0, "lastUpdated"), "2015-11-04T20:15:07"),
        f"{MS}[0].lastUpdated: the time must include its offset (Z or +HH:MM), "
        'got "2015-11-04T20:15:07"',
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES)
def test_a_malformed_race_is_refused_by_path_and_the_good_race_imports(case):
    change, message = CASES[case]
    doc = json.loads(SAMPLE.read_text(encoding="utf-8"))
    change(doc)

    report = import_document(json.dumps(doc))

    assert report.errors == [message]
    assert not report.ok
    assert (report.races_seen, report.snapshots_created, report.calls_recorded) == (2, 1, 1)
    assert Race.objects.get().source_id == "KY-18525"
    assert not Candidate.objects.filter(source_id__in=["31345", "31581", "31832"]).exists()
    assert ResultSnapshot.objects.get().race.source_id == "KY-18525"
    assert SnapshotUnit.objects.count() == 120
    assert WinnerCall.objects.get().race.source_id == "KY-18525"


@pytest.mark.django_db
def test_a_race_the_service_refuses_leaves_nothing_behind(monkeypatch):
    from results.ingest import store

    real = store.snapshot_record

    def refuse_mississippi(*, race, **kwargs):
        if race.source_id == "MS-25002":
            raise ValidationError("The snapshot time must include a time zone.")
        return real(race=race, **kwargs)

    monkeypatch.setattr(store, "snapshot_record", refuse_mississippi)

    report = import_document(SAMPLE.read_bytes())

    assert report.errors == ["races[1] (MS-25002): The snapshot time must include a time zone."]
    assert report.races_created == 1  # Mississippi's race was rolled back with its snapshot
    assert list(Race.objects.values_list("source_id", flat=True)) == ["KY-18525"]
    assert Candidate.objects.count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            '{"electionDate": "2015-11-03"}',
            'document: missing "races" (an AP Elections API document has a "races" list; '
            'the newsroom format has "race" and "candidates")',
        ),
        ('{"races": {"KY": 1}}', 'races: expected a list, got {"KY": 1}'),
        ('{"races": [', "document: not valid JSON (line 1 column 12: Expecting value)"),
        (b"\xff\xfe{}", "document: not UTF-8 text (byte 0)"),
    ],
)
def test_a_document_without_a_race_list_is_refused_whole(document, message):
    report = import_document(document)

    assert report.errors == [message]
    assert not Race.objects.exists()
    assert not ResultSnapshot.objects.exists()


@pytest.mark.django_db
def test_test_races_duplicates_and_non_objects_are_reported_per_race():
    doc = json.loads(SAMPLE.read_text(encoding="utf-8"))
    mississippi(doc)["test"] = True
    doc["races"] += [doc["races"][0], 5]

    report = import_document(json.dumps(doc))

    assert report.warnings == ['races[1] (MS-25002): an AP test race ("test": true), not imported']
    assert report.errors == [
        "races[2] (KY-18525): the same race as races[0] (KY-18525)",
        "races[3]: expected an object, got 5",
    ]
    assert (report.races_seen, report.snapshots_created) == (4, 1)
    assert list(Race.objects.values_list("source_id", flat=True)) == ["KY-18525"]


@pytest.mark.django_db
def test_test_races_import_when_allowed():
    doc = json.loads(SAMPLE.read_text(encoding="utf-8"))
    mississippi(doc)["test"] = True

    report = import_document(json.dumps(doc), allow_test=True)

    assert report.ok
    assert report.snapshots_created == 2


# --- Hostile documents: never an exception, always a refusal that says why -------------


def _sample() -> dict:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


@pytest.mark.django_db
def test_votes_that_overflow_a_64_bit_sum_refuse_that_race_only():
    doc = _sample()
    for candidate in ms_state(doc)["candidates"]:
        candidate["voteCount"] = 2**63 - 1  # each fits; their sum does not

    report = import_document(json.dumps(doc).encode())

    assert report.snapshots_created == 1  # Kentucky still imports
    assert any("more than 1,000,000,000,000" in error for error in report.errors)


@pytest.mark.parametrize(
    ("document", "says"),
    [
        pytest.param(
            b'{"races": [{"raceID": 1' + b"9" * 5000 + b"}]}",
            "cannot be read",
            id="5000-digit-number",
        ),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, "nested too deeply", id="100000-deep"),
        pytest.param(
            b'{"races": ' + b"[" * 900 + b"]" * 900 + b"}",
            "races[0]: expected an object",
            id="deep-inside-races",
        ),
    ],
)
@pytest.mark.django_db
def test_hostile_documents_are_refused_not_raised(document, says):
    report = import_document(document)

    assert not report.ok
    assert any(says in error for error in report.errors), report.errors


@pytest.mark.django_db
def test_an_oversized_document_is_refused_before_it_is_read(monkeypatch):
    from results import ingest

    monkeypatch.setattr(ingest, "MAX_DOCUMENT_BYTES", 1000)

    report = import_document(b" " * 1001)

    assert report.errors == [
        "document: 1,001 bytes, more than the 1,000 a results document may have"
    ]


@pytest.mark.django_db
def test_a_county_above_its_state_refuses_that_race():
    doc = _sample()
    county = mississippi(doc)["reportingUnits"][1]
    county["candidates"][0]["voteCount"] = ms_state(doc)["candidates"][0]["voteCount"] + 1

    report = import_document(json.dumps(doc).encode())

    assert report.snapshots_created == 1
    assert any("more than the" in e and "counted in the whole race" in e for e in report.errors)


@pytest.mark.django_db
def test_the_import_command_goes_on_after_a_hostile_file(tmp_path, capsys):
    from django.core.management import CommandError, call_command

    hostile = tmp_path / "deep.json"
    hostile.write_bytes(b"[" * 100_000 + b"]" * 100_000)
    good = tmp_path / "good.json"
    good.write_bytes(SAMPLE.read_bytes())

    with pytest.raises(CommandError, match="1 of 2 files"):
        call_command("import_results", str(hostile), str(good))

    assert ResultSnapshot.objects.count() == 2  # the good file after the bad one
