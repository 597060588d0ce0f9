"""A real Pushpin for the tests: Debian's package, started on free loopback ports in a
folder of its own, in front of an origin the test names. ``.ci/run`` installs it; where
it is missing, the tests that need it say so and skip (never a downloaded binary)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

# Pushpin's sig_key, and the origin's NEWSROOM_GRIP_VERIFY_KEY
SIG_KEY = "edge-test-signing-key-of-32-bytes-or-more"

CONFIG = """\
[global]
include={{libdir}}/internal.conf
rundir={run}
ipc_prefix={prefix}-
port_offset=0
[runner]
services=condure,zurl,pushpin-proxy,pushpin-handler
http_port=127.0.0.1:{http}
logdir={run}
log_level=2
client_buffer_size=8192
client_maxconn={maxconn}
condure_bin=condure
zurl_bin=zurl
[proxy]
routesfile=routes
# Debian runs zurl (the outbound HTTP client) as a system service; here it is the runner's
zurl_out_specs=ipc://{{rundir}}/{{ipc_prefix}}zurl-in
zurl_out_stream_specs=ipc://{{rundir}}/{{ipc_prefix}}zurl-in-stream
zurl_in_specs=ipc://{{rundir}}/{{ipc_prefix}}zurl-out
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
message_rate=10000
message_hwm=50000
message_wait=5000
id_cache_ttl=60
connection_subscription_max=20
subscription_linger=60
stats_subscription_ttl=60
stats_report_interval=10
stats_format=tnetstring
"""


def available() -> bool:
    return all(shutil.which(tool) for tool in ("pushpin", "condure", "zurl"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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
            **self.ports,
        ))  # fmt: skip
        self.process: subprocess.Popen[bytes] | None = None
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
        log = (self.folder / "pushpin.out").open("ab")
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
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        self.process = None
        deadline = time.monotonic() + 10
        while _listening(self.ports["http"]) and time.monotonic() < deadline:
            time.sleep(0.05)

    def restart(self) -> None:
        self.stop()
        self.start()

    def log(self) -> str:
        path = self.folder / "pushpin.out"
        return path.read_text(errors="replace") if path.exists() else ""
