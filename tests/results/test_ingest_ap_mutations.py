"""Every real AP document, mutated as feeds go wrong on the night: units reordered, fields
left out, levels nobody told us about, a required number missing, a race that vanishes
from the next response. Each imports, or is refused, exactly as docs/results-ingest.md
says, and a refused race leaves nothing behind."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from results.ingest import import_document
from results.ingest.ap import race_label
from results.models import Candidate, Race, ResultSnapshot

from .ap_corpus import assert_stored_as_sent, load, top_unit

pytestmark = pytest.mark.django_db
NAMES = ["county", "town", "mail ballots", "caucus", "district", "presidential"]
# The big documents are trimmed to these many races (towns, primaries and the uncontested
# race kept): the mutations are the same, the test minutes are not.
MAX_RACES = 24


def trimmed(name: str) -> dict[str, Any]:
    doc = load(name)
    races = doc["races"]
    if len(races) > MAX_RACES:
        keep = [r for r in races if not r.get("reportingUnits")]
        towns = [r for r in races if r.get("reportingUnits")
                 and top_unit(r)["statePostal"] in ("CT", "RI")]  # fmt: skip
        keep += towns[: MAX_RACES // 2]
        keep += [r for r in races if r not in keep][: MAX_RACES - len(keep)]
        doc["races"] = keep
    return doc


def importing(doc: dict[str, Any]):
    return import_document(json.dumps(doc).encode(), allow_test=True)


def counted(doc: dict[str, Any]) -> list[int]:
    return [i for i, r in enumerate(doc["races"]) if r.get("reportingUnits")]


def with_subunits(doc: dict[str, Any]) -> int:
    """The first race with a breakdown (counties, towns or districts)."""
    for i, race in enumerate(doc["races"]):
        if any(u["level"] in ("subunit", "district") for u in race.get("reportingUnits", [])):
            return i
    raise AssertionError("no race with a breakdown")


@pytest.mark.parametrize("name", NAMES)
def test_reordered_units_and_races_store_the_same(name):
    doc = trimmed(name)
    mutated = copy.deepcopy(doc)
    mutated["races"].reverse()
    for race in mutated["races"]:
        race.get("reportingUnits", []).reverse()
    report = importing(mutated)
    assert report.ok, report.errors[:3]
    assert assert_stored_as_sent(doc) == len(counted(doc))


@pytest.mark.parametrize("name", NAMES)
def test_fields_ap_may_leave_out_are_not_needed(name):
    doc = trimmed(name)
    optional = {"first", "party", "incumbent", "abbrv", "polID", "ballotOrder", "polNum",
                "precinctsReportingPct", "fipsCode", "winner", "delegateCount"}  # fmt: skip
    for race in doc["races"]:
        race.pop("raceType", None)
        race.pop("party", None)
        for unit in race.get("reportingUnits", []):
            for key in optional & unit.keys():
                del unit[key]
            for candidate in unit["candidates"]:
                for key in optional & candidate.keys():
                    del candidate[key]
    report = importing(doc)
    assert report.ok, report.errors[:3]
    assert assert_stored_as_sent(doc) == len(counted(doc))
    assert not Candidate.objects.filter(name__startswith=" ").exists()


@pytest.mark.parametrize("name", NAMES)
def test_a_unit_of_an_unknown_level_is_left_out_with_a_warning(name):
    doc = trimmed(name)
    index = with_subunits(doc)
    units = doc["races"][index]["reportingUnits"]
    j = next(j for j, u in enumerate(units) if u["level"] in ("subunit", "district"))
    units[j]["level"] = "precinct"
    report = importing(doc)
    assert report.ok, report.errors[:3]
    label = race_label(index, doc["races"][index])
    assert [w for w in report.warnings if "level" in w] == [
        f'{label} reportingUnits[{j}]: level "precinct" is not one this importer knows '
        "(national, state, district, subunit); the unit is left out"
    ]
    assert assert_stored_as_sent(doc) == len(counted(doc))  # the unit is not stored


@pytest.mark.parametrize("name", NAMES)
def test_a_missing_vote_count_refuses_that_race_whole_and_only_it(name):
    doc = trimmed(name)
    index = with_subunits(doc)
    race = doc["races"][index]
    j = next(j for j, u in enumerate(race["reportingUnits"]) if u["level"] != "state")
    del race["reportingUnits"][j]["candidates"][0]["voteCount"]
    report = importing(doc)
    label = race_label(index, race)
    assert report.errors == [f'{label} reportingUnits[{j}].candidates[0]: missing "voteCount"']
    source_id = f"{top_unit(race)['statePostal']}-{race['raceID']}"
    assert not Race.objects.filter(source_id=source_id).exists()  # nothing half-written
    assert not Candidate.objects.filter(race__source_id=source_id).exists()
    assert assert_stored_as_sent(doc, skip={source_id}) == len(counted(doc)) - 1


@pytest.mark.parametrize("name", NAMES)
def test_a_race_that_vanishes_from_the_next_response_keeps_what_it_had(name):
    doc = trimmed(name)
    importing(doc)
    index = counted(doc)[0]
    gone = doc["races"][index]
    gone_id = f"{top_unit(gone)['statePostal']}-{gone['raceID']}"
    kept = Race.objects.get(source_id=gone_id)
    before = ResultSnapshot.objects.latest_of(kept.pk)
    later = copy.deepcopy(doc)
    del later["races"][index]
    for race in later["races"]:
        for unit in race.get("reportingUnits", []):
            stamp = datetime.fromisoformat(unit["lastUpdated"].replace("Z", "+00:00"))
            unit["lastUpdated"] = (stamp + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
            for candidate in unit["candidates"]:
                candidate["voteCount"] += 1 if unit["level"] == "state" else 0
    report = importing(later)
    assert report.ok, report.errors[:3]
    assert report.snapshots_created == len(counted(doc)) - 1
    assert ResultSnapshot.objects.latest_of(kept.pk) == before  # untouched, not zeroed
    assert kept.snapshots.count() == 1
    assert assert_stored_as_sent(later) == len(counted(doc)) - 1
