"""nchan (Debian's ``libnginx-mod-nchan``) as the push benchmark's reference: an nginx
that holds the readers itself, fed the same rendered event the GRIP transport publishes,
read by the same load client.

Readers subscribe with nchan's raw stream (each message written as it is: our own SSE
event bytes, with their ``id:``), and the benchmark's editor publishes through
``NchanTransport``: the change renders once, as for the engines, and is POSTed to nchan's
publisher location from a sender thread, as the GRIP transport's library does. nchan has
no catch-up from the change log, so it is measured for latency and memory only (no
reconnect storm)."""

from __future__ import annotations

import queue
import shutil
import threading
import urllib.request
from pathlib import Path
from typing import ClassVar

from liveblog.edge.grip import publication
from liveblog.live.transports import Transport

from .stack import Process, Stack, free_port

MODULE = Path("/usr/lib/nginx/modules/ngx_nchan_module.so")
SUBSCRIBE = "/sub/live"


def available() -> bool:
    return MODULE.exists() and shutil.which("nginx") is not None


class NchanTransport(Transport):
    """Publishes each committed change's event to nchan (``url``), in order, off the
    committing thread."""

    url: ClassVar[str] = ""
    _queue: ClassVar[queue.Queue[bytes]] = queue.Queue()
    _sender: ClassVar[threading.Thread | None] = None

    def announce(self, blog_id: int, seq: int) -> None:
        for item in publication(blog_id, seq):
            content = item.formats[0].content
            if content is not None:
                self._queue.put(content)
        cls = type(self)
        if cls._sender is None:
            cls._sender = threading.Thread(target=cls._send, daemon=True)
            cls._sender.start()

    def announce_desk(self, blog_id: int, seq: int) -> None:
        pass

    @classmethod
    def _send(cls) -> None:
        while True:
            content = cls._queue.get()
            request = urllib.request.Request(cls.url, data=content, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=5) as answer:
                    answer.read()
            except OSError as error:
                print(f"nchan: publish failed: {error}", flush=True)


class NchanServer:
    """One nginx holding the readers on ``SUBSCRIBE``: two workers (as the hub's nginx),
    more past 30,000 readers (a worker's connections)."""

    def __init__(self, stack: Stack, readers: int = 0) -> None:
        self.stack = stack
        workers = max(2, -(-readers // 15_000))  # 16,384 connections a worker
        self.port = free_port()
        work = stack.workdir / "nchan"
        (work / "temp").mkdir(parents=True, exist_ok=True)
        config = f"""
load_module {MODULE};
user root;
worker_processes {workers};
worker_rlimit_nofile 20000;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 16384; }}
http {{
    access_log off;
    client_body_temp_path {work}/temp/body;
    proxy_temp_path {work}/temp/proxy;
    fastcgi_temp_path {work}/temp/fastcgi;
    uwsgi_temp_path {work}/temp/uwsgi;
    scgi_temp_path {work}/temp/scgi;
    nchan_max_reserved_memory 256M;
    server {{
        listen 127.0.0.1:{self.port} backlog=4096;
        location = {SUBSCRIBE} {{
            nchan_subscriber http-raw-stream;
            nchan_subscriber_http_raw_stream_separator "";
            nchan_channel_id live;
            nchan_subscriber_first_message newest;
        }}
        location = /pub/live {{
            nchan_publisher;
            nchan_channel_id live;
            nchan_message_buffer_length 10;
        }}
    }}
}}
"""
        self.process: Process = stack.nginx(config, probe_port=self.port, name="nginx-nchan")
        NchanTransport.url = f"http://127.0.0.1:{self.port}/pub/live"

    def pids(self) -> list[int]:
        return []  # no Django process holds readers

    def edge_pids(self) -> list[int]:
        return self.process.pids()

    def stop(self) -> None:
        self.stack.stop(self.process)
