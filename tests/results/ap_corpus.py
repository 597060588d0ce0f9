"""The real AP v2 documents in ``../shared/reference/`` and a checker that compares what
was stored with each document's own numbers."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from results.models import Race, ResultSnapshot

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference"
DOCUMENTS = {
    "county": REFERENCE / "ap-results-sample.json",  # KY and MS governors, 2015
    "town": REFERENCE / "ap" / "20160426_ct_rollups.json",  # CT and RI by town, primaries
    "mail ballots": REFERENCE / "ap" / "20160426-ri_mail_ballots.json",
    "caucus": REFERENCE / "ap" / "20160305_me_no_townships.json",
    "district": REFERENCE / "ap" / "20160201_district_results.json",  # Iowa's caucuses
    # Massachusetts' primaries of Super Tuesday 2016, kept in the repository (data/ap/):
    # the called Democratic race sends "winner": "N" on the runner-up in every unit.
    "super tuesday": Path(__file__).parent / "data" / "ap" / "20160301_super_tuesday.json",
}
KNOWN_LEVELS = {"state", "national", "district", "subunit"}


def load(name: str) -> dict[str, Any]:
    if name == "presidential":  # made from AP's shape: no public corpus has one
        from datetime import UTC, datetime

        from benchmarks.synthetic import presidential_document

        return presidential_document(["PA", "ME", "NE", "GA"], counties=5, calls={"PA": 1},
                                     at=datetime(2024, 11, 6, 3, tzinfo=UTC))  # fmt: skip
    path = DOCUMENTS[name]
    if not path.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"the AP reference documents are missing: {path}")
        pytest.skip(f"the AP reference documents are not at {path}")
    return json.loads(path.read_text(encoding="utf-8"))


def top_unit(race: dict[str, Any]) -> dict[str, Any]:
    units = race["reportingUnits"]
    level = "national" if any(u["level"] == "national" for u in units) else "state"
    return next(u for u in units if u["level"] == level)


def stored_race(race: dict[str, Any], doc: dict[str, Any]) -> Race:
    postal = top_unit(race)["statePostal"] if race.get("reportingUnits") else race["statePostal"]
    return Race.objects.get(source_id=f"{postal}-{race['raceID']}",
                            election_date=doc.get("electionDate"))  # fmt: skip


def assert_stored_as_sent(doc: dict[str, Any], *, skip: set[str] = frozenset()) -> int:
    """Every race of ``doc`` (but ``skip``, by source id) is stored with the document's
    own numbers: the state's votes per candidate, every unit of the breakdown keyed by
    ``reportingunitID`` with its FIPS code, precincts and votes, and AP's call as a
    pending or standing call. Returns how many races were compared."""
    compared = 0
    for race in doc["races"]:
        if not race.get("reportingUnits"):
            continue
        top = top_unit(race)
        source_id = f"{top['statePostal']}-{race['raceID']}"
        if source_id in skip:
            continue
        stored = stored_race(race, doc)
        snapshot = ResultSnapshot.objects.get(race=stored, source="AP",
                                              source_seq=top["lastUpdated"])  # fmt: skip
        by_source = {c.source_id: c for c in stored.candidates.all()}
        votes = {r.candidate.source_id: r.popular_votes for r in
                 snapshot.results.select_related("candidate")}  # fmt: skip
        assert votes == {c["candidateID"]: c["voteCount"] for c in top["candidates"]}, source_id
        assert snapshot.units_reporting == top["precinctsReporting"]
        assert snapshot.units_total == top["precinctsTotal"]
        assert snapshot.total_votes == sum(c["voteCount"] for c in top["candidates"])
        units = {u.source_id: u for u in snapshot.units.all()}
        sent = [u for u in race["reportingUnits"] if u is not top and u["level"] in KNOWN_LEVELS]
        assert len(units) == len(sent), source_id
        for unit in sent:
            key = unit["statePostal"] if unit["level"] == "state" else unit["reportingunitID"]
            row = units[key]
            assert row.fips_code == unit.get("fipsCode", "")
            assert row.name == unit.get("reportingunitName", unit.get("stateName", key))
            assert (row.units_reporting, row.units_total) == (
                unit["precinctsReporting"], unit["precinctsTotal"])  # fmt: skip
            assert row.votes == {
                str(by_source[c["candidateID"]].pk): c["voteCount"] for c in unit["candidates"]
            }
        winners = [c["candidateID"] for c in top["candidates"] if c.get("winner") == "X"]
        calls = stored.calls.filter(withdrawn_at__isnull=True)
        if len(winners) == 1:
            assert calls.get().candidate.source_id == winners[0], source_id
        else:
            assert not calls.exists(), source_id
        compared += 1
    return compared
