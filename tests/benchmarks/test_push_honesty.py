"""The push benchmark cannot report for readers who never connected: asked for more than
the stream processes will take, the run fails and says how many came."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.benchmarks
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
def test_a_push_run_with_readers_refused_fails_and_says_how_many_connected():
    own = {"DATABASE_URL", "REDIS_URL"}
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DJANGO_", "NEWSROOM_")) and k not in own}  # fmt: skip
    command = [sys.executable, "-m", "benchmarks", "push", "--quick", "--no-wait", "--direct",
               "--readers", "60", "--tag", "honesty-check",
               # Two stream processes that take 10 readers each: 20 of 60 can connect.
               "--set", "NEWSROOM_STREAM_MAX_READERS=10"]  # fmt: skip
    try:
        result = subprocess.run(command, cwd=ROOT, env={**env, "DJANGO_DEBUG": "true"},
                                capture_output=True, text=True, timeout=600)  # fmt: skip
    finally:
        for leftover in (ROOT / "benchmarks" / "results").glob("push.honesty-check.*"):
            leftover.unlink()

    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    assert "only 20 of 60 readers connected" in output, output[-3000:]
    assert "FAILED: only 20 of 60" in result.stdout  # in the table, not only the log
