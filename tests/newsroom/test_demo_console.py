"""``make demo``'s console: the URLs and logins, then only real problems.

Runs ``manage.py serve_demo`` as ``make demo`` does (a database of its own, no Redis),
makes a reader's and a newcomer's requests (a page, a 404, the favicon), stops it, and
reads everything it printed."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_the_demo_console_shows_the_urls_and_logins_and_no_warnings(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DJANGO_", "NEWSROOM_")) and k not in (
               "DATABASE_URL", "REDIS_URL", "SQLITE_PATH", "MEDIA_ROOT")}  # fmt: skip
    env.update(DJANGO_DEBUG="true", SQLITE_PATH=str(tmp_path / "demo.sqlite3"),
               MEDIA_ROOT=str(tmp_path / "media"), PYTHONUNBUFFERED="1")  # fmt: skip
    log = tmp_path / "console.log"
    with log.open("wb") as out:
        demo = subprocess.Popen(
            [sys.executable, "manage.py", "serve_demo", "--port", str(port)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 180
            while True:
                assert demo.poll() is None, log.read_text()
                try:
                    if get(f"{base}/healthz") == 200:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
            assert get(f"{base}/live/us-election-2024/") == 200
            assert get(f"{base}/live/us-election-2024/posts/999999/") == 404
            assert get(f"{base}/favicon.ico") == 200  # followed to the static file
            time.sleep(0.5)
        finally:
            os.killpg(demo.pid, signal.SIGTERM)
            demo.wait(20)
    console = log.read_text()
    for expected in ("Newsroom demo is starting:", f"{base}/live/us-election-2024/",
                     f"{base}/admin/desk/us-election-2024/", f"{base}/admin/",
                     "editor / newsroom-demo", "editor2 / newsroom-demo",
                     "reporter / newsroom-demo"):  # fmt: skip
        assert expected in console, (expected, console)
    markers = ("WARNING", "No hostname", "celery.app.trace")
    noise = [line for line in console.splitlines() if any(m in line for m in markers)]
    # A newcomer's 404 may be said once (it is a real request); never twice, never noise.
    noise = [
        line for line in noise if "Not Found: /live/us-election-2024/posts/999999/" not in line
    ]
    assert noise == [], "\n".join(noise)
    assert console.count("Not Found: /live/us-election-2024/posts/999999/") <= 1
