"""The Grafana dashboard in docs/deploy/ reads only metrics /metrics serves (a renamed
metric would leave a panel silently empty on the night)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import newsroom.metrics

DASHBOARD = Path(__file__).resolve().parents[2] / "docs" / "deploy" / "grafana-dashboard.json"


def test_every_panel_reads_a_metric_newsroom_serves():
    source = Path(newsroom.metrics.__file__).read_text()
    served = set(re.findall(r'"(newsroom_[a-z_]+)"', source))
    served |= {f"{name}_total" for name in served}  # counters gain _total on the wire
    dashboard = json.loads(DASHBOARD.read_text())
    used = {name for panel in dashboard["panels"] for target in panel["targets"]
            for name in re.findall(r"newsroom_[a-z_]+", target["expr"])}  # fmt: skip
    assert used
    assert used <= served, used - served
    assert {"newsroom_delivery_lag_seconds", "newsroom_results_feed_age_seconds",
            "newsroom_task_queue_depth"} <= used  # fmt: skip
