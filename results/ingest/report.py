"""What one import did: counted, so a command, a task and a test can all read it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ImportReport:
    """The outcome of importing one document.

    ``errors`` are refusals (a whole document, a race or a snapshot was not stored);
    ``warnings`` are things stored or skipped on purpose that an editor should know about.
    """

    format: str = "unknown"
    races_seen: int = 0
    races_created: int = 0
    candidates_created: int = 0
    snapshots_created: int = 0
    duplicates_skipped: int = 0
    older_kept: int = 0  # stored as history: an older time than the race's latest snapshot
    calls_recorded: int = 0
    uncontested: int = 0  # uncontested races sent without units: nothing to record
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def merge(self, other: ImportReport) -> None:
        """Add a part's counts (one race, stored whole) to the document's report."""
        for name in (
            "races_created",
            "candidates_created",
            "snapshots_created",
            "duplicates_skipped",
            "older_kept",
            "calls_recorded",
            "uncontested",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors += other.errors
        self.warnings += other.warnings

    def summary(self) -> str:
        parts = [
            f"{self.races_seen} race{_s(self.races_seen)} seen",
            f"{self.snapshots_created} snapshot{_s(self.snapshots_created)} recorded",
            f"{self.duplicates_skipped} already stored",
            f"{self.older_kept} older kept as history",
            f"{self.calls_recorded} call{_s(self.calls_recorded)} recorded",
        ]
        if self.uncontested:
            parts.append(f"{self.uncontested} uncontested without results")
        if self.races_created or self.candidates_created:
            parts.append(
                f"{self.races_created} race{_s(self.races_created)} and "
                f"{self.candidates_created} candidate{_s(self.candidates_created)} created"
            )
        if self.errors:
            parts.append(f"{len(self.errors)} refused")
        return f"{self.format}: " + ", ".join(parts)


def _s(n: int) -> str:
    return "" if n == 1 else "s"
