"""Field-level readers for AP Elections API v2 units and candidates (see ``ap.py``).

Each reader checks one part of a reporting unit and raises ``Refused`` naming its path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from results.services import UnitCount

from .checks import MAX_INT, Refused, field, ident, items, join, mapping, text, whole, within

SOURCE = "AP"
WINNER = "X"  # AP marks the called winner "X"; "R" (advances to a runoff) is not a call
# AP party codes → our colours (the demo's red and blue); any other party is neutral grey.
PARTY_COLOURS = {
    "GOP": "#c8102e",
    "Dem": "#1a5bb8",
    "Lib": "#b8860b",
    "Grn": "#2e7d32",
}
NEUTRAL_COLOUR = "#666666"


def party_colour(party: str) -> str:
    return PARTY_COLOURS.get(party, NEUTRAL_COLOUR)


@dataclass(frozen=True)
class APCandidate:
    source_id: str  # AP candidateID
    name: str
    party: str
    ballot_order: int
    votes: int
    electoral_votes: int | None
    winner: bool


def race_name(
    race: Mapping[str, Any], top: Mapping[str, Any], label: str, postal: str, office: str
) -> str:
    """ "Kentucky Governor"; a seat ("District 1") or a measure's description is added."""
    if top.get("stateName") is not None:
        place = text(top["stateName"], f"{label} stateName", max_length=80)
    else:
        place = "United States" if postal == "US" else postal
    name = f"{place} {office}"
    for key, glue in (("seatName", ", "), ("description", ": ")):
        if race.get(key):
            name += glue + text(race[key], f"{label} {key}", max_length=100)
    return name[:200]


def precincts(unit: Mapping[str, Any], path: str) -> tuple[int, int]:
    reporting = whole(
        field(unit, "precinctsReporting", path), join(path, "precinctsReporting"), maximum=MAX_INT
    )
    total = whole(
        field(unit, "precinctsTotal", path), join(path, "precinctsTotal"), maximum=MAX_INT
    )
    within(reporting, total, join(path, "precinctsReporting"), "precinctsTotal")
    return reporting, total


def candidates(unit: Mapping[str, Any], path: str) -> list[APCandidate]:
    cands_path = join(path, "candidates")
    out: list[APCandidate] = []
    for j, raw in enumerate(items(field(unit, "candidates", path), cands_path)):
        cp = join(cands_path, j)
        c = mapping(raw, cp)
        source_id = ident(field(c, "candidateID", cp), join(cp, "candidateID"))
        if any(seen.source_id == source_id for seen in out):
            raise Refused(f"{join(cp, 'candidateID')}: candidate {source_id} appears twice")
        first = text(c.get("first") or "", join(cp, "first"), max_length=60, allow_empty=True)
        last = text(field(c, "last", cp), join(cp, "last"), max_length=60)
        won = c.get("electWon")
        order = c.get("ballotOrder")
        out.append(
            APCandidate(
                source_id=source_id,
                name=f"{first} {last}".strip(),
                party=text(
                    c.get("party") or "", join(cp, "party"), max_length=12, allow_empty=True
                ),
                ballot_order=j
                if order is None
                else whole(order, join(cp, "ballotOrder"), maximum=32767),
                votes=whole(field(c, "voteCount", cp), join(cp, "voteCount")),
                electoral_votes=None
                if won is None
                else whole(won, join(cp, "electWon"), maximum=MAX_INT),
                winner=c.get("winner") == WINNER,
            )
        )
    return out


def threshold(top: Mapping[str, Any], path: str) -> int | None:
    """A majority of the electoral votes at stake: 270 of 538."""
    if top.get("electTotal") is None:
        return None
    return whole(top["electTotal"], join(path, "electTotal"), maximum=MAX_INT) // 2 + 1


def check_electoral(top: Mapping[str, Any], path: str, candidates: list[APCandidate]) -> None:
    won = sum(c.electoral_votes or 0 for c in candidates)
    at_stake = top.get("electTotal")
    if isinstance(at_stake, int) and won > at_stake:
        raise Refused(
            f"{path}.candidates: {won} electoral votes won, more than electTotal {at_stake}"
        )


def unit_count(unit: Mapping[str, Any], path: str, level: str, known: set[str]) -> UnitCount:
    if level == "state":  # a state inside a national race: its postal code is its id
        source_id = ident(field(unit, "statePostal", path), join(path, "statePostal"))
        name = text(unit.get("stateName") or source_id, join(path, "stateName"), max_length=120)
    else:
        key = "fipsCode" if unit.get("fipsCode") is not None else "reportingunitID"
        source_id = ident(field(unit, key, path), join(path, key))
        name = text(
            field(unit, "reportingunitName", path), join(path, "reportingunitName"), max_length=120
        )
    reporting, total = precincts(unit, path)
    cands_path = join(path, "candidates")
    votes: dict[str, int] = {}
    for j, raw in enumerate(items(field(unit, "candidates", path), cands_path, allow_empty=True)):
        cp = join(cands_path, j)
        c = mapping(raw, cp)
        cid = ident(field(c, "candidateID", cp), join(cp, "candidateID"))
        if cid not in known:
            raise Refused(
                f"{join(cp, 'candidateID')}: candidate {cid} is not in the statewide unit "
                f"(which has {', '.join(sorted(known))})"
            )
        if cid in votes:
            raise Refused(f"{join(cp, 'candidateID')}: candidate {cid} appears twice")
        votes[cid] = whole(field(c, "voteCount", cp), join(cp, "voteCount"))
    return UnitCount(
        source_id=source_id,
        name=name,
        votes=votes,
        level=level,
        units_reporting=reporting,
        units_total=total,
    )


@dataclass(frozen=True)
class RacePlan:
    """Everything needed to record one race's snapshot, already checked."""

    label: str  # where the race is in the document, for messages: "races[1] (MS-25002)"
    source_id: str
    name: str
    office: str
    threshold: int | None
    as_of: datetime
    source_seq: str  # the statewide unit's lastUpdated, exactly as AP sent it
    units_reporting: int
    units_total: int
    candidates: tuple[APCandidate, ...]
    units: tuple[UnitCount, ...]

    @property
    def winners(self) -> list[str]:
        return [c.source_id for c in self.candidates if c.winner]
