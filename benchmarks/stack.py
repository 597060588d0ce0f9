"""The processes a benchmark measures: started here, always stopped here.

``Stack`` is a context manager. Everything it starts (Redis, uvicorn, gunicorn, nginx,
load clients) runs in a session of its own and is stopped by its process group on the
way out, whether the benchmark finished, failed or was interrupted (Ctrl-C, SIGTERM).
Only loopback addresses are ever used.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
BENCH_DB = "newsroom_bench"
DEMO_SLUG = "us-election-2024"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rfind(")") + 2 :].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    tree, found, todo = _children(), [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(tree.get(current, []))
    return found


def rss_bytes(pids: list[int]) -> int:
    """Resident memory of these processes together (VmRSS)."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
    return total


def cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            stat = Path(f"/proc/{pid}/stat").read_text()
            fields = stat[stat.rfind(")") + 2 :].split()
            total += int(fields[11]) + int(fields[12])
    return total / ticks


class Process:
    """One started command (its own session, so its whole group can be stopped)."""

    def __init__(self, name: str, argv: list[str], *, env: dict[str, str], log: Path,
                 stdin: int | None = None, stdout: int | None = None) -> None:  # fmt: skip
        self.name, self.argv, self.log = name, argv, log
        self._log = open(log, "ab")  # noqa: SIM115 (closed in stop)
        self.popen = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdin=stdin if stdin is not None else subprocess.DEVNULL,
            stdout=stdout if stdout is not None else self._log,
            stderr=self._log,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def pids(self) -> list[int]:
        return process_tree(self.pid) if self.alive() else []

    def stop(self, grace: float = 5.0) -> None:
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGTERM)
            try:
                self.popen.wait(grace)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.pid, signal.SIGKILL)
                self.popen.wait(5)
        else:
            # The leader is gone; children it left in its group must not outlive us.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)
        self._log.close()


def wait_http(url: str, *, timeout: float = 30.0, process: Process | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and not process.alive():
            raise RuntimeError(f"{process.name} exited:\n{tail(process.log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except urllib.error.HTTPError as error:
            if error.code < 500:
                return
        except OSError:
            pass
        time.sleep(0.1)
    log = tail(process.log) if process is not None else ""
    raise RuntimeError(f"{url} did not answer within {timeout:.0f}s\n{log}")


def wait_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


def _terminate_on_sigterm() -> None:
    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, handler)
    with contextlib.suppress(ValueError):
        signal.signal(signal.SIGHUP, handler)


class Stack:
    """A private Redis, a benchmark database, and the servers a benchmark asks for."""

    def __init__(
        self,
        workdir: Path,
        *,
        database_url: str = "",
        settings: dict[str, str] | None = None,
        asgi_app: str = "liveblog.live.asgi:application",
    ) -> None:
        self.workdir = workdir
        self.database_url = database_url
        self.settings = settings or {}
        self.asgi_app = asgi_app
        self.processes: list[Process] = []
        self.redis_url = ""
        self.env: dict[str, str] = {}
        self._db_dropped = False

    # --- life cycle ---------------------------------------------------------------
    def __enter__(self) -> Stack:
        _terminate_on_sigterm()
        self.workdir.mkdir(parents=True, exist_ok=True)
        try:
            self.redis_url = self._start_redis()
            self.env = self._environment()
            self._create_database()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for process in reversed(self.processes):
            with contextlib.suppress(Exception):
                process.stop()
        self.processes.clear()
        with contextlib.suppress(Exception):
            self._drop_database()

    def start(self, name: str, argv: list[str], **kwargs: Any) -> Process:
        process = Process(name, argv, env=kwargs.pop("env", self.env), log=self.log(name),
                          **kwargs)  # fmt: skip
        self.processes.append(process)
        return process

    def stop(self, process: Process) -> None:
        process.stop()
        if process in self.processes:
            self.processes.remove(process)

    def log(self, name: str) -> Path:
        return self.workdir / f"{name}.log"

    # --- Redis and the database -------------------------------------------------
    def _start_redis(self) -> str:
        server = shutil.which("redis-server")
        if server is None:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        port = free_port()
        redis = self.start(
            "redis",
            [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir), "--maxclients", "10000"],
            env=dict(os.environ),
        )  # fmt: skip
        wait_port(port)
        if not redis.alive():
            raise RuntimeError(f"redis exited:\n{tail(redis.log)}")
        return f"redis://127.0.0.1:{port}/0"

    def _environment(self) -> dict[str, str]:
        own = {"DATABASE_URL", "SQLITE_PATH", "REDIS_URL"}
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "NEWSROOM_")) and k not in own
        }
        env.update(
            DJANGO_SETTINGS_MODULE="newsroom.settings",
            DJANGO_DEBUG="false",
            DJANGO_SECRET_KEY="benchmark-only-" + "x" * 40,
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
            DJANGO_SECURE_SSL_REDIRECT="false",  # plain HTTP on loopback
            REDIS_URL=self.redis_url,
            NEWSROOM_REDIS_PREFIX="bench",
            # The benchmark is one caller asking many times: no throttling of reads.
            NEWSROOM_API_PARTNER_READ_RATE="100000000/min",
            NEWSROOM_API_STAFF_READ_RATE="100000000/min",
            MEDIA_ROOT=str(self.workdir / "media"),
            PYTHONUNBUFFERED="1",
        )
        env.update(self.settings)  # --set NAME=VALUE: an experiment's settings
        if self.database_url:
            env["DATABASE_URL"] = self._bench_database_url()
        else:
            env["SQLITE_PATH"] = str(self.workdir / "bench.sqlite3")
        return env

    def _bench_database_url(self) -> str:
        parts = urlsplit(self.database_url)
        return urlunsplit(parts._replace(path=f"/{BENCH_DB}"))

    def _admin_connection(self) -> Any:
        import psycopg

        parts = urlsplit(self.database_url)
        url = urlunsplit(parts._replace(path="/postgres"))
        return psycopg.connect(url, autocommit=True)

    def _create_database(self) -> None:
        if self.database_url:
            with self._admin_connection() as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
                connection.execute(f'CREATE DATABASE "{BENCH_DB}"')
        self.manage("migrate", "--noinput", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")
        self.manage("load_demo")

    def _drop_database(self) -> None:
        if self.database_url and not self._db_dropped:
            with self._admin_connection() as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
            self._db_dropped = True

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [PYTHON, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True,
            text=True, timeout=600,
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def django(self) -> None:
        """Set up Django in this process against the stack (for publishing and cost)."""
        os.environ.update(self.env)
        import django

        django.setup()

    # --- servers ------------------------------------------------------------------
    def uvicorn(self, *, port: int, workers: int = 2, name: str = "uvicorn",
                env: dict[str, str] | None = None) -> Process:  # fmt: skip
        """The ASGI servers (the live stream), as ``docs/deployment.md`` runs them
        (``env``: settings of these servers only)."""
        process = self.start(name, env={**self.env, **(env or {})}, argv=[
            str(BIN / "uvicorn"), self.asgi_app, "--host", "127.0.0.1",
            "--port", str(port), "--workers", str(workers), "--backlog", "4096",
            "--no-access-log", "--log-level", "warning", "--timeout-graceful-shutdown", "2",
        ])  # fmt: skip
        wait_http(f"http://127.0.0.1:{port}/healthz", process=process)
        return process

    def gunicorn(self, *, port: int, workers: int = 2, threads: int = 4,
                 name: str = "gunicorn") -> Process:  # fmt: skip
        """The WSGI servers (pages, fragments, the poll and the API)."""
        process = self.start(name, [
            str(BIN / "gunicorn"), "newsroom.wsgi:application", "--bind",
            f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
            "--worker-class", "gthread", "--backlog", "4096", "--log-level", "warning",
            "--graceful-timeout", "2",
        ])  # fmt: skip
        wait_http(f"http://127.0.0.1:{port}/healthz", process=process)
        return process

    def nginx(self, config: str, *, probe_port: int, name: str = "nginx") -> Process:
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(binary).exists():
            raise RuntimeError("nginx is not installed (apt-get install nginx-light)")
        path = self.workdir / f"{name}.conf"
        path.write_text(config)
        check = subprocess.run([binary, "-t", "-q", "-c", str(path), "-p", str(self.workdir)],
                               capture_output=True, text=True)  # fmt: skip
        if check.returncode != 0:
            raise RuntimeError(f"nginx config does not load:\n{check.stderr}")
        process = self.start(name, [binary, "-c", str(path), "-p", str(self.workdir),
                                    "-g", "daemon off;"])  # fmt: skip
        wait_port(probe_port)
        return process
