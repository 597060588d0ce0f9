"""Driving the SSE load client processes (``benchmarks.sseclient``) from the benchmark."""

from __future__ import annotations

import json
import subprocess
from typing import Any

from .stack import PYTHON, Process, Stack


class LoadClients:
    """``count`` readers of one stream, spread over a few client processes."""

    def __init__(
        self, stack: Stack, *, port: int | list[int], path: str, count: int, processes: int
    ) -> None:
        ports = port if isinstance(port, list) else [port]
        self.stack = stack
        self.count = count
        self.reopened = 0
        self.clients: list[Process] = []
        share = [count // processes + (1 if i < count % processes else 0) for i in range(processes)]
        for index, n in enumerate(share):
            port_ = str(ports[index % len(ports)])
            # Each process's readers come from 127.<index + 1>.x.y, 32 an address.
            argv = [PYTHON, "-m", "benchmarks.sseclient", "--port", port_, "--path", path,
                    "--count", str(n), "--sources", f"127.{index + 1}"]  # fmt: skip
            client = stack.start(
                f"sseclient-{index}", argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE
            )
            self.clients.append(client)
        for client in self.clients:
            self._read(client)  # {"ready": true}

    def _send(self, client: Process, message: dict[str, Any]) -> None:
        assert client.popen.stdin is not None
        client.popen.stdin.write((json.dumps(message) + "\n").encode())
        client.popen.stdin.flush()

    def _read(self, client: Process) -> dict[str, Any]:
        assert client.popen.stdout is not None
        line = client.popen.stdout.readline()
        if not line:
            raise RuntimeError(f"{client.name} stopped:\n{client.log.read_text()[-2000:]}")
        return json.loads(line)

    def ask(self, message: dict[str, Any]) -> list[dict[str, Any]]:
        """Send to every client at once, then read every answer."""
        for client in self.clients:
            self._send(client, message)
        return [self._read(client) for client in self.clients]

    def connect(self, after: int, concurrency: int = 256) -> dict[str, Any]:
        answers = self.ask({"cmd": "connect", "after": after, "concurrency": concurrency})
        return {
            "connected": sum(a["connected"] for a in answers),
            "failed": sum(a["failed"] for a in answers),
            "errors": [e for a in answers for e in a["errors"]],
            "seconds": max(a["seconds"] for a in answers),
        }

    def arm(self, seq: int) -> int:
        return sum(a["early"] for a in self.ask({"cmd": "arm", "seq": seq}))

    def collect(self, timeout: float) -> list[float | None]:
        """Each reader's time of the armed event (None: not in time); ``reopened`` counts
        the streams the server closed since connect, which the readers opened again."""
        answers = self.ask({"cmd": "collect", "timeout": timeout})
        self.reopened = sum(a.get("reopened", 0) for a in answers)
        return [t for a in answers for t in a["times"]]

    def drop(self) -> None:
        self.ask({"cmd": "drop"})

    def reconnect(self, seq: int, timeout: float, concurrency: int = 0) -> dict[str, Any]:
        """Every reader at once (``concurrency`` 0), or that many at a time per process."""
        answers = self.ask({"cmd": "reconnect", "seq": seq, "timeout": timeout,
                            "concurrency": concurrency})  # fmt: skip
        return {
            "started": min(a["started"] for a in answers),
            "times": [t for a in answers for t in a["times"]],
            "failed": sum(a["failed"] for a in answers),
            "errors": [e for a in answers for e in a["errors"]],
            "missing": sum(a["missing"] for a in answers),
        }

    def close(self) -> None:
        for client in self.clients:
            try:
                self._send(client, {"cmd": "quit"})
                self._read(client)
            except (OSError, RuntimeError, ValueError):
                pass
            self.stack.stop(client)
        self.clients.clear()
