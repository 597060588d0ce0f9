"""Read-side views of results: what the results header of a live page shows."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Count, Max, OuterRef, Prefetch, Subquery

from .charts import History, history
from .geography import state_name
from .models import (
    Candidate,
    CandidateResult,
    Race,
    ResultSnapshot,
    SnapshotUnit,
    WinnerCall,
    vote_share,
)


@dataclass(frozen=True)
class CandidateLine:
    candidate: Candidate
    popular_votes: int | None
    share: Decimal | None
    electoral_votes: int | None
    is_winner: bool
    runoff: bool = False  # advances to a runoff (AP's "R")


@dataclass(frozen=True)
class RaceBoard:
    race: Race
    snapshot: ResultSnapshot | None
    lines: list[CandidateLine]
    winner: Candidate | None
    history: History | None = None
    states: list[StateRow] | None = None  # a national race's states (table and tile map)

    @property
    def results_to_go(self) -> int | None:
        return self.snapshot.results_to_go if self.snapshot else None

    @property
    def units_to_go(self) -> str:
        """ "7 counties to go", in the race's own word for its units."""
        count = self.results_to_go or 0
        return f"{count:,} {plural(self.race.unit_label, count)} to go"

    @property
    def place(self) -> str:
        """Where a state's race is decided, for its winner's banner ("wins Pennsylvania");
        empty for a national race or one with no state."""
        if self.race.level != "state" or not self.race.state_postal:
            return ""
        return state_name(self.race.state_postal)

    @property
    def states_called(self) -> int:
        return sum(1 for row in self.states or [] if row.called)

    @property
    def states_to_call(self) -> int:
        """Out of every contest the race expects (51), not only the states reported."""
        expected = max(self.race.contests or 0, len(self.states or []))
        return expected - self.states_called

    @property
    def has_electoral_votes(self) -> bool:
        return any(line.electoral_votes is not None for line in self.lines)


MAX_WIRE_RACES = 300


# Readers look for the presidency before a state's: national races sort first.
NATIONAL_FIRST = models.Case(models.When(level="national", then=0), default=1)


def wire_races(limit: int = MAX_WIRE_RACES) -> list[Race]:
    """The races of the latest election day the wire has brought, to set a blog up with:
    national races first (each with ``state_count``, its state contests), then the
    races that count towards none, by name. Candidates and colours came with the feed."""
    real = Race.objects.filter(rehearsal=None)  # a rehearsal's races are its own blog's
    day = (real.exclude(source_id="").exclude(election_date=None)
           .order_by("-election_date").values_list("election_date", flat=True).first())  # fmt: skip
    races = real.exclude(source_id="").filter(parent=None)
    races = races.filter(election_date=day) if day else races
    return list(
        races.annotate(state_count=Count("states")).order_by(NATIONAL_FIRST, "name")[:limit]
    )


def results_version(race: Race) -> str:
    """What a results page shows of ``race`` changes exactly when this does: its latest
    snapshot (a national race records one whenever its states' calls or counts change)
    and its own calls (made, confirmed, withdrawn). Two queries; the page polls with it."""
    snapshot = ResultSnapshot.objects.latest_of(race.pk)
    calls = race.calls.aggregate(
        n=Count("id"), called=Max("called_at"), confirmed=Max("confirmed_at"),
        withdrawn=Max("withdrawn_at"),
    )  # fmt: skip
    seen = (snapshot.pk if snapshot else None, sorted(calls.items()))
    return hashlib.sha1(repr(seen).encode(), usedforsecurity=False).hexdigest()[:16]


def plural(word: str, count: int) -> str:
    """An English noun for ``count`` of it: county, counties; precinct, precincts; box,
    boxes. A word typed with its plural already ("results") is left as it is."""
    if count == 1 or not word or word.endswith("s"):
        return word
    if word[-1] == "y" and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("x", "ch", "sh", "z")):
        return word + "es"
    return word + "s"


def race_boards(race_ids: list[int], *, with_history: bool = True,
                in_order: bool = False) -> list[RaceBoard]:  # fmt: skip
    """The latest snapshot, confirmed call and history of each race, national races first,
    then by name (``in_order``: in the order of ``race_ids``, a blog's editors' order).

    Four queries in all, plus two per race for its history (a blog covers few races).
    """
    if not race_ids:
        return []
    latest = ResultSnapshot.objects.filter(race=OuterRef("pk")).standing().newest_first()
    races = list(
        Race.objects.filter(pk__in=race_ids)
        .annotate(latest_snapshot_id=Subquery(latest.values("pk")[:1]))
        .prefetch_related("candidates")
        .order_by(NATIONAL_FIRST, "name")
    )
    if in_order:
        place = {pk: n for n, pk in enumerate(race_ids)}
        races.sort(key=lambda race: place[race.pk])
    snapshots = {
        s.race_id: s
        for s in ResultSnapshot.objects.filter(
            pk__in=[r.latest_snapshot_id for r in races if r.latest_snapshot_id]
        ).prefetch_related(Prefetch("results", queryset=CandidateResult.objects.all()))
    }
    calls = {
        c.race_id: c.candidate_id for c in WinnerCall.objects.confirmed().filter(race__in=races)
    }
    boards = []
    for race in races:
        snapshot = snapshots.get(race.pk)
        results = {r.candidate_id: r for r in snapshot.results.all()} if snapshot else {}
        lines = []
        for candidate in race.candidates.all():
            result = results.get(candidate.pk)
            lines.append(
                CandidateLine(
                    candidate=candidate,
                    popular_votes=result.popular_votes if result else None,
                    share=vote_share(result.popular_votes, snapshot.total_votes)
                    if result and snapshot
                    else None,
                    electoral_votes=result.electoral_votes if result else None,
                    is_winner=calls.get(race.pk) == candidate.pk,
                    runoff=bool(result and result.runoff),
                )
            )
        winner = next((line.candidate for line in lines if line.is_winner), None)
        boards.append(
            RaceBoard(
                race=race,
                snapshot=snapshot,
                lines=lines,
                winner=winner,
                history=history(race) if with_history and snapshot else None,
                states=state_rows(race) if race.level == "national" else None,
            )
        )
    return boards


# A state is "close" while its leader is ahead by less than this many points.
CLOSE_MARGIN = Decimal("3.0")


@dataclass(frozen=True)
class StateRow:
    """One state of a national race, as the states table and the tile map show it."""

    race: Race
    postal: str
    name: str
    electoral_votes: int | None
    leader: Candidate | None
    margin: Decimal | None  # the leader's lead over the runner-up, in points of the vote
    reporting: Decimal | None  # precincts reporting, per cent
    call: WinnerCall | None

    @property
    def called(self) -> bool:
        return self.call is not None

    @property
    def close(self) -> bool:
        return self.margin is not None and self.margin < CLOSE_MARGIN


@dataclass(frozen=True)
class StateContests:
    """A national race's state races, the latest snapshot of each (results and their
    candidates loaded) and each one's confirmed call: three queries."""

    races: list[Race]
    snapshots: dict[int, ResultSnapshot]
    calls: dict[int, WinnerCall]


def state_contests(national: Race) -> StateContests:
    latest = ResultSnapshot.objects.filter(race=OuterRef("pk")).standing().newest_first()
    states: list[Race] = list(
        national.states.annotate(latest_snapshot_id=Subquery(latest.values("pk")[:1]))
        .order_by("state_postal", "name", "pk")
    )  # fmt: skip
    results = CandidateResult.objects.select_related("candidate")
    snapshots = {
        s.race_id: s
        for s in ResultSnapshot.objects.filter(
            pk__in=[r.latest_snapshot_id for r in states if r.latest_snapshot_id]  # type: ignore[attr-defined]
        ).prefetch_related(Prefetch("results", queryset=results))
    }
    calls = {
        c.race_id: c
        for c in WinnerCall.objects.confirmed().filter(race__in=states).select_related("candidate")
    }
    return StateContests(states, snapshots, calls)


def state_rows(national: Race) -> list[StateRow]:
    """The state contests of a national race with their leaders, margins and calls."""
    contests = state_contests(national)
    states, snapshots, calls = contests.races, contests.snapshots, contests.calls
    rows = []
    for state in states:
        snapshot = snapshots.get(state.pk)
        ranked = sorted(snapshot.results.all(), key=lambda r: -r.popular_votes) if snapshot else []
        leader = margin = reporting = None
        if snapshot is not None and ranked and ranked[0].popular_votes:
            leader = ranked[0].candidate
            second = ranked[1].popular_votes if len(ranked) > 1 else 0
            margin = vote_share(ranked[0].popular_votes - second, snapshot.total_votes)
        if snapshot is not None and snapshot.units_total:
            reporting = vote_share(snapshot.units_reporting or 0, snapshot.units_total)
        rows.append(
            StateRow(
                race=state,
                postal=state.state_postal,
                name=state_name(state.state_postal) or state.name,
                electoral_votes=state.electoral_votes,
                leader=leader,
                margin=margin,
                reporting=reporting,
                call=calls.get(state.pk),
            )
        )
    return rows


UNITS_PER_PAGE = 200  # counties (towns, districts) per page of a race's breakdown


@dataclass(frozen=True)
class UnitPage:
    """One page of a snapshot's breakdown by county, town or district: a race of 200,000
    units is read and drawn 200 at a time, never whole."""

    rows: list[tuple[SnapshotUnit, list[int | None]]]  # each unit and its votes per candidate
    page: Page[SnapshotUnit]
    level: str  # what the units are ("county"), for the heading
    find: str  # the name searched for, if any


def unit_page(snapshot: ResultSnapshot, candidates: list[Candidate], *, number: str | None,
              find: str = "") -> UnitPage:  # fmt: skip
    """Page ``number`` (1 if missing or not a page) of the snapshot's units by name, those
    whose name contains ``find`` if given: a count and one page of rows."""
    units = snapshot.units.order_by("name", "pk")
    if find:
        units = units.filter(name__icontains=find)
    page = Paginator(units, UNITS_PER_PAGE).get_page(number)
    rows = [(unit, [unit.votes.get(str(c.pk)) for c in candidates]) for unit in page]
    levels = [unit.level for unit, _ in rows]
    if levels:
        level = max(set(levels), key=levels.count)
    else:  # nothing of that name: still say what was searched for (a county, a town)
        level = snapshot.units.values_list("level", flat=True).first() or ""
    return UnitPage(rows, page, level, find)


def reviewed_races(race_ids: list[int]) -> list[int]:
    """The races whose calls the editors of these races review: them, and the states that
    count towards any national one among them."""
    children = Race.objects.filter(parent__in=race_ids).values_list("pk", flat=True)
    return [*race_ids, *children]


def calls_to_review(race_ids: list[int]) -> list[WinnerCall]:
    """What the editors' desks show of the races' calls: every standing call (waiting for
    a second editor, a correction waiting to replace one, the ones readers see), waiting
    ones first, each race's in the order they were made. Two queries, whatever the races."""
    return list(
        WinnerCall.objects.standing()
        .filter(race__in=race_ids)
        .with_pending_corrections()
        .select_related("race", "candidate", "called_by", "replaces__candidate")
        .order_by("confirmed_at", "race__name", "called_at")
    )
