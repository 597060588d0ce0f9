"""The one entry point: start the stack, run the chosen benchmarks, save and print them."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import machine, report
from .stack import ROOT, Stack

RESULTS = ROOT / "benchmarks" / "results"
NAMES = ("push", "poll", "cost", "ingest", "origin", "images", "ap", "rehearsal")
STACKLESS = {"images"}  # measured in processes of their own: no servers to start


def _runner(name: str) -> Callable[..., dict[str, Any]]:
    if name == "push":
        from .push import run
    elif name == "poll":
        from .poll import run
    elif name == "cost":
        from .cost import run
    elif name == "images":
        from .images import run
    elif name == "origin":
        from .origin import run
    elif name == "ap":
        from .apimport import run
    elif name == "rehearsal":
        from .rehearsal import run
    else:
        from .ingest import run
    return run


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", help=f"which to run (default: all of {NAMES})")
    parser.add_argument("--quick", action="store_true", help="a smoke run in under a minute")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (min 3)")
    parser.add_argument("--plot", action="store_true", help="only redraw the plots from results")
    parser.add_argument("--readers", default="", help="push: reader counts, e.g. 5000,10000")
    parser.add_argument("--direct", action="store_true", help="push: readers skip nginx")
    parser.add_argument("--transport", choices=("hub", "grip", "all"), default="hub",
                        help="push: readers held by the built-in hub, by Pushpin (GRIP) beside "
                             "nchan, or all three in one run")  # fmt: skip
    parser.add_argument("--asgi-app", default="liveblog.live.asgi:application",
                        help="push: the stream servers' ASGI application")  # fmt: skip
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an environment setting for every process (an experiment)",
    )
    parser.add_argument("--tag", default="", help="save as <name>.<tag>.json (an experiment)")
    parser.add_argument(
        "--no-wait",
        action="store_true",
        help="start at once, even on a busy machine (the harness's own tests)",
    )
    args = parser.parse_args(argv)
    names = [n for part in args.names for n in part.replace(",", " ").split()] or list(NAMES)
    unknown = sorted(set(names) - set(NAMES))
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; choose from {NAMES}")
    if args.plot:
        report.plots(RESULTS)
        return
    runs = 1 if args.quick else max(3, args.runs)
    database_url = os.environ.get("DATABASE_URL", "")
    workdir = Path(tempfile.mkdtemp(prefix="newsroom-bench-"))
    print(f"bench: {', '.join(names)}{' (quick)' if args.quick else ''}; "
          f"database: {'PostgreSQL' if database_url else 'SQLite'}; logs in {workdir}")  # fmt: skip
    failed = []
    started = time.monotonic()
    try:
        experiment = dict(item.split("=", 1) for item in args.set)
        needs_stack = bool(set(names) - STACKLESS)
        with (Stack(workdir, database_url=database_url, settings=experiment,
                    asgi_app=args.asgi_app) if needs_stack else contextlib.nullcontext()
              ) as stack:  # fmt: skip
            info = machine.describe(database_url=database_url if needs_stack else "")
            for name in names:
                print(f"bench: {name} …", flush=True)
                if not args.no_wait:
                    machine.wait_until_quiet(60 if args.quick else 300)
                load_before = machine.load()
                t0 = time.monotonic()
                try:
                    readers = [int(n) for n in args.readers.split(",") if n]
                    options = {"readers": readers, "direct": args.direct,
                               "transport": args.transport}  # fmt: skip
                    figures = _runner(name)(
                        stack, quick=args.quick, runs=runs, **(options if name == "push" else {})
                    )
                except KeyboardInterrupt:
                    raise
                except Exception:
                    traceback.print_exc()
                    failed.append(name)
                    continue
                # Other work on the machine skews every figure: the load averages show it.
                document = {"benchmark": name, "quick": args.quick, "runs_per_figure": runs,
                            "settings": experiment, "asgi_app": args.asgi_app,
                            "seconds": round(time.monotonic() - t0, 1), "machine": info,
                            "load_before": load_before, "load_after": machine.load(),
                            "figures": figures}  # fmt: skip
                stem = f"{name}.{args.tag}" if args.tag else name
                if name == "push" and args.transport != "hub":
                    stem += ".edge"
                path = RESULTS / (f"{stem}.quick.tmp" if args.quick else f"{stem}.json")
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(json.dumps(document, indent=1, default=str) + "\n")
                print(report.table(name, figures))
                print(f"bench: {name} took {document['seconds']}s; saved {path.relative_to(ROOT)}")
                # A run that did not do what it asked (readers who never connected, events
                # never delivered) fails, whatever figures it has.
                for problem in figures.get("problems", []):
                    print(f"bench: {name}: {problem}", file=sys.stderr)
                if figures.get("problems"):
                    failed.append(name)
    except KeyboardInterrupt:
        print("\nbench: interrupted; everything it started has been stopped", file=sys.stderr)
        sys.exit(130)
    if not args.quick and not failed and not args.tag:
        report.plots(RESULTS)
    print(f"bench: done in {time.monotonic() - started:.0f}s")
    if failed:
        sys.exit(f"bench: failed: {', '.join(failed)} (logs in {workdir})")
