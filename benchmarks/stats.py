"""Percentiles and the median-of-runs summary every figure is reported as."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100), nearest-rank: a value that was really observed."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def summary(runs: Sequence[float]) -> dict[str, float | int]:
    """Median of the runs, with their min and max (and how many runs there were)."""
    values = [v for v in runs if v is not None and not math.isnan(v)]
    if not values:
        return {"median": math.nan, "min": math.nan, "max": math.nan, "runs": 0}
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "runs": len(values),
    }


def fmt(value: float, unit: str = "", digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:,.{digits}f}{unit}"


def fmt_summary(s: dict[str, float | int], unit: str = "", digits: int = 0) -> str:
    """``median (min-max)``."""
    if not s.get("runs"):
        return "n/a"
    return (
        f"{fmt(s['median'], unit, digits)} "
        f"({fmt(s['min'], '', digits)}-{fmt(s['max'], '', digits)})"
    )
