"""Under ASGI each request's sync code runs in a thread of its own: a persistent database
connection is never reused there and never closed, and a long browser run exhausted
PostgreSQL's connections. The ASGI entry points turn persistent connections off."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

CHECK = "import {module}; from django.conf import settings; print(settings.DATABASES['default']['CONN_MAX_AGE'])"  # noqa: E501


@pytest.mark.parametrize(("module", "expected"), [
    ("newsroom.asgi", "0"), ("liveblog.live.asgi", "0"), ("newsroom.wsgi", "60"),
])  # fmt: skip
def test_asgi_processes_keep_no_database_connection_between_requests(module, expected):
    env = {k: v for k, v in os.environ.items() if k != "NEWSROOM_DB_CONN_MAX_AGE"}
    env |= {"DATABASE_URL": "postgres://newsroom@127.0.0.1:1/none", "DJANGO_DEBUG": "true"}
    done = subprocess.run([sys.executable, "-c", CHECK.format(module=module)], env=env,
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == expected
