"""Field-level readers for AP Elections API v2 units and candidates (see ``ap.py``).

Each reader checks one part of a reporting unit and raises ``Refused`` naming its path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from results.models import MAX_ELECTORAL_VOTES
from results.services import UnitCount

from .checks import (
    MAX_INT,
    Refused,
    field,
    ident,
    items,
    join,
    mapping,
    shown,
    text,
    whole,
    within,
)

SOURCE = "AP"
# AP's winner flag: "X" the called winner, "R" advances to a runoff (not a call), "N" not
# the winner of a called race (sent on the runners-up); empty or absent: no call yet.
WINNER = "X"
RUNOFF = "R"
NOT_WINNER = "N"
WINNER_FLAGS = (None, "", WINNER, RUNOFF, NOT_WINNER)
# AP's party codes in primaries, as readers say them.
PARTY_NAMES = {"Dem": "Democratic", "GOP": "Republican", "Lib": "Libertarian", "Grn": "Green"}
# raceTypeID when raceType is left out (one of the real 2016 documents does so).
RACE_TYPES = {"G": "General", "D": "Primary", "R": "Primary", "E": "Caucus", "S": "Caucus",
              "X": "Runoff", "Y": "Runoff", "Z": "Runoff", "L": "Recall"}  # fmt: skip
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
    runoff: bool = False  # AP's "R": advances to a runoff (not a call)
    politician_id: str = ""  # AP polID: the same person in every state's race
    incumbent: bool = False  # AP's "incumbent": true


@dataclass(frozen=True)
class RaceKind:
    """General election, primary, caucus or runoff, and a primary's party."""

    race_type: str  # "General", "Primary", "Caucus", "Runoff"…
    party: str  # AP's code for a primary's party ("Dem"), else ""

    @property
    def is_general(self) -> bool:
        return self.race_type in ("", "General")


def race_kind(race: Mapping[str, Any], label: str) -> RaceKind:
    type_id = race.get("raceTypeID")
    type_id = text(type_id, f"{label} raceTypeID", max_length=4) if type_id is not None else ""
    race_type = race.get("raceType")
    if race_type is not None:
        race_type = text(race_type, f"{label} raceType", max_length=30)
    else:
        race_type = RACE_TYPES.get(type_id, "")
    party = race.get("party")
    party = text(party, f"{label} party", max_length=20) if party is not None else ""
    return RaceKind(race_type=race_type, party=party)


def seats(race: Mapping[str, Any], label: str) -> int:
    """How many win the race (``numWinners``; one when AP leaves it out)."""
    if race.get("numWinners") is None:
        return 1
    return max(1, whole(race["numWinners"], f"{label} numWinners", maximum=1000))


def race_name(race: Mapping[str, Any], top: Mapping[str, Any], label: str, postal: str,
              office: str, kind: RaceKind | None = None) -> str:  # fmt: skip
    """ "Kentucky Governor"; a seat ("District 1") or a measure's description is added, and
    a primary or caucus says whose ("Pennsylvania President, Republican primary")."""
    if top.get("stateName") is not None:
        place = text(top["stateName"], f"{label} stateName", max_length=80)
    else:
        place = "United States" if postal == "US" else postal
    name = f"{place} {office}"
    for key, glue in (("seatName", ", "), ("description", ": ")):
        if race.get(key):
            name += glue + text(race[key], f"{label} {key}", max_length=100)
    if kind is not None and not kind.is_general:
        party = PARTY_NAMES.get(kind.party, kind.party)
        name += f", {party} {kind.race_type.lower()}" if party else f", {kind.race_type.lower()}"
    return name[:200]


def precincts(unit: Mapping[str, Any], path: str) -> tuple[int | None, int | None]:
    """Precincts reporting and in all; a unit that leaves both out has them unknown."""
    if "precinctsReporting" not in unit and "precinctsTotal" not in unit:
        return None, None
    reporting = whole(
        field(unit, "precinctsReporting", path), join(path, "precinctsReporting"), maximum=MAX_INT
    )
    total = whole(
        field(unit, "precinctsTotal", path), join(path, "precinctsTotal"), maximum=MAX_INT
    )
    within(reporting, total, join(path, "precinctsReporting"), "precinctsTotal")
    return reporting, total


def candidates(unit: Mapping[str, Any], path: str, *, allow_empty: bool = False,
               warnings: list[str] | None = None) -> list[APCandidate]:  # fmt: skip
    """The unit's candidates. An optional flag with a value AP does not document is read
    as absent and noted in ``warnings`` (a real feed's vocabulary is larger than any
    sample: the race is never refused for it); a required field that is wrong refuses."""
    notes = warnings if warnings is not None else []
    cands_path = join(path, "candidates")
    out: list[APCandidate] = []
    listed = items(field(unit, "candidates", path), cands_path, allow_empty=allow_empty)
    for j, raw in enumerate(listed):
        cp = join(cands_path, j)
        c = mapping(raw, cp)
        source_id = ident(field(c, "candidateID", cp), join(cp, "candidateID"))
        if any(seen.source_id == source_id for seen in out):
            raise Refused(f"{join(cp, 'candidateID')}: candidate {source_id} appears twice")
        first = text(c.get("first") or "", join(cp, "first"), max_length=60, allow_empty=True)
        last = text(field(c, "last", cp), join(cp, "last"), max_length=60)
        won = c.get("electWon")
        order = c.get("ballotOrder")
        flag = c.get("winner")
        if flag not in WINNER_FLAGS:
            notes.append(
                f'{join(cp, "winner")}: {shown(flag)} is not a value AP documents ("X" called, '
                '"R" runoff, "N" not the winner); read as no call'
            )
            flag = None
        incumbent = c.get("incumbent", False)
        if not isinstance(incumbent, bool):
            notes.append(f"{join(cp, 'incumbent')}: expected true or false, got "
                         f"{shown(incumbent)}; read as false")  # fmt: skip
            incumbent = False
        pol = c.get("polID")
        pol = ident(pol, join(cp, "polID")) if pol not in (None, "", "0", 0) else ""
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
                else whole(won, join(cp, "electWon"), maximum=MAX_ELECTORAL_VOTES),
                winner=flag == WINNER,
                runoff=flag == RUNOFF,
                politician_id=pol,
                incumbent=incumbent,
            )
        )
    return out


def check_winners(path: str, candidates: list[APCandidate], seats: int) -> None:
    """More called winners than seats contradicts itself: that race is refused (by path),
    never stored with a call that cannot be right."""
    winners = [c.source_id for c in candidates if c.winner]
    if len(winners) > seats:
        raise Refused(
            f'{path}.candidates: AP marks {len(winners)} winners ("X": {", ".join(winners)}) '
            f"in a race for {seats} seat{'s' if seats != 1 else ''}"
        )


def electoral_total(top: Mapping[str, Any], path: str) -> int | None:
    """The electoral votes at stake in the unit (``electTotal``), if it says."""
    if top.get("electTotal") is None:
        return None
    return whole(top["electTotal"], join(path, "electTotal"), maximum=MAX_ELECTORAL_VOTES)


def with_district_votes(candidates: list[APCandidate], districts: list[dict[str, int]]
                        ) -> list[APCandidate]:  # fmt: skip
    """A state whose electoral votes AP gives only by district (Maine's and Nebraska's
    at-large and congressional districts): the state's are their sum. A state unit that
    gives ``electWon`` itself is taken as it is."""
    if not districts or any(c.electoral_votes is not None for c in candidates):
        return candidates
    summed = {c.source_id: sum(d.get(c.source_id, 0) for d in districts) for c in candidates}
    return [replace(c, electoral_votes=summed[c.source_id]) for c in candidates]


def check_electoral(path: str, candidates: list[APCandidate], at_stake: int | None,
                    *, from_districts: bool = False) -> None:  # fmt: skip
    """The electoral votes won, the districts' included, are no more than are at stake.

    Checked once the districts are added in (Maine's 4 cannot become 200)."""
    won = sum(c.electoral_votes or 0 for c in candidates)
    if at_stake is not None and won > at_stake:
        where = "the districts' electWon" if from_districts else "electWon"
        raise Refused(
            f"{path}.candidates: {won} electoral votes won ({where}), more than electTotal "
            f"{at_stake}"
        )


def unit_count(unit: Mapping[str, Any], path: str, level: str, known: set[str]
               ) -> tuple[UnitCount, dict[str, int]]:  # fmt: skip
    """A unit of the breakdown, keyed by ``reportingunitID`` (a state inside a national
    race by its postal code), and the electoral votes it awards (districts), if any."""
    fips = unit.get("fipsCode")
    fips_code = ident(fips, join(path, "fipsCode"), max_length=10) if fips is not None else ""
    if level == "state":  # a state inside a national race: its postal code is its id
        source_id = ident(field(unit, "statePostal", path), join(path, "statePostal"))
        name = text(unit.get("stateName") or source_id, join(path, "stateName"), max_length=120)
    else:
        source_id = ident(field(unit, "reportingunitID", path), join(path, "reportingunitID"))
        name = text(
            field(unit, "reportingunitName", path), join(path, "reportingunitName"), max_length=120
        )
    reporting, total = precincts(unit, path)
    cands_path = join(path, "candidates")
    votes: dict[str, int] = {}
    electoral: dict[str, int] = {}
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
        if c.get("electWon") is not None:
            electoral[cid] = whole(c["electWon"], join(cp, "electWon"), maximum=MAX_ELECTORAL_VOTES)
    count = UnitCount(
        source_id=source_id,
        name=name,
        votes=votes,
        level=level,
        units_reporting=reporting,
        units_total=total,
        fips_code=fips_code,
    )
    return count, electoral


@dataclass(frozen=True)
class RacePlan:
    """Everything needed to record one race's snapshot, already checked."""

    label: str  # where the race is in the document, for messages: "races[1] (MS-25002)"
    source_id: str
    election_date: date | None
    name: str
    office: str
    level: str  # "state" or "national"
    state_postal: str
    kind: RaceKind
    uncontested: bool
    threshold: int | None
    electoral_votes: int | None  # at stake in a state (electTotal)
    as_of: datetime
    source_seq: str  # the statewide unit's lastUpdated, exactly as AP sent it
    units_reporting: int | None
    units_total: int | None
    candidates: tuple[APCandidate, ...]
    units: tuple[UnitCount, ...]
    warnings: tuple[str, ...] = ()
    seats: int = 1  # AP numWinners: a race for several seats has several winners
    counted: bool = True  # False: uncontested with no units, nothing to record
    expected_vote: Decimal | None = None  # AP's EEVP, per cent (v3)
    call_status: str = ""  # AP's raceCallStatus (v3), as sent
    tabulation: str = ""  # AP's tabulationStatus (v3), as sent

    @property
    def winners(self) -> list[str]:
        return [c.source_id for c in self.candidates if c.winner]
