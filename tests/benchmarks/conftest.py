"""The benchmark harness's own checks (``-m "not benchmarks"`` leaves them out)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "benchmarks: checks of the benchmark harness (fast)")
