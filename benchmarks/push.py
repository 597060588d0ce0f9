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

    def edge_pids(self) -> list[int]:
        """What holds the readers' sockets in front of the Django processes (nginx)."""
        return self.nginx.pids() if self.nginx is not None else []

    def stop(self) -> None:
        if self.nginx is not None:
            self.stack.stop(self.nginx)
        for server in self.servers:
            self.stack.stop(server)


class EdgeServers:
    """The GRIP transport: one origin (uvicorn, the Django view answering each stream
    request with the catch-up and a hold) behind ``instances`` Pushpin instances, which
    hold the readers; the benchmark's editor publishes every change to all of them.

    Readers connect ``CONNECTS`` at a time per load client (the hub's and nchan's: 256):
    on this machine, Pushpin 1.36 answers a burst of holds past about 100 with "500
    Accept service unavailable" (512 at once: 4% of 5,000 readers refused), and its
    handler still closes a few sessions of a crowd ("received message out of sequence"),
    whose readers open their stream again (``benchmarks.sseclient``)."""

    CONNECTS = 8

    def __init__(self, stack: Stack, instances: int = 1, *, maxconn: int = 19000) -> None:
        from .pushpin import SIG_KEY, Pushpin, available

        if not available():
            raise RuntimeError("Pushpin is not installed (apt-get install pushpin)")
        self.stack = stack
        self.engines = [Pushpin(stack.workdir / f"pushpin-{n}-{free_port()}", maxconn=maxconn)
                        for n in range(instances)]  # fmt: skip
        self.urls = [engine.grip_url for engine in self.engines]
        self.origin: Process | None = None
        try:
            origin_port = free_port()
            self.origin = stack.uvicorn(port=origin_port, workers=1, name="origin", env={
                "NEWSROOM_PUSH_BACKEND": GRIP, "NEWSROOM_GRIP_URLS": ",".join(self.urls),
                "NEWSROOM_GRIP_VERIFY_KEY": SIG_KEY,
            })  # fmt: skip
            for engine in self.engines:
                engine.route(f"http://127.0.0.1:{origin_port}")
                engine.start()
        except BaseException:
            self.stop()
            raise
        self.port: int | list[int] = [engine.ports["http"] for engine in self.engines]
        self.key = SIG_KEY

    def pids(self) -> list[int]:
        """The origin's Django process (it holds no reader)."""
        return self.origin.pids() if self.origin is not None else []

    def edge_pids(self) -> list[int]:
        return [pid for engine in self.engines for pid in engine.pids()]

    def stop(self) -> None:
        for engine in self.engines:
            engine.stop()
        if self.origin is not None:
            self.stack.stop(self.origin)


GRIP = "liveblog.edge.grip.GripTransport"
NCHAN = "benchmarks.nchan.NchanTransport"


class Publishing:
    """The benchmark's editor publishes through ``backend`` (with its settings) while
    in this block: the hub's readers hear of a change through Redis, an engine's or
    nchan's through their publish endpoints."""

    def __init__(self, backend: str, **extra: Any) -> None:
        self.values = {"NEWSROOM_PUSH_BACKEND": backend, **extra}
        self.saved: dict[str, Any] = {}

    def __enter__(self) -> Publishing:
        from django.conf import settings

        for name, value in self.values.items():
            self.saved[name] = getattr(settings, name)
            setattr(settings, name, value)
        return self

    def __exit__(self, *exc: object) -> None:
        from django.conf import settings

        for name, value in self.saved.items():
            setattr(settings, name, value)


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
    stack: Stack,
    editor: Editor,
    *,
    readers: int,
    runs: int,
    direct: bool = False,
    servers: Any = None,
    clients_processes: int = 2,
) -> dict[str, Any]:
    """One set of servers (the hub's pair unless ``servers`` makes another), ``readers``
    connections, ``runs`` publications."""
    server = servers() if servers is not None else StreamServers(stack, direct=direct)
    port = server.port
    clients = None
    try:
        # Warm both workers (imports, templates, the hub) before the memory baseline.
        warm = LoadClients(stack, port=port, path=getattr(server, "path", STREAM), count=20,
                           processes=2)  # fmt: skip
        warm.connect(editor.last_seq())
        editor.publish()
        time.sleep(0.5)
        warm.close()
        time.sleep(1.0)
        baseline = _settle(server.pids)
        edge_baseline = rss_bytes(server.edge_pids())
        path = getattr(server, "path", STREAM)
        clients = LoadClients(stack, port=port, path=path, count=readers,
                              processes=clients_processes)  # fmt: skip
        cpu_before = cpu_seconds(server.pids())
        pace = getattr(server, "CONNECTS", 256)
        connected = clients.connect(editor.last_seq(), concurrency=pace)
        connect_cpu = cpu_seconds(server.pids()) - cpu_before
        loaded = _settle(server.pids)
        edge_loaded = rss_bytes(server.edge_pids())
        result: dict[str, Any] = {
            "readers": readers,
            "connected": connected["connected"],
            "connect_failed": connected["failed"],
            "connect_errors": connected["errors"][:3],
            "problems": [],
            "connect_seconds": round(connected["seconds"], 3),
            "connects_at_once": pace * clients_processes,
            "connect_server_cpu_seconds": round(connect_cpu, 2),
            "rss_baseline_mb": round(baseline / 2**20, 1),
            "rss_loaded_mb": round(loaded / 2**20, 1),
            "kb_per_reader": round((loaded - baseline) / 1024 / max(1, connected["connected"]), 1),
            "edge_kb_per_reader": round(
                (edge_loaded - edge_baseline) / 1024 / max(1, connected["connected"]), 1
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
            servers_cpu, own_cpu = cpu_seconds(server.pids()), time.process_time()
            got, started, returned = editor.publish()
            own_cpu = time.process_time() - own_cpu
            assert got == seq, (got, seq)
            times = clients.collect(timeout=10.0)
            # The origin's work for one publish: this process's publish call (the commit,
            # the render, queueing the publish; not the reading of the clients' answers)
            # and the Django servers meanwhile (for the hub, the fan-out itself).
            origin_cpu = own_cpu + cpu_seconds(server.pids()) - servers_cpu
            delays = [(t - returned) * 1000 for t in times if t is not None]
            result["runs"].append({
                "seq": seq,
                "publish_call_ms": round((returned - started) * 1000, 1),
                "origin_cpu_ms": round(origin_cpu * 1000, 1),
                "delivered": len(delays),
                "missing": len(times) - len(delays),
                # Streams the server closed so far (an engine dropping a session): the
                # client opened them again after the stream's retry, as a browser does.
                "reopened": clients.reopened,
                "early": early,
                "p50_ms": round(percentile(delays, 50), 1),
                "p99_ms": round(percentile(delays, 99), 1),
                "max_ms": round(max(delays), 1) if delays else None,
            })  # fmt: skip
            time.sleep(0.5)
        for key in ("p50_ms", "p99_ms", "max_ms", "origin_cpu_ms"):
            result[key] = summary([r[key] for r in result["runs"] if r[key] is not None])
        result["missing"] = sum(r["missing"] for r in result["runs"])
        result["reopened"] = max((r["reopened"] for r in result["runs"]), default=0)
        if result["missing"]:
            result["problems"].append(f"{result['missing']:,} deliveries missed")
        return result
    finally:
        if clients is not None:
            clients.close()
        server.stop()


def reconnect_storm(
    stack: Stack,
    editor: Editor,
    *,
    readers: int,
    runs: int,
    direct: bool = False,
    servers: Any = None,
) -> dict[str, Any]:
    """Drop every reader, publish a few posts, reconnect all at once with ``?after=``."""
    posts_meanwhile = 3
    server = servers() if servers is not None else StreamServers(stack, direct=direct)
    clients = LoadClients(stack, port=server.port, path=STREAM, count=readers, processes=2)
    pace = getattr(server, "CONNECTS", 0)  # 0: every reader at once
    try:
        connected = clients.connect(editor.last_seq(), concurrency=pace or 256)
        result: dict[str, Any] = {"readers": readers, "connected": connected["connected"],
                                  "reconnects_at_once": pace * 2 if pace else readers,
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
            outcome = clients.reconnect(seq, timeout=30.0, concurrency=pace)
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
    transport: str = "hub",
) -> dict[str, Any]:
    """Latency at each reader count, then the reconnect storm; through nginx unless
    ``direct``. ``transport="grip"`` measures readers held by Pushpin beside nchan, and
    ``"all"`` the built-in hub too, in the same run (``edge``)."""
    stack.django()
    editor = Editor()
    if transport != "hub":
        return edge(stack, editor, quick=quick, runs=runs, readers=readers,
                    with_hub=transport == "all")  # fmt: skip
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


# One process may hold this many sockets here (the container's hard limit is 20,000
# descriptors): a Pushpin instance (its condure), an nginx worker, a load client.
READERS_PER_PROCESS = 18_000
# The hub's readers pass through the shipped nginx (two workers of 16,384 connections,
# each reader two of them): past this, nginx, not the hub, would refuse them.
HUB_READERS = 10_000


def edge(stack: Stack, editor: Editor, *, quick: bool, runs: int, readers: list[int] | None,
         with_hub: bool) -> dict[str, Any]:  # fmt: skip
    """Readers held by Pushpin (the GRIP transport), by nchan (the reference, same client,
    same event) and, with ``with_hub``, by the built-in hub, at each reader count in one
    run; past one process's sockets, two Pushpin instances each hold half (one publish
    reaches both). Then a reconnect storm through Pushpin (and the hub)."""
    from .nchan import NchanServer, NchanTransport
    from .nchan import available as nchan_available

    sizes = readers or ([1000] if quick else [1000, 5000, 10000, 20000])
    repeat = 1 if quick else max(runs, 5)
    kinds = (["hub"] if with_hub else []) + ["grip"] + (["nchan"] if nchan_available() else [])
    figures: dict[str, Any] = {"path": "edge", "transports": {}, "problems": []}
    if "nchan" not in kinds:
        figures["problems"].append("nchan is not installed (apt-get install libnginx-mod-nchan)")
    for kind in kinds:
        rows = []
        for n in [n for n in sizes if kind != "hub" or n <= HUB_READERS]:
            processes = max(2, -(-n // READERS_PER_PROCESS))
            instances = max(1, -(-n // READERS_PER_PROCESS))
            print(f"  push: {kind}, {n} readers"
                  f"{f' over {instances} Pushpin instances' if kind == 'grip' else ''}",
                  flush=True)  # fmt: skip
            if kind == "grip":
                with Publishing(GRIP, NEWSROOM_GRIP_URLS=[]):
                    row = latency(stack, editor, readers=n, runs=repeat,
                                  servers=lambda k=instances: _engines(stack, k),
                                  clients_processes=processes)  # fmt: skip
                row["instances"] = instances
            elif kind == "nchan":
                with Publishing(NCHAN):
                    row = latency(stack, editor, readers=n, runs=repeat,
                                  servers=lambda n=n: _nchan(stack, NchanServer, n),
                                  clients_processes=processes)  # fmt: skip
                NchanTransport.url = ""
            else:
                row = latency(stack, editor, readers=n, runs=repeat, clients_processes=processes)
            rows.append(row)
            figures["problems"] += [f"{kind}: {p}" for p in row["problems"]]
            if row["connected"] < n:
                break  # larger crowds would fall short the same way (missed events: go on)
        figures["transports"][kind] = rows
    storms: dict[str, Any] = {}
    storm_readers = 1000 if quick else 5000
    # A storm for each transport that took its crowds (nchan has no catch-up to storm).
    fine = [
        k
        for k in kinds
        if k != "nchan" and all(r["connected"] == r["readers"] for r in figures["transports"][k])
    ]
    if fine:
        for kind in fine:
            print(f"  push: {kind}, reconnect storm of {storm_readers}", flush=True)
            if kind == "grip":
                with Publishing(GRIP, NEWSROOM_GRIP_URLS=[]):
                    storms[kind] = reconnect_storm(stack, editor, readers=storm_readers,
                                                   runs=1 if quick else runs,
                                                   servers=lambda: _engines(stack, 1))  # fmt: skip
            else:
                storms[kind] = reconnect_storm(stack, editor, readers=storm_readers,
                                               runs=1 if quick else runs)  # fmt: skip
            figures["problems"] += [f"{kind}: {p}" for p in storms[kind]["problems"]]
    figures["reconnect"] = storms
    return figures


def _engines(stack: Stack, instances: int) -> EdgeServers:
    """Engines for one measurement; the editor publishes to these (inside ``Publishing``)."""
    from django.conf import settings

    servers = EdgeServers(stack, instances)
    settings.NEWSROOM_GRIP_URLS = servers.urls
    return servers


def _nchan(stack: Stack, make: Any, readers: int) -> Any:
    server = make(stack, readers)
    server.path = "/sub/live"
    return server
