"""Fixtures of the results tests."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests import factories


@pytest.fixture
def race(blog):
    """A race on the blog with its two candidates (modules may define their own)."""
    race = factories.RaceFactory(slug="president")
    factories.CandidateFactory(race=race, name="Kamala Harris")
    factories.CandidateFactory(race=race, name="Donald Trump")
    blog.races.add(race)
    return race


SAMPLE = Path(__file__).parent / "data" / "ap-20151103.json"


class Feed:
    """What the fake AP server serves, and the headers of every request it saw."""

    def __init__(self) -> None:
        self.body = SAMPLE.read_bytes()
        self.etag = '"v1"'
        self.status = 200
        self.requests: list[dict[str, str]] = []


@pytest.fixture
def feed(settings):
    state = Feed()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append({k.lower(): v for k, v in self.headers.items()})
            if state.status != 200:
                self.send_response(state.status)
                self.end_headers()
            elif self.headers.get("If-None-Match") == state.etag:
                self.send_response(304)
                self.send_header("ETag", state.etag)
                self.end_headers()
            else:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("ETag", state.etag)
                self.send_header("Content-Length", str(len(state.body)))
                self.end_headers()
                self.wfile.write(state.body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.NEWSROOM_RESULTS_FEED_URL = (
        f"http://127.0.0.1:{server.server_address[1]}/v2/elections/2015-11-03"
    )
    settings.NEWSROOM_RESULTS_FEED_API_KEY = ""
    yield state
    server.shutdown()
    server.server_close()
    thread.join(5)
