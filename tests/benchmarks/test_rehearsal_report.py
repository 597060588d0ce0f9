"""The rehearsal benchmark's table says, per step of the night, what it took and how many
readers got it (a step some reader missed must show, not be averaged away)."""

from __future__ import annotations

from benchmarks import report


def test_each_step_is_a_row_with_its_readers_and_lateness():
    figures = {
        "speed": 10, "readers": 5000, "connected": 5000, "problems": ["x: 3 readers missed it"],
        "steps": [
            {"step": "20151103-2000-early.json", "kind": "document", "at_s": 0.0,
             "late_start_s": 0.0, "step_ms": 812.4, "changes": 2, "delivered": 5000,
             "missing": 0, "p50_ms": 120.0, "p99_ms": 310.0},
            {"step": "Polls have closed across Kentucky", "kind": "post", "at_s": 5.0,
             "late_start_s": 0.25, "step_ms": 40.0, "changes": 1, "delivered": 4997,
             "missing": 3, "p50_ms": 90.0, "p99_ms": 200.0},
        ],
    }  # fmt: skip

    table = report.table("rehearsal", figures)

    lines = table.splitlines()
    assert "readers got it" in lines[0]
    assert "5,000/5,000" in lines[2]
    assert "812" in lines[2]
    assert "4,997/5,000" in lines[3]
    assert "0.25" in lines[3]
    assert lines[-1] == "5,000 of 5,000 readers connected; the night at 10x"
