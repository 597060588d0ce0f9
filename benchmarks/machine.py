"""What the figures were measured on: cores, memory, versions, date, commit."""

from __future__ import annotations

import datetime
import os
import platform
import shutil
import subprocess
from importlib import metadata
from typing import Any

from .stack import ROOT


def _run(*argv: str) -> str:
    if shutil.which(argv[0]) is None:
        return "not installed"
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=10, cwd=ROOT)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return (
        (result.stdout or result.stderr).strip().splitlines()[0]
        if (result.stdout or result.stderr)
        else "unknown"
    )


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _memory_gib() -> float:
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 2**20, 1)
    return 0.0


def describe(*, database_url: str) -> dict[str, Any]:
    commit = _run("git", "rev-parse", "--short", "HEAD")
    dirty = _run("git", "status", "--porcelain") not in ("", "unknown")
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit + (" (with uncommitted changes)" if dirty else ""),
        "nproc": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "database": "PostgreSQL " + _run("psql", "--version").split()[2]
        if database_url
        else "SQLite " + __import__("sqlite3").sqlite_version,
        "redis": _run("redis-server", "--version").split(" v=")[-1].split()[0],
        "nginx": _run("nginx", "-v").split("/")[-1],
        "wrk": _run("wrk", "--version").split()[1] if shutil.which("wrk") else "not installed",
        "django": _version("django"),
        "uvicorn": _version("uvicorn"),
        "uvloop": _version("uvloop"),
        "httptools": _version("httptools"),
        "gunicorn": _version("gunicorn"),
    }


def load() -> str:
    """The 1, 5 and 15 minute load averages (2 cores: above 2 means other work ran)."""
    with open("/proc/loadavg") as loadavg:
        return " ".join(loadavg.read().split()[:3])


def wait_until_quiet(limit: float) -> bool:
    """Wait (up to ``limit`` seconds) for the one-minute load to fall below 1: other work
    on these cores would be measured too. Says so when it does not."""
    import time

    deadline = time.monotonic() + limit
    while float(load().split()[0]) >= 1.0:
        if time.monotonic() >= deadline:
            print(f"bench: warning: the machine is busy (load {load()}): figures will suffer")
            return False
        time.sleep(5)
    return True
