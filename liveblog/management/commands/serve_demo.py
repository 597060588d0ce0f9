"""``manage.py serve_demo``: migrate, load the demo, print where to look, and serve it.

Starts the ASGI server (uvicorn), and with ``REDIS_URL`` set also a Celery worker and
beat; stops them all on Ctrl-C. ``make demo`` runs this.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Bring up the demo: migrate, load the reference live page and serve it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args: Any, port: int, host: str, **options: Any) -> None:
        call_command("migrate", verbosity=0, interactive=False)
        call_command("load_demo", stdout=self.stdout)
        base = f"http://{host}:{port}"
        password = settings.NEWSROOM_DEMO_PASSWORD
        self.stdout.write(
            "\n".join(
                [
                    "",
                    self.style.SUCCESS("Newsroom demo is starting:"),
                    f"  Live page:  {base}/live/us-election-2024/",
                    f"  Live desk:  {base}/admin/desk/us-election-2024/",
                    f"  All blogs:  {base}/live/",
                    f"  Admin:      {base}/admin/",
                    f"  Logins:     editor / {password}    editor2 / {password}"
                    f"    reporter / {password}",
                    "  Backing:    "
                    + ("PostgreSQL" if settings.DATABASE_URL else "SQLite")
                    + (
                        ", Redis and a Celery worker"
                        if settings.REDIS_URL
                        else ", in-process tasks"
                    ),
                    "  Stop with Ctrl-C.",
                    "",
                ]
            )
        )
        python = sys.executable
        commands = [
            # No proxy in front: the client's own address, never X-Forwarded-For.
            [python, "-m", "uvicorn", "liveblog.live.asgi:application", "--host", host,
             "--port", str(port), "--log-level", "warning", "--no-proxy-headers",
             # Open streams end at SIGTERM (liveblog.live.asgi); anything else gets 3 s.
             "--timeout-graceful-shutdown", "3"],
        ]  # fmt: skip
        if settings.REDIS_URL:
            commands += [
                [python, "-m", "celery", "-A", "newsroom", "worker", "--loglevel", "warning",
                 "--concurrency", "2"],
                # Its own schedule file: two demos on one machine must not share one.
                [python, "-m", "celery", "-A", "newsroom", "beat", "--loglevel", "warning",
                 "--schedule", str(Path(tempfile.mkdtemp(prefix="newsroom-beat-"))
                                   / "schedule")],
            ]  # fmt: skip
        processes = [subprocess.Popen(command) for command in commands]

        def stop(*_: Any) -> None:
            for process in processes:
                if process.poll() is None:
                    process.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(p.poll() is None for p in processes):
                try:
                    processes[0].wait(timeout=1)
                except subprocess.TimeoutExpired:
                    continue
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            for process in processes:
                process.wait(timeout=10)
