"""Publish-to-screen latency with N connected readers, memory per reader, reconnect storms.

Readers connect through nginx with the shipped config (docs/deploy/nginx.conf) to two
single-worker uvicorn processes that share a private Redis (the realistic setup: a
publish in one process reaches the readers of every process through pub/sub). The
editor publishes through the service (``post_create`` + ``post_publish``) from this
process, which is neither server process, so every delivery crosses Redis. Latency is
measured from the publish call returning to each reader holding the complete event.

It cannot report for readers who never came: readers connect from distinct loopback
addresses (``benchmarks.sseclient``), so the production limits per client stay on, and a
run in which fewer readers connect than asked, or any reader misses an event, is
reported with its ``problems`` and fails (``make bench`` exits non-zero).
"""

from __future__ import annotations

import time
from typing import Any

from .loadclients import LoadClients
from .proxy import nginx_config, render_site
from .stack import DEMO_SLUG, Process, Stack, cpu_seconds, free_port, rss_bytes
from .stats import percentile, summary

STREAM = f"/live/{DEMO_SLUG}/stream/"


class Editor:
    """Publishes posts through the services, as the admin or the API would."""

    def __init__(self) -> None:
        from django.contrib.auth import get_user_model

        from liveblog.models import LiveBlog

        self.blog = LiveBlog.objects.get(slug=DEMO_SLUG)
        self.user = get_user_model().objects.get(username="editor")
        self.count = 0

    def last_seq(self) -> int:
        from liveblog.models import LiveBlog

        return int(LiveBlog.objects.values_list("last_seq", flat=True).get(pk=self.blog.pk))

    def publish(self) -> tuple[int, float, float]:
        """Publish one post: (its change seq, call start, call return), monotonic."""
        from liveblog import services

        self.count += 1
        body = "<p>" + ("Counting continues in the swing states. " * 20) + "</p>"
        post = services.post_create(
            blog=self.blog, by=self.user, title=f"Benchmark update {self.count}", body=body
        )
        started = time.monotonic()
        services.post_publish(post=post, by=self.user)
        returned = time.monotonic()
        return self.last_seq(), started, returned


class StreamServers:
    """``count`` uvicorn processes (one worker each) behind nginx's least_conn; with
    ``direct``, no nginx: each load client process connects to one of them."""

    def __init__(self, stack: Stack, count: int = 2, *, direct: bool = False) -> None:
        self.stack = stack
        self.servers: list[Process] = []
        self.nginx: Process | None = None
        try:
            ports = [free_port() for _ in range(count)]
            for index, port in enumerate(ports):
                self.servers.append(stack.uvicorn(port=port, workers=1, name=f"uvicorn-{index}"))
            self.port: int | list[int] = ports
            if direct:
                return
            self.port = free_port()
            site = stack.workdir / "stream-site.conf"
            site.write_text(render_site(wsgi=free_port(), asgi=ports, listen=self.port,
                                        workdir=stack.workdir))  # fmt: skip
            config = nginx_config(site, static_root=stack.workdir / "static-yardstick",
                                  static_port=free_port(), workdir=stack.workdir)  # fmt: skip
            self.nginx = stack.nginx(config, probe_port=self.port, name="nginx-stream")
        except BaseException:
            self.stop()
            raise

    def pids(self) -> list[int]:
        """The Django server processes (nginx is reported apart)."""
        return [pid for server in self.servers for pid in server.pids()]

    def nginx_pids(self) -> list[int]:
        return self.nginx.pids() if self.nginx is not None else []

    def stop(self) -> None:
        if self.nginx is not None:
            self.stack.stop(self.nginx)
        for server in self.servers:
            self.stack.stop(server)


def _settle(pids_of: Any, seconds: float = 3.0) -> int:
    """RSS once it has stopped moving (readers' buffers allocated, GC done)."""
    time.sleep(1.0)
    previous = rss_bytes(pids_of())
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.5)
        current = rss_bytes(pids_of())
        if abs(current - previous) < 256 * 1024:
            return current
        previous = current
    return previous


def latency(
    stack: Stack, editor: Editor, *, readers: int, runs: int, direct: bool = False
) -> dict[str, Any]:
    """One server pair, ``readers`` connections, ``runs`` publications."""
    server = StreamServers(stack, direct=direct)
    port = server.port
    clients = None
    try:
        # Warm both workers (imports, templates, the hub) before the memory baseline.
        warm = LoadClients(stack, port=port, path=STREAM, count=20, processes=2)
        warm.connect(editor.last_seq())
        editor.publish()
        time.sleep(0.5)
        warm.close()
        time.sleep(1.0)
        baseline = _settle(server.pids)
        nginx_baseline = rss_bytes(server.nginx_pids())
        clients = LoadClients(stack, port=port, path=STREAM, count=readers, processes=2)
        cpu_before = cpu_seconds(server.pids())
        connected = clients.connect(editor.last_seq())
        connect_cpu = cpu_seconds(server.pids()) - cpu_before
        loaded = _settle(server.pids)
        nginx_loaded = rss_bytes(server.nginx_pids())
        result: dict[str, Any] = {
            "readers": readers,
            "connected": connected["connected"],
            "connect_failed": connected["failed"],
            "connect_errors": connected["errors"][:3],
            "problems": [],
            "connect_seconds": round(connected["seconds"], 3),
            "connect_server_cpu_seconds": round(connect_cpu, 2),
            "rss_baseline_mb": round(baseline / 2**20, 1),
            "rss_loaded_mb": round(loaded / 2**20, 1),
            "kb_per_reader": round((loaded - baseline) / 1024 / max(1, connected["connected"]), 1),
            "nginx_kb_per_reader": round(
                (nginx_loaded - nginx_baseline) / 1024 / max(1, connected["connected"]), 1
            ),
            "runs": [],
        }
        if connected["connected"] < readers:
            result["problems"].append(
                f"only {connected['connected']:,} of {readers:,} readers connected "
                f"({connected['failed']:,} refused: {'; '.join(connected['errors'][:3])})"
            )
            for key in ("p50_ms", "p99_ms", "max_ms"):
                result[key] = summary([])
            result["missing"] = 0
            return result  # figures for readers who never came would be a lie
        for _ in range(runs):
            seq = editor.last_seq() + 1
            early = clients.arm(seq)
            got, started, returned = editor.publish()
            assert got == seq, (got, seq)
            times = clients.collect(timeout=10.0)
            delays = [(t - returned) * 1000 for t in times if t is not None]
            result["runs"].append({
                "seq": seq,
                "publish_call_ms": round((returned - started) * 1000, 1),
                "delivered": len(delays),
                "missing": len(times) - len(delays),
                "early": early,
                "p50_ms": round(percentile(delays, 50), 1),
                "p99_ms": round(percentile(delays, 99), 1),
                "max_ms": round(max(delays), 1) if delays else None,
            })  # fmt: skip
            time.sleep(0.5)
        for key in ("p50_ms", "p99_ms", "max_ms"):
            result[key] = summary([r[key] for r in result["runs"] if r[key] is not None])
        result["missing"] = sum(r["missing"] for r in result["runs"])
        if result["missing"]:
            result["problems"].append(f"{result['missing']:,} deliveries missed")
        return result
    finally:
        if clients is not None:
            clients.close()
        server.stop()


def reconnect_storm(
    stack: Stack, editor: Editor, *, readers: int, runs: int, direct: bool = False
) -> dict[str, Any]:
    """Drop every reader, publish a few posts, reconnect all at once with ``?after=``."""
    posts_meanwhile = 3
    server = StreamServers(stack, direct=direct)
    clients = LoadClients(stack, port=server.port, path=STREAM, count=readers, processes=2)
    try:
        connected = clients.connect(editor.last_seq())
        result: dict[str, Any] = {"readers": readers, "connected": connected["connected"],
                                  "runs": [], "problems": []}  # fmt: skip
        if connected["connected"] < readers:
            result["problems"].append(
                f"storm: only {connected['connected']:,} of {readers:,} readers connected"
            )
        for _ in range(runs):
            clients.drop()
            time.sleep(1.0)  # the servers notice the resets and let the readers go
            for _ in range(posts_meanwhile):
                editor.publish()
            seq = editor.last_seq()
            outcome = clients.reconnect(seq, timeout=30.0)
            delays = [(t - outcome["started"]) for t in outcome["times"] if t is not None]
            result["runs"].append({
                "seq": seq,
                "caught_up": len(delays),
                "missing": outcome["missing"],
                "failed": outcome["failed"],
                "errors": outcome["errors"][:3],
                "all_caught_up_s": round(max(delays), 3) if delays and not outcome["missing"]
                else None,
                "p50_s": round(percentile(delays, 50), 3),
                "p99_s": round(percentile(delays, 99), 3),
            })  # fmt: skip
            time.sleep(1.0)
        result["all_caught_up_s"] = summary(
            [r["all_caught_up_s"] for r in result["runs"] if r["all_caught_up_s"] is not None]
        )
        result["p99_s"] = summary([r["p99_s"] for r in result["runs"]])
        result["missing"] = sum(r["missing"] for r in result["runs"])
        if result["missing"]:
            result["problems"].append(f"storm: {result['missing']:,} readers did not catch up")
        return result
    finally:
        clients.close()
        server.stop()


def run(
    stack: Stack,
    *,
    quick: bool,
    runs: int,
    readers: list[int] | None = None,
    direct: bool = False,
) -> dict[str, Any]:
    """Latency at each reader count, then the reconnect storm; through nginx unless
    ``direct``."""
    stack.django()
    editor = Editor()
    sizes = readers or ([100, 1000] if quick else [100, 1000, 5000, 10000])
    latencies = []
    for n in sizes:
        print(f"  push: {n} readers", flush=True)
        latencies.append(
            latency(stack, editor, readers=n, runs=1 if quick else max(runs, 5), direct=direct)
        )
        if latencies[-1]["problems"]:
            break  # larger crowds would fall short the same way
    problems = [p for figures in latencies for p in figures["problems"]]
    storm: dict[str, Any] = {"readers": 0, "connected": 0, "all_caught_up_s": summary([]),
                             "p99_s": summary([]), "missing": 0, "problems": [],
                             "runs": []}  # fmt: skip
    if not problems:
        storm_readers = 1000 if quick else 5000
        print(f"  push: reconnect storm of {storm_readers}", flush=True)
        storm = reconnect_storm(
            stack, editor, readers=storm_readers, runs=1 if quick else runs, direct=direct
        )
        problems += storm["problems"]
    return {"path": "direct" if direct else "nginx", "latency": latencies, "reconnect": storm,
            "problems": problems}  # fmt: skip
