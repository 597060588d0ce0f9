"""A real Pushpin for the benchmark and the tests: Debian's package, started on free
loopback ports in a folder of its own, in front of an origin they name. ``.ci/run``
installs it; where it is missing, the tests that need it say so and skip, and the
benchmark says what to install (never a downloaded binary)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

from .stack import free_port

# Pushpin's sig_key, and so the origin's NEWSROOM_GRIP_VERIFY_KEY, on loopback runs
SIG_KEY = "edge-test-signing-key-of-32-bytes-or-more"

CONFIG = """\
[global]
include={{libdir}}/internal.conf
rundir={run}
ipc_prefix={prefix}-
port_offset=0
[runner]
services=condure,pushpin-proxy,pushpin-handler
http_port=127.0.0.1:{http}
logdir={run}
log_level=2
client_buffer_size=8192
client_maxconn={maxconn}
condure_bin=condure
[proxy]
routesfile=routes
# Debian runs zurl (the outbound HTTP client to the origin) as a system service
# (/etc/zurl.conf); here it is one of our own, with room for a crowd connecting at once
zurl_out_specs={zurl_out}
zurl_out_stream_specs={zurl_out_stream}
zurl_in_specs={zurl_in}
debug=false
auto_cross_origin=false
accept_x_forwarded_protocol=false
set_x_forwarded_protocol=proto-only
x_forwarded_for=append
x_forwarded_for_trusted=
orig_headers_need_mark=
accept_pushpin_route=false
log_from=false
log_user_agent=false
sig_iss=pushpin
sig_key={sig_key}
upstream_key=
sockjs_url=
updates_check=off
organization_name=
[handler]
push_in_spec=tcp://127.0.0.1:{pull}
push_in_sub_specs=tcp://127.0.0.1:{sub}
push_in_sub_connect=false
push_in_http_addr=127.0.0.1
push_in_http_port={publish}
push_in_http_max_headers_size=10000
push_in_http_max_body_size=1000000
stats_spec=ipc://{{rundir}}/{{ipc_prefix}}stats
command_spec=tcp://127.0.0.1:{command}
# Deliveries a second and queued: a publish to N readers is N of each (Debian's 2,500/s
# would spread one publish to 10,000 readers over 4 s; the default queue would drop).
message_rate=1000000
message_hwm=1000000
message_wait=5000
id_cache_ttl=60
connection_subscription_max=20
subscription_linger=60
stats_subscription_ttl=60
stats_report_interval=10
stats_format=tnetstring
"""


# zurl's queues: Debian's 1,000 messages drop requests when a crowd connects at once (a
# tenth of 1,000 simultaneous readers got 502 in the benchmark), so deployments raise them
# too (docs/deploy/pushpin.conf).
ZURL = """\
[General]
instance_id=
in_spec=ipc://{run}/{prefix}-zurl{n}-in
in_stream_spec=ipc://{run}/{prefix}-zurl{n}-in-stream
out_spec=ipc://{run}/{prefix}-zurl{n}-out
in_req_spec=
defpolicy=allow
allow=
deny=
max_open_requests=60000
buffer_size=200000
timeout=600
in_hwm=100000
out_hwm=100000
"""


ZURLS = 4  # each takes 100 requests in flight from the proxy (Pushpin's compiled-in queue)


def zurl_specs(folder: Path, prefix: str) -> dict[str, str]:
    """The proxy's sockets to our zurls (it spreads its requests to the origin over them)."""

    def each(end: str) -> str:
        return ",".join(f"ipc://{folder}/{prefix}-zurl{n}-{end}" for n in range(ZURLS))

    return {"zurl_out": each("in"), "zurl_out_stream": each("in-stream"), "zurl_in": each("out")}


def available() -> bool:
    return all(shutil.which(tool) for tool in ("pushpin", "condure", "zurl"))


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


class Pushpin:
    """``start()``, ``stop()``, ``restart()``; ``url`` is what readers open, ``grip_url``
    what the origin publishes to (``NEWSROOM_GRIP_URLS``)."""

    def __init__(self, folder: Path, origin: str = "", *, maxconn: int = 1000) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.ports = {k: free_port() for k in ("http", "pull", "sub", "publish", "command")}
        (folder / "pushpin.conf").write_text(CONFIG.format(
            run=folder, prefix=f"t{self.ports['http']}", maxconn=maxconn, sig_key=SIG_KEY,
            **self.ports, **zurl_specs(folder, f"t{self.ports['http']}"),
        ))  # fmt: skip
        for n in range(ZURLS):
            (folder / f"zurl{n}.conf").write_text(
                ZURL.format(run=folder, prefix=f"t{self.ports['http']}", n=n)
            )
        self.zurls: list[subprocess.Popen[bytes]] = []
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = folder / "pushpin.out"
        if origin:
            self.route(origin)

    def route(self, origin: str) -> None:
        """Send every request to ``origin`` (before ``start``: the origin may need to know
        this engine's publish URL before its own address is known)."""
        # Pushpin may try ::1 for "localhost" first; the origins listen on IPv4.
        host = origin.removeprefix("http://").rstrip("/").replace("localhost", "127.0.0.1")
        (self.folder / "routes").write_text(f"* {host}\n")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.ports['http']}"

    @property
    def grip_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['publish']}/"

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.zurls = [subprocess.Popen(
            ["zurl", f"--config={self.folder / f'zurl{n}.conf'}", "--loglevel=1"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        ) for n in range(ZURLS)]  # fmt: skip
        self.process = subprocess.Popen(
            ["pushpin", "--config", str(self.folder / "pushpin.conf"), "--merge-output"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 15
        while not (_listening(self.ports["http"]) and _listening(self.ports["publish"])):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Pushpin did not start: {self.log()[-2000:]}")
            time.sleep(0.05)
        # Its processes connect to each other over ZeroMQ after they listen: a request in
        # the first moments is answered 500 ("handler not ready").
        time.sleep(1)

    def stop(self) -> None:
        for process in [self.process, *self.zurls]:
            if process is None:
                continue
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        self.process, self.zurls = None, []
        deadline = time.monotonic() + 10
        while _listening(self.ports["http"]) and time.monotonic() < deadline:
            time.sleep(0.05)

    def restart(self) -> None:
        self.stop()
        self.start()

    def log(self) -> str:
        path = self.log_path
        return path.read_text(errors="replace") if path.exists() else ""

    def pids(self) -> list[int]:
        """The engine's processes (the runner, condure, the proxy, the handler, zurl)."""
        from .stack import process_tree

        running = [p for p in [self.process, *self.zurls] if p is not None and p.poll() is None]
        return [pid for process in running for pid in process_tree(process.pid)]
