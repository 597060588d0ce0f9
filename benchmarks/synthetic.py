"""AP-shaped presidential documents, made from the shape of real AP v2 responses.

The public corpus (``../shared/reference/ap/``) has primaries, caucuses and a governor's
race, but no presidential general election: its state units carry no ``electTotal`` and
its candidates no ``electWon``. These documents fill that gap for tests, rehearsals and
the import benchmark: one race per state (and DC), every key where AP puts it (race:
``raceID``, ``raceType`` "General", ``raceTypeID`` "G", ``officeID`` "P", ``test``;
state unit: ``stateName``, ``electTotal``, precincts, ``lastUpdated``; candidate:
``candidateID`` per race, ``polID`` across races, ``electWon`` and ``winner`` "X" once
called), counties as ``subunit`` units with ``fipsCode`` and ``reportingunitID``, and
Maine's and Nebraska's at-large and congressional districts as ``district`` units with
their own ``electTotal`` and ``electWon``. County votes add up exactly to the state's.
Everything is deterministic: the same arguments give the same bytes.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from results.geography import STATES

# 2024 electoral votes (538) and about how many counties AP reports (3,100 in all).
ELECTORAL_VOTES = {
    "AL": 9, "AK": 3, "AZ": 11, "AR": 6, "CA": 54, "CO": 10, "CT": 7, "DE": 3, "DC": 3,
    "FL": 30, "GA": 16, "HI": 4, "ID": 4, "IL": 19, "IN": 11, "IA": 6, "KS": 6, "KY": 8,
    "LA": 8, "ME": 4, "MD": 10, "MA": 11, "MI": 15, "MN": 10, "MS": 6, "MO": 10, "MT": 4,
    "NE": 5, "NV": 6, "NH": 4, "NJ": 14, "NM": 5, "NY": 28, "NC": 16, "ND": 3, "OH": 17,
    "OK": 7, "OR": 8, "PA": 19, "RI": 4, "SC": 9, "SD": 3, "TN": 11, "TX": 40, "UT": 6,
    "VT": 3, "VA": 13, "WA": 12, "WV": 4, "WI": 10, "WY": 3,
}  # fmt: skip
COUNTIES = {
    "AL": 67, "AK": 40, "AZ": 15, "AR": 75, "CA": 58, "CO": 64, "CT": 8, "DE": 3, "DC": 1,
    "FL": 67, "GA": 159, "HI": 4, "ID": 44, "IL": 102, "IN": 92, "IA": 99, "KS": 105,
    "KY": 120, "LA": 64, "ME": 16, "MD": 24, "MA": 14, "MI": 83, "MN": 87, "MS": 82,
    "MO": 115, "MT": 56, "NE": 93, "NV": 17, "NH": 10, "NJ": 21, "NM": 33, "NY": 62,
    "NC": 100, "ND": 53, "OH": 88, "OK": 77, "OR": 36, "PA": 67, "RI": 5, "SC": 46,
    "SD": 66, "TN": 95, "TX": 254, "UT": 29, "VT": 14, "VA": 133, "WA": 39, "WV": 55,
    "WI": 72, "WY": 23,
}  # fmt: skip
# Electoral votes by district where a state splits them (at large first).
DISTRICTS = {
    "ME": [("At Large", 2), ("District 1", 1), ("District 2", 1)],
    "NE": [("At Large", 2), ("District 1", 1), ("District 2", 1), ("District 3", 1)],
}
FIPS = {postal: f"{n:02d}" for n, postal in enumerate(sorted(STATES), start=1)}
CANDIDATES = [  # first, last, party, polID
    ("Kamala", "Harris", "Dem", "64984"),
    ("Donald", "Trump", "GOP", "8639"),
    ("Jill", "Stein", "Grn", "60208"),
    ("Chase", "Oliver", "Lib", "67836"),
    ("", "Write-ins", "NPA", "0"),
]


def presidential_race(
    postal: str,
    *,
    at: datetime,
    reporting: float = 1.0,
    called: int | Mapping[str, int] | None = None,
    counties: int | None = None,
    seed: int = 2024,
) -> dict[str, Any]:
    """One state's presidential race as AP sends it.

    ``reporting`` is the share of precincts in; ``called`` the index (in ``CANDIDATES``)
    of the candidate AP calls the state for, or for a split state ``{district name:
    index}`` (the state unit then gives each candidate the sum of what they won).
    """
    rng = random.Random(f"{seed}-{postal}")
    n_counties = COUNTIES[postal] if counties is None else counties
    state_id = str(10_000 + list(STATES).index(postal) * 100)
    weights = (1.0, 1.0, 0.02, 0.015, 0.005)  # the two parties, then the smaller ones
    county_votes = [
        [int(rng.randint(2_000, 60_000) * reporting * weight) for weight in weights]
        for _ in range(n_counties)
    ]
    precincts = [rng.randint(8, 120) for _ in range(n_counties)]
    candidate_ids = [str(int(state_id) + 1 + i) for i in range(len(CANDIDATES))]
    stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")

    def unit_candidates(votes: list[int], won: Mapping[int, int] | None = None,
                        winner: int | None = None) -> list[dict[str, Any]]:  # fmt: skip
        out = []
        for i, (first, last, party, pol_id) in enumerate(CANDIDATES):
            entry: dict[str, Any] = {"first": first, "last": last, "party": party,
                                     "candidateID": candidate_ids[i], "polID": pol_id,
                                     "ballotOrder": i + 1, "polNum": str(40_000 + i),
                                     "voteCount": votes[i]}  # fmt: skip
            if not first:
                del entry["first"]  # AP leaves an empty first name out
            if won is not None:
                entry["electWon"] = won.get(i, 0)
            if winner == i:
                entry["winner"] = "X"
            out.append(entry)
        return out

    totals = [sum(county[i] for county in county_votes) for i in range(len(CANDIDATES))]
    in_total = [int(p * reporting) for p in precincts]
    state_won: dict[int, int] | None = None
    state_winner: int | None = None
    district_units = []
    if isinstance(called, int):
        state_won, state_winner = {called: ELECTORAL_VOTES[postal]}, called
    for number, (name, votes_at_stake) in enumerate(DISTRICTS.get(postal, [])):
        winner = called.get(name) if isinstance(called, Mapping) else called
        share = 1.0 if name == "At Large" else 1 / (len(DISTRICTS[postal]) - 1)
        district_units.append({
            "statePostal": postal, "level": "district", "lastUpdated": stamp,
            "reportingunitName": name, "reportingunitID": str(int(state_id) + 50 + number),
            "districtType": "AtLarge" if name == "At Large" else "CD",
            "precinctsReporting": int(sum(in_total) * share),
            "precinctsTotal": int(sum(precincts) * share), "precinctsReportingPct": 0.0,
            "electTotal": votes_at_stake,
            "candidates": unit_candidates(
                [int(v * share) for v in totals],
                won=None if winner is None else {winner: votes_at_stake},
                winner=winner,
            ),
        })  # fmt: skip
    if isinstance(called, Mapping):
        state_won = {}
        for name, votes_at_stake in DISTRICTS[postal]:
            state_won[called[name]] = state_won.get(called[name], 0) + votes_at_stake
        state_winner = called.get("At Large")
    state_unit = {
        "statePostal": postal, "stateName": STATES[postal].name, "level": "state",
        "lastUpdated": stamp, "precinctsReporting": sum(in_total),
        "precinctsTotal": sum(precincts),
        "precinctsReportingPct": round(100 * sum(in_total) / max(1, sum(precincts)), 2),
        "electTotal": ELECTORAL_VOTES[postal],
        "candidates": unit_candidates(totals, won=state_won, winner=state_winner),
    }  # fmt: skip
    subunits = [
        {
            "statePostal": postal, "level": "subunit", "lastUpdated": stamp,
            "reportingunitName": f"County {n + 1}",
            "reportingunitID": str(int(state_id) * 10 + n),
            "fipsCode": f"{FIPS[postal]}{2 * n + 1:03d}",
            "precinctsReporting": in_total[n], "precinctsTotal": precincts[n],
            "precinctsReportingPct": round(100 * in_total[n] / precincts[n], 2),
            "candidates": unit_candidates(county_votes[n]),
        }
        for n in range(n_counties)
    ]  # fmt: skip
    return {
        "national": True, "officeID": "P", "officeName": "President", "raceID": state_id,
        "raceType": "General", "raceTypeID": "G", "test": False,
        "reportingUnits": [state_unit, *district_units, *subunits],
    }  # fmt: skip


def presidential_document(
    states: Iterable[str] | None = None,
    *,
    at: datetime,
    reporting: float = 1.0,
    calls: Mapping[str, int | Mapping[str, int]] | None = None,
    counties: int | None = None,
    seed: int = 2024,
    election_date: str = "2024-11-05",
) -> dict[str, Any]:
    """A whole AP response: every state's race (or ``states``), called as ``calls`` says."""
    calls = calls or {}
    chosen = states if states is not None else ELECTORAL_VOTES
    races = [
        presidential_race(
            postal,
            at=at,
            reporting=reporting,
            called=calls.get(postal),
            counties=counties,
            seed=seed,
        )
        for postal in chosen
    ]
    return {
        "electionDate": election_date,
        "timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "races": races,
        "nextrequest": "https://api.ap.org/v2/elections/2024-11-05?level=ru&officeID=P",
    }
