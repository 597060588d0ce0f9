"""What a results writer is handed: one candidate's count, one reporting unit's count."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CandidateCount:
    candidate: str  # the candidate's name or source id in this race
    popular_votes: int
    electoral_votes: int | None = None
    runoff: bool = False  # advances to a runoff


@dataclass(frozen=True)
class UnitCount:
    """A reporting unit's (county's) count: votes keyed like ``CandidateCount.candidate``."""

    source_id: str
    name: str
    votes: dict[str, int]
    level: str = "county"
    units_reporting: int | None = None
    units_total: int | None = None
    fips_code: str = ""
