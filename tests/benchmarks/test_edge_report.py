"""The edge-push report judges the engine against nchan from the same run: the issue's
targets as ratios, never as absolute figures, and a missing figure is no verdict."""

from __future__ import annotations

import pytest

from benchmarks.report import edge_targets, table
from benchmarks.stats import summary

pytestmark = pytest.mark.benchmarks


def row(readers: int, p99: float, cpu: float = 10.0, **extra: object) -> dict:
    return {"readers": readers, "connected": readers, "p50_ms": summary([p99 / 2]),
            "p99_ms": summary([p99]), "max_ms": summary([p99]), "kb_per_reader": 0.0,
            "edge_kb_per_reader": 10.0, "connect_seconds": 1.0,
            "origin_cpu_ms": summary([cpu]), "missing": 0, "problems": [], **extra}  # fmt: skip


def figures(grip: list[dict], nchan: list[dict]) -> dict:
    return {"path": "edge", "transports": {"grip": grip, "nchan": nchan}, "problems": [],
            "reconnect": {}}  # fmt: skip


def test_the_targets_are_ratios_to_nchan_in_the_same_run():
    verdicts = edge_targets(figures(
        [row(1000, 40, cpu=10), row(10_000, 300, cpu=11), row(20_000, 700, cpu=12)],
        [row(10_000, 310), row(20_000, 500)],
    ))  # fmt: skip

    assert [v[2] for v in verdicts] == ["yes", "NO", "yes"]
    assert verdicts[0][1] == "300 / 310 ms = 0.97"
    assert verdicts[1][1] == "700 / 500 ms = 1.40"  # past 1.25x nchan's
    assert verdicts[2][1] == "10.0 to 12.0 ms = 1.20x"


def test_origin_cost_that_grows_with_the_crowd_is_not_flat():
    [verdict] = edge_targets(figures([row(1000, 40, cpu=10), row(20_000, 400, cpu=40)], []))

    assert verdict[2] == "NO"


def test_flat_is_judged_from_1000_to_20000_readers_as_the_issue_asks():
    [verdict] = edge_targets(figures(
        [row(1000, 40, cpu=10), row(20_000, 400, cpu=12), row(50_000, 900, cpu=30)], []
    ))  # fmt: skip

    assert verdict[0] == "origin CPU per publish flat, 1,000 to 20,000 readers"
    assert verdict[2] == "yes"


def test_the_table_shows_who_held_the_readers_and_each_verdict():
    text = table("push", figures([row(10_000, 300, instances=2)], [row(10_000, 290)]))

    assert "Pushpin x2" in text
    assert "nchan" in text
    assert "p99 at 10,000: engine / nchan <= 1.0" in text
    assert "NO" in text
