"""National races that add up their state contests: the presidency from its states.

A national race (``Race.level == "national"``) with state races under it
(``Race.parent``) gets its figures from them, recorded as its own snapshots so that the
header, the API, the history and the live channel treat it like any other race:

- electoral votes are counted only from states with a confirmed call: the state's
  ``electWon`` figures (Maine's and Nebraska's district votes included) or, if the state
  gives none, all of its electoral votes to the called candidate;
- the total at stake is the office's (``Race.at_stake``: 538, known before any state
  reports) or else the sum of the states', and the threshold a majority (270);
- the popular vote and the total it is a share of are the sums of the states' latest
  snapshots; candidates are the same person across states by AP's ``polID`` (else name);
- "states to call" is the number of contests the race expects (``Race.contests``: 51)
  or else has, less those with a confirmed call.

This module adds up (``add_up``: the national race's figures, or None when nothing
readers see changed); the results services record them, as an explicit step of every
write that changes a state's visible results (``services.add_up_national``: once per
document during an import, at once after an editor's call).

A roll-up that cannot be made (figures that do not add up, a sum no column can hold)
never raises into the writer that triggered it: it is rolled back alone, its reason is
kept on the national race (``Race.rollup_problem``, shown to editors) and it is tried
again with the next change, so one bad document cannot stop an editor's call or the
poller for the rest of the night (``services.rollup_or_report``).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from newsroom.bounds import check_column

from .counts import CandidateCount, UnitCount
from .geography import state_name
from .models import Candidate, CandidateResult, Race, ResultSnapshot
from .selectors import state_contests

SOURCE = "Newsroom roll-up"
CALL_SOURCE = "Electoral votes of called states"


@dataclass(frozen=True)
class Totals:
    """A national race's figures to record as its snapshot, and the candidate past the
    threshold on called states (a pending call for an editor), if any."""

    national: Race
    as_of: datetime
    source_seq: str
    counts: list[CandidateCount]
    total_votes: int
    units_reporting: int
    units_total: int
    units: list[UnitCount]
    winner: Candidate | None


def _key(candidate: Candidate) -> str:
    return f"pol:{candidate.politician_id}" if candidate.politician_id else f"name:{candidate.name}"


def add_up(race_id: int) -> Totals | None:
    """Add up a national race's states (under the national race's row lock: call inside
    ``atomic``); None if it has none, or if nothing readers see changed."""
    national = Race.objects.select_for_update().filter(pk=race_id, level="national").first()
    if national is None:
        return None
    contests = state_contests(national)
    states, snapshots, calls = contests.races, contests.snapshots, contests.calls
    if not states:
        return None
    votes: dict[str, int] = defaultdict(int)
    electoral: dict[str, int] = defaultdict(int)
    people: dict[str, Candidate] = {}
    total_votes, times, rows = 0, [], []
    for state in states:
        snapshot, call = snapshots.get(state.pk), calls.get(state.pk)
        lines = list(snapshot.results.all()) if snapshot else []
        for line in lines:
            key = _key(line.candidate)
            people.setdefault(key, line.candidate)
            votes[key] += line.popular_votes
        if snapshot is not None:
            total_votes += snapshot.total_votes
            times.append(snapshot.as_of)
            rows.append(_state_unit(state, snapshot, lines))
        if call is not None:
            times.append(call.confirmed_at or call.called_at)
            won = {_key(r.candidate): r.electoral_votes for r in lines if r.electoral_votes}
            if won:
                for key, count in won.items():
                    electoral[key] += count
            elif state.electoral_votes:
                key = _key(call.candidate)
                people.setdefault(key, call.candidate)
                electoral[key] += state.electoral_votes
    at_stake = sum(s.electoral_votes or 0 for s in states)
    called = len(calls)
    check_column(at_stake, Race, "threshold", what="The electoral votes of the states in all")
    check_column(total_votes, ResultSnapshot, "total_votes", what="The states' votes in all")
    _describe(national, at_stake, len(states))
    if not times:
        return None
    members = _national_candidates(national, people, votes)
    shown = (
        sorted(votes.items()), sorted(electoral.items()), total_votes, at_stake, len(states),
        called, [(u.source_id, u.units_reporting, sorted(u.votes.items())) for u in rows],
    )  # fmt: skip
    digest = hashlib.sha256(repr(shown).encode()).hexdigest()[:16]
    current = ResultSnapshot.objects.latest_of(national.pk)
    if current is not None and current.source == SOURCE and current.source_seq.endswith(digest):
        return None  # nothing readers see has changed
    as_of: datetime = max(times)
    if current is not None and current.as_of > as_of:
        as_of = current.as_of  # same moment, recorded later: it is the latest (tie-break)
    counts = [
        CandidateCount(
            members[key].name, votes.get(key, 0), electoral.get(key, 0) if at_stake else None
        )
        for key in members
    ]
    return Totals(
        national=national,
        as_of=as_of,
        source_seq=f"{as_of:%Y%m%dT%H%M%S.%f}-{digest}",
        counts=counts,
        total_votes=max(total_votes, sum(c.popular_votes for c in counts)),
        units_reporting=called,
        units_total=national.units_total or len(states),
        units=[_as_national(u, members) for u in rows],
        winner=_decided(national, members, electoral),
    )


def _state_unit(state: Race, snapshot: ResultSnapshot, lines: list[CandidateResult]) -> UnitCount:
    return UnitCount(
        source_id=state.state_postal or str(state.pk),
        name=state_name(state.state_postal) or state.name,
        votes={_key(r.candidate): r.popular_votes for r in lines},
        level="state",
        units_reporting=snapshot.units_reporting,
        units_total=snapshot.units_total,
    )


def _as_national(unit: UnitCount, members: dict[str, Candidate]) -> UnitCount:
    """A state's row of the national snapshot, its votes keyed by national candidates."""
    return UnitCount(
        unit.source_id,
        unit.name,
        {members[key].name: votes for key, votes in unit.votes.items()},
        level="state",
        units_reporting=unit.units_reporting,
        units_total=unit.units_total,
    )


def _describe(national: Race, at_stake: int, contests: int) -> None:
    """The threshold and the contests from the office's totals where the race has them
    (270 of 538, 51 states), else from the states seen so far."""
    at_stake = national.at_stake or at_stake
    contests = max(national.contests or 0, contests)
    threshold = at_stake // 2 + 1 if at_stake else None
    wanted = {"threshold": threshold, "units_total": contests, "unit_label": "state"}
    if threshold:
        wanted["threshold_unit"] = "electoral votes"
    if national.rollup_problem:  # added up at last: the editors' warning goes
        wanted["rollup_problem"] = ""
    changed = [name for name, value in wanted.items() if getattr(national, name) != value]
    for name in changed:
        setattr(national, name, wanted[name])
    if changed:
        national.save(update_fields=changed)


def _national_candidates(national: Race, people: dict[str, Candidate], votes: dict[str, int]
                         ) -> dict[str, Candidate]:  # fmt: skip
    """The national race's candidate for each person in the states, made on first sight
    (named, coloured and ordered as in the states; editors may rename or recolour)."""
    mine = {_key(c): c for c in national.candidates.all()}
    names = {c.name for c in mine.values()}
    ranked = sorted(people, key=lambda k: -votes.get(k, 0))
    for order, key in enumerate(ranked):
        if key in mine:
            continue
        model = people[key]
        name = model.name if model.name not in names else f"{model.name} ({model.party_short})"
        mine[key] = Candidate.objects.create(
            race=national, name=name[:120], party=model.party, party_short=model.party_short,
            colour=model.colour, ballot_order=len(mine) + order,
            politician_id=model.politician_id, photo=model.photo,
        )  # fmt: skip
        names.add(mine[key].name)
    return {key: mine[key] for key in ranked if key in mine} | {
        key: c for key, c in mine.items() if key not in people
    }


def _decided(national: Race, members: dict[str, Candidate], electoral: dict[str, int]
             ) -> Candidate | None:  # fmt: skip
    """A candidate past the threshold on called states and not yet called so: a pending
    call for an editor to confirm (the banner never shows on arithmetic alone)."""
    if not national.threshold:
        return None
    leaders = [key for key, count in electoral.items() if count >= national.threshold]
    if len(leaders) != 1 or leaders[0] not in members:
        return None
    winner = members[leaders[0]]
    if national.calls.filter(source=CALL_SOURCE, candidate=winner).exists():  # never twice
        return None
    return winner
