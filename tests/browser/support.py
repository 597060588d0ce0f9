"""Processes the browser tests run: the browser database, servers, Redis and the driver.

Nothing here touches the unit suite's test database: the servers run in subprocesses
against a database of their own (a SQLite file, or ``newsroom_browser`` on the
PostgreSQL server of ``DATABASE_URL``), and the tests change content only through the
driver subprocess (``tests/browser/driver.py``), which uses the same services as the
admin.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
DEMO_SLUG = "us-election-2024"
DESK = f"/admin/desk/{DEMO_SLUG}/"
BODY = '#compose .prose-editor .ProseMirror[contenteditable="true"]'  # the compose body
BROWSER_DB_NAME = "newsroom_browser"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Settings of the calling shell that must not leak into the subprocesses: each one gets
# exactly the database, Redis and timings the fixtures chose.
SCRUBBED = {"DATABASE_URL", "SQLITE_PATH", "REDIS_URL", "REDIS_SOCKET_TIMEOUT", "MEDIA_ROOT"}
SCRUBBED_PREFIXES = ("DJANGO_", "NEWSROOM_")


def scrubbed_environ() -> dict[str, str]:
    return {
        k: v
        for k, v in os.environ.items()
        if k not in SCRUBBED and not k.startswith(SCRUBBED_PREFIXES)
    }


# "Within 2 seconds" of the publishing call returning (the promise to readers).
LIVE_TIMEOUT_MS = 2_000


def unique(text: str) -> str:
    """A title no other test uses, so assertions find exactly the post they made."""
    return f"{text} {uuid.uuid4().hex[:8]}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def stop_process(process: subprocess.Popen[Any], *, grace: float = 3.0) -> None:
    """Terminate, then kill if it is still there after ``grace`` seconds."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


# --- The browser database ------------------------------------------------------------
class BrowserDatabase:
    """A migrated database with the demo loaded, and the environment that reaches it."""

    def __init__(self, workdir: Path, database_url: str = "") -> None:
        self.workdir = workdir
        self.media_root = workdir / "media"
        self.media_root.mkdir(parents=True, exist_ok=True)
        self.server_url = database_url
        self.password = os.environ.get("NEWSROOM_DEMO_PASSWORD") or "newsroom-demo"
        env = scrubbed_environ()
        env.update(
            DJANGO_SETTINGS_MODULE="newsroom.settings",
            DJANGO_DEBUG="true",
            MEDIA_ROOT=str(self.media_root),
            NEWSROOM_DEMO_PASSWORD=self.password,
            NEWSROOM_POLL_INTERVAL="1",
            PYTHONUNBUFFERED="1",
            PYTHONDONTWRITEBYTECODE="1",
            LOG_LEVEL="WARNING",
        )
        if database_url:
            self.url = self._with_database(database_url, BROWSER_DB_NAME)
            env["DATABASE_URL"] = self.url
            self.label = f"PostgreSQL database {BROWSER_DB_NAME}"
        else:
            self.url = ""
            env["SQLITE_PATH"] = str(workdir / "browser.sqlite3")
            self.label = f"SQLite file {env['SQLITE_PATH']}"
        self.env = env

    @staticmethod
    def _with_database(url: str, name: str) -> str:
        parts = urlsplit(url)
        return urlunsplit(parts._replace(path=f"/{name}"))

    def _admin(self, statement: str) -> None:
        import psycopg

        maintenance = self._with_database(self.server_url, "postgres")
        with psycopg.connect(maintenance, autocommit=True, connect_timeout=10) as connection:
            connection.execute(statement)

    def create(self) -> None:
        if self.server_url:
            self._admin(f"DROP DATABASE IF EXISTS {BROWSER_DB_NAME} WITH (FORCE)")
            self._admin(f"CREATE DATABASE {BROWSER_DB_NAME}")
        for command in (["migrate", "--noinput", "-v", "0"], ["load_demo"]):
            done = subprocess.run(
                [PYTHON, "manage.py", *command],
                cwd=ROOT,
                env=self.env,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            if done.returncode != 0:
                raise RuntimeError(
                    f"manage.py {' '.join(command)} failed ({self.label}):\n"
                    f"{done.stdout}\n{done.stderr}"
                )

    def drop(self) -> None:
        if self.server_url:
            with contextlib.suppress(Exception):
                self._admin(f"DROP DATABASE IF EXISTS {BROWSER_DB_NAME} WITH (FORCE)")


# --- Redis ------------------------------------------------------------------------------
class RedisServer:
    """A private ``redis-server`` on a free port (never the machine's own on 6379)."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = workdir / "redis.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 10.0) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not on PATH")
        # No persistence: a restart on the same port starts empty, like a failed-over cache.
        options = {"port": str(self.port), "bind": "127.0.0.1", "save": "", "appendonly": "no"}
        command = [binary, "--dir", str(self.workdir)]
        for name, value in options.items():
            command += [f"--{name}", value]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited:\n{tail(self.log)}")
            if self.ping():
                return
            time.sleep(0.05)
        raise RuntimeError(f"redis-server did not answer on {self.port}:\n{tail(self.log)}")

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def subscribers(self) -> int:
        """Pub/sub subscriptions on this (private) Redis, all channels together; 0 if down.

        Counting every channel keeps the tests free of the app's channel naming
        (``NEWSROOM_REDIS_PREFIX``): nothing else uses this Redis.
        """
        from redis import Redis
        from redis.exceptions import RedisError

        client = Redis(host="127.0.0.1", port=self.port, socket_timeout=0.5)
        try:
            channels = client.pubsub_channels()
            return sum(count for _, count in client.pubsub_numsub(*channels)) if channels else 0
        except RedisError:
            return 0
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None


# --- Servers ----------------------------------------------------------------------------
class Server:
    """One uvicorn process serving the ASGI app on a fixed port, restartable."""

    def __init__(self, name: str, env: dict[str, str], workdir: Path, *,
                 graceful: int | None = 1, **extra: str) -> None:  # fmt: skip
        self.name = name
        self.graceful = graceful  # --timeout-graceful-shutdown, whole seconds (None: no limit)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**env, **extra}
        self.log = workdir / f"server-{name}-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> None:
        command = [
            PYTHON, "-m", "uvicorn", "liveblog.live.asgi:application", "--host", "127.0.0.1",
            "--port", str(self.port), "--log-level", "warning",
        ]  # fmt: skip
        if self.graceful is not None:  # a test server must never hold up the suite
            command += ["--timeout-graceful-shutdown", str(self.graceful)]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        self.wait_ready(timeout)

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        page = f"{self.url}/live/{DEMO_SLUG}/?live=off"
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"server {self.name} exited:\n{tail(self.log)}")
            try:
                with urllib.request.urlopen(page, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server {self.name} did not answer in {timeout}s:\n{tail(self.log)}")

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def page(self, path: str) -> str:
        return f"{self.url}{path}"


# --- Celery ------------------------------------------------------------------------------
class CeleryProcess:
    """A real Celery worker or beat in a subprocess (``kind`` is "worker" or "beat")."""

    def __init__(self, kind: str, env: dict[str, str], workdir: Path) -> None:
        self.kind = kind
        self.env = env
        self.workdir = workdir
        self.log = workdir / f"celery-{kind}-{free_port()}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> None:
        command = [PYTHON, "-m", "celery", "-A", "newsroom", self.kind, "--loglevel", "info"]
        if self.kind == "worker":
            command += ["--pool", "solo", "--without-gossip", "--without-mingle",
                        "--hostname", f"browser-{self.log.stem}@%h"]  # fmt: skip
        else:
            command += ["--schedule", str(self.workdir / f"{self.log.stem}.schedule")]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )  # fmt: skip
        ready = "ready." if self.kind == "worker" else "beat: Starting"
        deadline = time.monotonic() + timeout
        while ready not in tail(self.log, 200):
            if self.process.poll() is not None:
                raise RuntimeError(f"celery {self.kind} exited:\n{tail(self.log)}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"celery {self.kind} not ready:\n{tail(self.log)}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process, grace=10)
            self.process = None


# --- The driver ---------------------------------------------------------------------------
class DriverError(RuntimeError):
    pass


class Newsroom:
    """The tests' editor: named actions performed by the driver subprocess."""

    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self.env = env
        self.log = workdir / "driver.log"
        self.process: subprocess.Popen[str] | None = None
        self._answers: queue.Queue[str | None] = queue.Queue()

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [PYTHON, "-m", "tests.browser.driver"],
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                encoding="utf-8",
            )
        threading.Thread(target=self._read, daemon=True).start()
        self._receive(60)  # {"ready": true}

    def _read(self) -> None:
        assert self.process is not None
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._answers.put(line)
        self._answers.put(None)

    def _receive(self, timeout: float) -> dict[str, Any]:
        try:
            line = self._answers.get(timeout=timeout)
        except queue.Empty:
            raise DriverError(
                f"the driver did not answer in {timeout}s:\n{tail(self.log)}"
            ) from None
        if line is None:
            raise DriverError(f"the driver exited:\n{tail(self.log)}")
        answer = json.loads(line)
        if not answer["ok"]:
            raise DriverError(answer["error"])
        return answer["result"]

    def call(self, action: str, timeout: float = 60, **arguments: Any) -> dict[str, Any]:
        assert self.process is not None
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"action": action, **arguments}) + "\n")
        self.process.stdin.flush()
        return self._receive(timeout)

    def stop(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(Exception):
            self.call("quit", timeout=5)
        with contextlib.suppress(Exception):
            self.process.stdin.close()  # type: ignore[union-attr]
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            stop_process(self.process)
        self.process = None

    # --- named actions ---------------------------------------------------------------
    def publish(self, title: str, body: str = "", blog: str | None = None) -> dict[str, Any]:
        """Create and publish a post; returns its ``id``, ``anchor`` and the blog's ``seq``."""
        return self.call("publish", title=title, body=body, blog=blog)

    def draft(self, title: str, blog: str | None = None, body: str | None = None) -> dict[str, Any]:
        """Create a draft (not public); returns its ``id`` and permalink ``url``."""
        return self.call("draft", title=title, blog=blog, body=body)

    def presidential(self, slug: str, states: list[str], calls: dict[str, int]) -> dict[str, Any]:
        return self.call("presidential", slug=slug, states=states, calls=calls, timeout=60)

    def wire(self, states: list[str], election_date: str, reporting: float = 0.8
             ) -> dict[str, Any]:  # fmt: skip
        return self.call("wire", states=states, election_date=election_date,
                         reporting=reporting)  # fmt: skip

    def confirm_state(self, postal: str) -> dict[str, Any]:
        return self.call("confirm_state", postal=postal)

    def restore_call(self, candidate: str) -> dict[str, Any]:
        """Make ``candidate`` the demo race's confirmed winner again."""
        return self.call("restore_call", candidate=candidate)

    def plant_media(self, post_id: int, content: str, extension: str) -> str:
        """A hostile file stored as the post's photo, as if it had passed the checks."""
        return str(
            self.call("plant_media", id=post_id, content=content, extension=extension)["url"]
        )

    def poll_feed(self, url: str) -> str:
        return str(self.call("poll_feed", url=url)["said"])

    def allow_embedding(self, blog: str, origins: list[str]) -> dict[str, Any]:
        return self.call("allow_embedding", blog=blog, origins=origins)

    def embed(self, post_id: int, url: str, providers: list[dict[str, Any]]) -> dict[str, Any]:
        """Embed a link in the post, read through ``providers`` (the test's fakes)."""
        return self.call("embed", id=post_id, url=url, providers=providers)

    def edit(self, post_id: int, *, title: str | None = None, body: str | None = None,
             note: str = "") -> dict[str, Any]:  # fmt: skip
        return self.call("edit", id=post_id, title=title, body=body, note=note)

    def retract(self, post_id: int, reason: str = "Browser test retraction") -> dict[str, Any]:
        return self.call("retract", id=post_id, reason=reason)

    def pin(self, post_id: int) -> dict[str, Any]:
        return self.call("pin", id=post_id)

    def unpin(self, post_id: int) -> dict[str, Any]:
        return self.call("unpin", id=post_id)

    def set_summary(self, points: list[str], blog: str | None = None) -> dict[str, Any]:
        return self.call("summary", points=points, blog=blog)

    def record_results(self, counts: dict[str, tuple[int, int]]) -> dict[str, Any]:
        """A new results snapshot of the demo race: ``{candidate: (popular, electoral)}``."""
        return self.call("results", counts={k: list(v) for k, v in counts.items()})

    def create_blog(self, slug: str, title: str) -> dict[str, Any]:
        return self.call("create_blog", slug=slug, title=title)

    def end_blog(self, blog: str) -> dict[str, Any]:
        return self.call("end_blog", blog=blog)

    def last_seq(self, blog: str | None = None) -> int:
        return self.call("last_seq", blog=blog)["seq"]

    def visible_posts(self, blog: str | None = None) -> list[int]:
        return self.call("visible_posts", blog=blog)["ids"]

    def ensure_posts(self, count: int, blog: str | None = None) -> list[int]:
        return self.call("ensure_posts", count=count, blog=blog, timeout=120)["ids"]

    def schedule(self, title: str, seconds: float) -> dict[str, Any]:
        """Schedule a new post ``seconds`` ahead; returns its ``id`` and Unix time ``at``."""
        return self.call("schedule", title=title, seconds=seconds)

    def add_image(self, post_id: int) -> dict[str, Any]:
        return self.call("add_image", id=post_id)

    def announcements(self, post_id: int) -> int:
        return self.call("announcements", id=post_id)["count"]

    def use_redis(self, url: str | None) -> None:
        self.call("use_redis", url=url)

    def post_state(self, post_id: int | None = None, title: str | None = None) -> dict[str, Any]:
        return self.call("post_state", id=post_id, title=title)

    def staff_user(self, username: str, role: str, name: str, password: str) -> None:
        self.call("staff_user", username=username, role=role, name=name, password=password)


# The admin's rich text editor for a post body (its menu holds another ProseMirror).
BODY_EDITOR = '.prose-editor .ProseMirror[contenteditable="true"]'


def start_post_in_admin(page: Any, server: Server, title: str) -> None:
    """Open the admin's "Add post" form for the demo blog, give it ``title`` and put the
    cursor in the body's rich text editor: what the page types next is the body (the
    editor keeps the form's hidden textarea in step)."""
    page.goto(server.page("/admin/liveblog/post/add/"))
    page.select_option("#id_blog", label="US Election 2024")
    page.fill("#id_title", title)
    page.locator(BODY_EDITOR).click()


def save_post_in_admin(page: Any) -> int:
    """ "Save and continue editing"; the id of the post it saved."""
    with page.expect_navigation():
        page.click("input[name=_continue]")
    match = re.search(r"/admin/liveblog/post/(\d+)/change/", page.url)
    assert match, f"saving did not open the post's change page: {page.url}"
    return int(match.group(1))


def wait_until(
    page: Any, predicate: Any, timeout: float = 10.0, *, what: str = "", step_ms: int = 50
) -> None:
    """Wait (letting the page's events run) until ``predicate()`` holds; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}")
        page.wait_for_timeout(step_ms)


def wait_for_js(page: Any, expression: str, timeout: float = 10.0) -> None:
    """Wait until a JavaScript expression is truthy in the page.

    Not ``page.wait_for_function``: its polling evaluates strings inside the page, which
    the page's Content-Security-Policy (no 'unsafe-eval') refuses; ``page.evaluate``
    runs through the DevTools protocol, outside the CSP.
    """
    wait_until(page, lambda: page.evaluate(expression), timeout=timeout, what=expression)


def open_races(page: Any) -> None:
    """Open every race of the live page's results (one line each until a reader opens it)."""
    for summary in page.locator("#results details.results-race:not([open]) > summary").all():
        summary.click()


class Counted:
    """A page whose every user interaction is counted (the issue's "at most 8")."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.count = 0

    def fill(self, selector: str, value: str) -> None:
        self.count += 1
        self.page.locator(selector).fill(value)

    def files(self, selector: str, path: Path) -> None:
        self.count += 1
        self.page.set_input_files(selector, str(path))

    def click(self, selector: str) -> None:
        self.count += 1
        self.page.locator(selector).click()

    def on(self, locator: Any) -> Any:
        """``locator``, its next interaction counted (``steps.on(button).click()``)."""
        self.count += 1
        return locator
