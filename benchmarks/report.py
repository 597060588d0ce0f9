"""Tables for the terminal and the plots embedded in ``docs/performance.md``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .stack import ROOT
from .stats import fmt, fmt_summary, summary

PLOTS = ROOT / "docs" / "performance"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])


def table(name: str, figures: dict[str, Any]) -> str:
    tables = {"push": _push, "poll": _poll, "cost": _cost, "ingest": _ingest, "images": _images,
              "origin": _origin, "ap": _ap, "rehearsal": _rehearsal}  # fmt: skip
    return tables[name](figures)


def _origin(figures: dict[str, Any]) -> str:
    rows = [
        [r["key"], fmt_summary(r["rps"]), r["status"], f"{r['ratio']:.3f}x",
         "" if r["target"] is None else f"≥ {r['target']}x {'met' if r['met'] else 'NOT met'}"]
        for r in figures["rates"]
    ]  # fmt: skip
    out = _table(["request (blog size)", "req/s median (min-max)", "status", "vs /healthz",
                  "target"], rows)  # fmt: skip
    flat = ", ".join(f"{k} {v:.3f}" for k, v in figures["flat_20000_vs_20"].items())
    return out + f"\n\n20,000 vs 20 posts (req/s ratio): {flat}; target {figures['flat_target']}"


def _images(figures: dict[str, Any]) -> str:
    rows = [
        [label, f"{case['file_mb']:g}", case["outcome"], f"{case['extra_mb_max']:g}"]
        for label, case in figures["cases"].items()
    ]
    head = [
        "upload",
        "file MB",
        "outcome",
        f"peak MB above baseline (target < {figures['target_mb']})",
    ]
    return _table(head, rows)


def _push(figures: dict[str, Any]) -> str:
    if figures.get("path") == "edge":
        return _edge(figures)
    rows = [
        [f"{r['readers']:,}", f"{r['connected']:,}", fmt_summary(r["p50_ms"]),
         fmt_summary(r["p99_ms"]), fmt_summary(r["max_ms"]), fmt(r["kb_per_reader"], "", 1),
         fmt(r.get("edge_kb_per_reader", r.get("nginx_kb_per_reader")), "", 1),
         fmt(r["connect_seconds"], "", 1),
         str(r["missing"])]
        for r in figures["latency"]
    ]  # fmt: skip
    out = _table(["readers", "connected", "p50 ms", "p99 ms", "max ms", "KB/reader (Django)",
                  "KB/reader (nginx)", "connect s", "missed"], rows)  # fmt: skip
    storm = figures["reconnect"]
    out += "\n\n" + _table(
        ["reconnect storm", "all caught up (s)", "p99 (s)", "missed"],
        [[f"{storm['readers']:,} readers", fmt_summary(storm["all_caught_up_s"], "", 2),
          fmt_summary(storm["p99_s"], "", 2), str(storm["missing"])]],
    )  # fmt: skip
    for problem in figures.get("problems", []):
        out += f"\nFAILED: {problem}"
    return out


def _edge(figures: dict[str, Any]) -> str:
    """Readers held by Pushpin, nchan and the hub, side by side, with the targets of the
    edge-push issue as ratios to nchan in the same run."""
    rows = []
    for kind, results in figures["transports"].items():
        for r in results:
            held_by = {"grip": f"Pushpin x{r.get('instances', 1)}", "nchan": "nchan",
                       "hub": "hub (uvicorn x2)"}[kind]  # fmt: skip
            rows.append([held_by, f"{r['readers']:,}", f"{r['connected']:,}",
                         fmt_summary(r["p50_ms"]), fmt_summary(r["p99_ms"]),
                         fmt_summary(r["max_ms"]), fmt(r["kb_per_reader"], "", 1),
                         fmt(r.get("edge_kb_per_reader"), "", 1),
                         fmt(r["connect_seconds"], "", 1),
                         fmt_summary(r.get("origin_cpu_ms", summary([])), "", 1),
                         str(r.get("reopened", 0)), str(r["missing"])])  # fmt: skip
    out = _table(["held by", "readers", "connected", "p50 ms", "p99 ms", "max ms",
                  "KB/reader (Django)", "KB/reader (engine)", "connect s",
                  "origin CPU ms/publish", "closed by server, reopened", "missed"],
                 rows)  # fmt: skip
    targets = edge_targets(figures)
    if targets:
        out += "\n\n" + _table(["target", "figure", "met"], targets)
    storms = figures.get("reconnect", {})
    if storms:
        out += "\n\n" + _table(
            ["reconnect storm", "all caught up (s)", "p99 (s)", "missed"],
            [[f"{kind}: {s['readers']:,} readers", fmt_summary(s["all_caught_up_s"], "", 2),
              fmt_summary(s["p99_s"], "", 2), str(s["missing"])] for kind, s in storms.items()],
        )  # fmt: skip
    for problem in figures.get("problems", []):
        out += f"\nFAILED: {problem}"
    return out


def edge_targets(figures: dict[str, Any]) -> list[list[str]]:
    """The issue's targets: p99 through the engine at 10,000 readers no worse than
    nchan's, at 20,000 within 1.25x; the origin's CPU per publish flat from 1,000 to
    20,000 readers (the largest crowd's within 1.5x of the smallest's, my reading of
    "flat")."""
    by = {kind: {r["readers"]: r for r in rows} for kind, rows in figures["transports"].items()}
    grip, nchan = by.get("grip", {}), by.get("nchan", {})
    out = []
    for readers, allowed in ((10_000, 1.0), (20_000, 1.25)):
        if readers in grip and readers in nchan:
            ours, theirs = grip[readers]["p99_ms"]["median"], nchan[readers]["p99_ms"]["median"]
            if ours is not None and theirs:
                ratio = ours / theirs
                out.append([f"p99 at {readers:,}: engine / nchan <= {allowed}",
                            f"{ours:.0f} / {theirs:.0f} ms = {ratio:.2f}",
                            "yes" if ratio <= allowed else "NO"])  # fmt: skip
    costs = [
        (n, r.get("origin_cpu_ms", {}).get("median"))
        for n, r in sorted(grip.items())
        if n <= 20_000
    ]  # the range: "from 1,000 to 20,000 readers"
    costs = [(n, c) for n, c in costs if c]
    if len(costs) >= 2:
        (small, first), (large, last) = costs[0], costs[-1]
        out.append([f"origin CPU per publish flat, {small:,} to {large:,} readers",
                    f"{first:.1f} to {last:.1f} ms = {last / first:.2f}x",
                    "yes" if last / first <= 1.5 else "NO"])  # fmt: skip
    return out


def _poll(figures: dict[str, Any]) -> str:
    rows = [
        [r["label"], fmt_summary(r["rps"]), r.get("status", ""), r.get("ratio", "")]
        for r in figures["rates"]
    ]
    return _table(["request", "req/s median (min-max)", "status", "ratio"], rows)


def _cost(figures: dict[str, Any]) -> str:
    rows = []
    for endpoint in figures["endpoints"]:
        for size in endpoint["sizes"]:
            rows.append([endpoint["label"], f"{size['posts']:,}", str(size.get("items", "")),
                         str(size["queries"]), fmt_summary(size["ms"], "", 2),
                         size.get("vs_smallest", "")])  # fmt: skip
    return _table(["endpoint", "posts in blog", "items shown", "queries", "ms median (min-max)",
                   "vs smallest blog (same items)"], rows)  # fmt: skip


def _ingest(figures: dict[str, Any]) -> str:
    return _table(
        ["results ingest", "snapshots/s median (min-max)"],
        [[figures["label"], fmt_summary(figures["per_second"], "", 1)]],
    )


def _rehearsal(figures: dict[str, Any]) -> str:
    """Each step of the night at its speed: what it took and how late readers had it."""
    rows = [
        [f"+{s['at_s']:g}s", s["kind"], s["step"][:40], f"{s['step_ms']:.0f}", str(s["changes"]),
         f"{s.get('delivered', 0):,}/{figures['readers']:,}", fmt(s.get("p50_ms")),
         fmt(s.get("p99_ms")), f"{s['late_start_s']:.2f}"]
        for s in figures.get("steps", [])
    ]  # fmt: skip
    out = _table(["at", "step", "what", "step ms", "changes", "readers got it", "p50 ms",
                  "p99 ms", "started late s"], rows or [[""] * 9])  # fmt: skip
    tail = f"{figures.get('connected', 0):,} of {figures['readers']:,} readers connected"
    return out + "\n" + tail + f"; the night at {figures['speed']}x"


def _ap(figures: dict[str, Any]) -> str:
    targets = figures["targets"]
    rows = [
        [what, fmt_summary(figures[key], "", 3),
         f"< {targets[key]}" if key in targets else ""]
        for what, key in (("first import", "first_import_s"),
                          ("unchanged re-import", "unchanged_reimport_s"),
                          ("next update (every state moved)", "next_update_s"))
    ]  # fmt: skip
    out = _table([f"AP import: {figures['label']}", "seconds median (min-max)", "target"], rows)
    if big := figures.get("big"):
        out += "\n\n" + _table(
            [f"Oversized: {big['label']}", "figure", "target"],
            [["import (its own process)", f"{big['import_s']} s",
              f"< {big['targets']['import_s']} s"],
             ["peak memory above Django's own", f"{big['import_peak_above_base_mb']} MB", ""],
             ["results page, first", f"{big['page_first_s']} s", ""],
             ["results page, cached", f"{big['page_cached_s']} s",
              f"< {big['targets']['page_cached_s']} s"]],
        )  # fmt: skip
    return out + f"\ntargets {'met' if figures['met'] else 'NOT met'}"


def plots(results: Path) -> None:
    """Push latency against readers, and the cost curve, as PNGs under docs/performance/."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("bench: matplotlib is not installed (pip install -e '.[bench]'): no plots")
        return
    PLOTS.mkdir(parents=True, exist_ok=True)
    push_path, cost_path = results / "push.json", results / "cost.json"
    if push_path.exists():
        push = json.loads(push_path.read_text())
        rows = push["figures"]["latency"]
        readers = [r["readers"] for r in rows]
        fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
        for key, label in (("p50_ms", "p50"), ("p99_ms", "p99"), ("max_ms", "max")):
            med = [r[key]["median"] for r in rows]
            low = [r[key]["median"] - r[key]["min"] for r in rows]
            high = [r[key]["max"] - r[key]["median"] for r in rows]
            ax.errorbar(readers, med, yerr=[low, high], marker="o", capsize=3, label=label)
        ax.axhline(250, color="grey", linestyle=":", linewidth=1, label="p99 target, 5,000")
        ax.axhline(500, color="grey", linestyle="--", linewidth=1, label="p99 target, 10,000")
        ax.set_xscale("log")
        ax.set_xticks(readers, [f"{n:,}" for n in readers])
        ax.set_ylim(0, max(560, 1.1 * max(r["max_ms"]["max"] for r in rows)))
        ax.set_xlabel("connected readers (nginx, 2 uvicorn processes, Redis fan-out)")
        ax.set_ylabel("publish-to-screen latency (ms)")
        ax.set_title(f"Push latency ({push['machine']['nproc']} cores, {push['machine']['date']})")
        ax.legend()
        ax.grid(alpha=0.3)
        fig.tight_layout()
        fig.savefig(PLOTS / "push-latency.png")
        plt.close(fig)
    if cost_path.exists():
        cost = json.loads(cost_path.read_text())
        fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
        for endpoint in cost["figures"]["endpoints"]:
            sizes = [s["posts"] for s in endpoint["sizes"]]
            ms = [s["ms"]["median"] for s in endpoint["sizes"]]
            queries = endpoint["sizes"][0]["queries"]
            ax.plot(sizes, ms, marker="o", label=f"{endpoint['label']} ({queries} queries)")
        ax.set_xscale("log")
        ax.set_xticks([20, 2000, 20000], ["20", "2,000", "20,000"])
        ax.set_ylim(bottom=0)
        ax.set_xlabel("posts in the blog")
        ax.set_ylabel("server time per request (ms, median)")
        ax.set_title(f"Cost curve ({cost['machine']['database']}, {cost['machine']['date']})")
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
        fig.tight_layout()
        fig.savefig(PLOTS / "cost-curve.png")
        plt.close(fig)
    print(f"bench: plots in {PLOTS.relative_to(ROOT)}/")
