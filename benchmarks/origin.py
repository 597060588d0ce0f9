"""The origin under a crowd: reader pages and the poll as ratios to ``/healthz``.

One gunicorn (2 workers, one thread each, production settings) serves a blog of 20
posts and one of 20,000. Each round measures, under wrk, ``/healthz`` and then for each
blog: the reader page, the key-events page, the poll with one new post (200) and the
unchanged poll (304); a figure is the median of the rounds, and each is read as a ratio
to ``/healthz`` in the same run, so the machine's speed cancels out (issue: render once
per change). The crowd asks for the same bytes: they are rendered once per change.
"""

from __future__ import annotations

import time
from typing import Any

from .cost import make_blog
from .poll import fetch, wrk
from .stack import Stack, free_port
from .stats import summary

SIZES = (20, 20_000)
TARGETS = {"page": 0.2, "key-events": 0.2, "poll-200": 0.5, "poll-304": 0.9}


def run(stack: Stack, *, quick: bool, runs: int) -> dict[str, Any]:
    stack.django()
    blogs = {size: make_blog(size)[0] for size in SIZES}
    port = free_port()
    gunicorn = stack.gunicorn(port=port, workers=2, threads=1)
    try:
        origin = f"http://127.0.0.1:{port}"
        variants: list[tuple[str, str, str]] = [("healthz", origin + "/healthz", "")]
        for size, blog in blogs.items():
            seq = blog.last_seq
            poll = f"{origin}/live/{blog.slug}/changes/"
            status, headers, _ = fetch(f"{poll}?since={seq}")
            assert status == 200
            assert fetch(f"{poll}?since={seq}", {"If-None-Match": headers["ETag"]})[0] == 304
            for path in (f"/live/{blog.slug}/", f"/live/{blog.slug}/?filter=key-events"):
                assert fetch(origin + path)[0] == 200
            variants += [
                (f"page@{size}", f"{origin}/live/{blog.slug}/", ""),
                (f"key-events@{size}", f"{origin}/live/{blog.slug}/?filter=key-events", ""),
                (f"poll-200@{size}", f"{poll}?since={seq - 1}", ""),
                (f"poll-304@{size}", f"{poll}?since={seq}", headers["ETag"]),
            ]
        seconds = 2 if quick else 5
        rates: dict[str, list[float]] = {name: [] for name, *_ in variants}
        for round_ in range(runs):
            print(f"  origin: round {round_ + 1}/{runs}", flush=True)
            for name, url, inm in variants:
                rates[name].append(round(wrk(url, seconds=seconds, if_none_match=inm)))
                time.sleep(0.3)
    finally:
        stack.stop(gunicorn)
    figures = {name: summary(values) for name, values in rates.items()}
    healthz = figures["healthz"]["median"]
    rows = []
    for name, _, inm in variants:
        kind = name.split("@")[0]
        ratio = round(figures[name]["median"] / healthz, 3)
        rows.append({"key": name, "rps": figures[name], "status": "304" if inm else "200",
                     "ratio": ratio, "target": TARGETS.get(kind),
                     "met": ratio >= TARGETS[kind] if kind in TARGETS else None})  # fmt: skip
    flat = {
        kind: round(figures[f"{kind}@{SIZES[-1]}"]["median"] / figures[f"{kind}@{SIZES[0]}"]
                    ["median"], 3)
        for kind in ("page", "key-events")
    }  # fmt: skip
    return {
        "wrk": f"wrk -t2 -c64 -d{seconds}s",
        "server": "gunicorn, 2 workers x 1 thread (gthread), production settings",
        "rates": rows,
        "flat_20000_vs_20": flat,
        "flat_target": "≥ 0.91 (the 20,000-post page within 1.1x the 20-post page's time)",
    }
