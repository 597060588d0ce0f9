"""Poll throughput under wrk: Django straight, through the shipped nginx config, static.

One run starts gunicorn (WSGI, 2 workers x 4 threads) and uvicorn (ASGI, 2 workers) as
``docs/deployment.md`` does, and one nginx with ``docs/deploy/nginx.conf`` (addresses and
paths substituted) plus a server that serves the poll's own bytes as static files. Each
round measures every variant once, in turn, so drift hits them alike; a figure is the
median of the rounds. wrk runs on the same two cores: read the figures as ratios.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
import urllib.request
from typing import Any

from .proxy import nginx_config, render_site
from .stack import DEMO_SLUG, ROOT, Stack, free_port, wait_http
from .stats import summary

CHANGES = f"/live/{DEMO_SLUG}/changes/"
LUA = ROOT / "benchmarks" / "wrk" / "headers.lua"


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wrk(url: str, *, seconds: float, if_none_match: str = "") -> float:
    """Requests per second; fails on any non-2xx/3xx answer or socket error."""
    binary = shutil.which("wrk")
    if binary is None:
        raise RuntimeError("wrk is not installed (apt-get install wrk)")
    if not url.startswith("http://127."):
        raise RuntimeError("loopback only")
    result = subprocess.run(
        [binary, "-t2", "-c64", f"-d{seconds:g}s", "--timeout", "10s", "-s", str(LUA), url],
        capture_output=True, text=True, timeout=seconds + 30,
        env={"PATH": "/usr/bin:/bin", "WRK_IF_NONE_MATCH": if_none_match},
    )  # fmt: skip
    out = result.stdout
    if result.returncode != 0 or "Requests/sec" not in out:
        raise RuntimeError(f"wrk failed on {url}:\n{out}\n{result.stderr}")
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if bad or (errors and int(errors.group(1)) + int(errors.group(4)) > 0):
        raise RuntimeError(f"wrk saw errors on {url}:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]


def run(stack: Stack, *, quick: bool, runs: int) -> dict[str, Any]:
    stack.django()
    from .push import Editor

    editor = Editor()
    editor.publish()  # the newest change is a post: "one post is new" renders one card
    seq = editor.last_seq()
    wsgi, asgi, proxy, static = free_port(), free_port(), free_port(), free_port()
    gunicorn = stack.gunicorn(port=wsgi)
    uvicorn = stack.uvicorn(port=asgi)
    try:
        origin, asgi_origin = f"http://127.0.0.1:{wsgi}", f"http://127.0.0.1:{asgi}"
        unchanged = f"{CHANGES}?since={seq}"
        one_new = f"{CHANGES}?since={seq - 1}"
        status, headers, body_unchanged = fetch(origin + unchanged)
        etag = headers["ETag"]
        assert status == 200
        assert fetch(origin + unchanged, {"If-None-Match": etag})[0] == 304
        status, _, body_new = fetch(origin + one_new)
        assert status == 200
        assert body_new, "one new post should render"

        static_root = stack.workdir / "static-yardstick"
        static_root.mkdir(exist_ok=True)
        (static_root / "unchanged.html").write_bytes(body_unchanged)
        (static_root / "one-new.html").write_bytes(body_new)
        site = stack.workdir / "newsroom-site.conf"
        site.write_text(render_site(wsgi=wsgi, asgi=[asgi], listen=proxy, workdir=stack.workdir))
        stack.nginx(nginx_config(site, static_root=static_root, static_port=static,
                                 workdir=stack.workdir), probe_port=proxy)  # fmt: skip
        via, yard = f"http://127.0.0.1:{proxy}", f"http://127.0.0.1:{static}"
        wait_http(via + "/healthz")
        static_etag = fetch(yard + "/unchanged.html")[1]["ETag"]
        assert fetch(yard + "/unchanged.html", {"If-None-Match": static_etag})[0] == 304
        # The proxy answers a matching If-None-Match from its cache.
        fetch(via + unchanged)
        assert fetch(via + unchanged, {"If-None-Match": etag})[0] == 304

        variants = [
            ("origin-healthz", "Django /healthz (gunicorn, WSGI)", origin + "/healthz", ""),
            ("origin-304", "poll, unchanged, 304 (gunicorn)", origin + unchanged, etag),
            ("origin-200", "poll, one new post, 200 (gunicorn)", origin + one_new, ""),
            ("asgi-healthz", "Django /healthz (uvicorn, ASGI)", asgi_origin + "/healthz", ""),
            ("proxy-304", "poll, unchanged, 304 (nginx proxy cache)", via + unchanged, etag),
            ("proxy-200", "poll, one new post, 200 (nginx proxy cache)", via + one_new, ""),
            ("static-304", "nginx static file, 304 (same bytes)", yard + "/unchanged.html",
             static_etag),
            ("static-200", "nginx static file, 200 (same bytes)", yard + "/one-new.html", ""),
        ]  # fmt: skip
        seconds = 2 if quick else 10
        rates: dict[str, list[float]] = {key: [] for key, *_ in variants}
        for round_ in range(runs):
            print(f"  poll: round {round_ + 1}/{runs}", flush=True)
            for key, _, url, inm in variants:
                rates[key].append(round(wrk(url, seconds=seconds, if_none_match=inm)))
                time.sleep(0.5)
        figures = {key: summary(values) for key, values in rates.items()}

        def ratio(a: str, b: str) -> float:
            return round(figures[a]["median"] / figures[b]["median"], 2)

        ratios = {
            "origin_304_vs_healthz": ratio("origin-304", "origin-healthz"),
            "proxy_304_vs_static_304": ratio("proxy-304", "static-304"),
            "proxy_200_vs_static_200": ratio("proxy-200", "static-200"),
            "origin_healthz_wsgi_vs_asgi": ratio("origin-healthz", "asgi-healthz"),
        }
        ratio_of = {"origin-304": ratios["origin_304_vs_healthz"],
                    "proxy-304": ratios["proxy_304_vs_static_304"],
                    "proxy-200": ratios["proxy_200_vs_static_200"]}  # fmt: skip
        return {
            "wrk": f"wrk -t2 -c64 -d{seconds}s --timeout 10s",
            "bytes": {"unchanged_200": len(body_unchanged), "one_new_200": len(body_new)},
            "rates": [
                {
                    "key": key,
                    "label": label,
                    "rps": figures[key],
                    "status": "304" if inm else "200",
                    "ratio": f"{ratio_of[key]:.2f}x" if key in ratio_of else "",
                }
                for key, label, _, inm in variants
            ],
            "ratios": ratios,
            "targets": {
                "proxy_304_at_least_half_of_static": ratios["proxy_304_vs_static_304"] >= 0.5,
                "origin_304_at_least_half_of_healthz": ratios["origin_304_vs_healthz"] >= 0.5,
            },
        }
    finally:
        stack.stop(gunicorn)
        stack.stop(uvicorn)
