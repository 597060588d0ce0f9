"""Read-side views of results: what the results header of a live page shows."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Prefetch, Subquery

from .charts import History, history
from .models import Candidate, CandidateResult, Race, ResultSnapshot, WinnerCall, vote_share


@dataclass(frozen=True)
class CandidateLine:
    candidate: Candidate
    popular_votes: int | None
    share: Decimal | None
    electoral_votes: int | None
    is_winner: bool


@dataclass(frozen=True)
class RaceBoard:
    race: Race
    snapshot: ResultSnapshot | None
    lines: list[CandidateLine]
    winner: Candidate | None
    history: History | None = None

    @property
    def results_to_go(self) -> int | None:
        return self.snapshot.results_to_go if self.snapshot else None

    @property
    def has_electoral_votes(self) -> bool:
        return any(line.electoral_votes is not None for line in self.lines)


def race_boards(race_ids: list[int], *, with_history: bool = True) -> list[RaceBoard]:
    """The latest snapshot, confirmed call and history of each race.

    Four queries in all, plus two per race for its history (a blog covers few races).
    """
    if not race_ids:
        return []
    latest = ResultSnapshot.objects.filter(race=OuterRef("pk")).standing().newest_first()
    races = list(
        Race.objects.filter(pk__in=race_ids)
        .annotate(latest_snapshot_id=Subquery(latest.values("pk")[:1]))
        .prefetch_related("candidates")
        .order_by("name")
    )
    snapshots = {
        s.race_id: s
        for s in ResultSnapshot.objects.filter(
            pk__in=[r.latest_snapshot_id for r in races if r.latest_snapshot_id]
        ).prefetch_related(Prefetch("results", queryset=CandidateResult.objects.all()))
    }
    calls = {
        c.race_id: c.candidate_id
        for c in WinnerCall.objects.filter(
            race__in=races, withdrawn_at__isnull=True, confirmed_at__isnull=False
        )
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
            )
        )
    return boards
