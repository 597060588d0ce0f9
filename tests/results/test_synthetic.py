"""The made-up presidential documents keep AP's shape and their own arithmetic (they
stand in for the real ones in tests and the import benchmark)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from benchmarks.report import table
from benchmarks.synthetic import ELECTORAL_VOTES, presidential_document

T = datetime(2024, 11, 6, 3, 0, tzinfo=UTC)


def test_a_full_national_document_has_every_state_and_about_3100_counties():
    doc = presidential_document(at=T, calls={"PA": 1, "ME": {"At Large": 0, "District 1": 0,
                                                             "District 2": 1}})  # fmt: skip
    races = doc["races"]
    assert len(races) == 51
    assert sum(ELECTORAL_VOTES.values()) == 538
    counties = sum(u["level"] == "subunit" for r in races for u in r["reportingUnits"])
    assert 3_000 <= counties <= 3_200
    for race in races:
        state, *others = race["reportingUnits"]
        assert (race["raceTypeID"], race["officeID"], state["level"]) == ("G", "P", "state")
        subunits = [u for u in others if u["level"] == "subunit"]
        for i, candidate in enumerate(state["candidates"]):
            assert candidate["voteCount"] == sum(u["candidates"][i]["voteCount"] for u in subunits)
    pa = next(r for r in races if r["reportingUnits"][0]["statePostal"] == "PA")
    trump = pa["reportingUnits"][0]["candidates"][1]
    assert (trump["winner"], trump["electWon"], trump["polID"]) == ("X", 19, "8639")
    maine = next(r for r in races if r["reportingUnits"][0]["statePostal"] == "ME")
    won = {c["last"]: c["electWon"] for c in maine["reportingUnits"][0]["candidates"]}
    assert (won["Harris"], won["Trump"]) == (3, 1)
    districts = [u for u in maine["reportingUnits"] if u["level"] == "district"]
    assert [d["electTotal"] for d in districts] == [2, 1, 1]


def test_the_same_arguments_give_the_same_bytes():
    one = json.dumps(presidential_document(["PA", "GA"], at=T, counties=4))
    assert one == json.dumps(presidential_document(["PA", "GA"], at=T, counties=4))


def test_the_benchmark_table_names_the_targets():
    runs = {"median": 1.2, "min": 1.1, "max": 1.3, "runs": 3}
    out = table("ap", {"label": "51 state races", "first_import_s": runs,
                       "unchanged_reimport_s": runs, "next_update_s": runs,
                       "targets": {"first_import_s": 5.0, "unchanged_reimport_s": 1.0},
                       "met": False})  # fmt: skip
    assert "< 5.0" in out
    assert out.endswith("targets NOT met")
