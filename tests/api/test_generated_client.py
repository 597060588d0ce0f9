"""A partner generates a Python client from ``/api/v1/schema/`` with
openapi-python-client, installs it, and uses it against a running server: every page of
a blog's posts through the cursor, the change feed, a race's latest snapshot."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import call_command
from packaging.version import Version

from liveblog import services
from partners.models import PartnerKey, Scope
from results import services as results
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)
GENERATOR = shutil.which("openapi-python-client", path=str(Path(sys.executable).parent))
PACKAGE = "newsroom_partner_api_client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory, django_db_blocker):
    """The client, generated from the schema and installed into a folder of its own."""
    if GENERATOR is None:
        pytest.fail("openapi-python-client is part of the test extra: make install")
    work = tmp_path_factory.mktemp("client")
    with django_db_blocker.unblock():
        call_command("spectacular", "--file", str(work / "schema.yaml"))
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run([GENERATOR, "generate", "--path", "schema.yaml", "--output-path", "client"],
                   cwd=work, env=env, check=True, capture_output=True)  # fmt: skip
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--no-build-isolation", "--no-index", "--target", str(work / "site"),
                    str(work / "client")], check=True, capture_output=True)  # fmt: skip
    sys.path.insert(0, str(work / "site"))
    yield work
    sys.path.remove(str(work / "site"))
    for name in [m for m in sys.modules if m.startswith(PACKAGE)]:
        del sys.modules[name]


def test_the_generated_client_installs_with_a_plain_version(generated):
    [dist] = (generated / "site").glob(f"{PACKAGE}-*.dist-info")
    assert Version(dist.name.removesuffix(".dist-info").split("-")[1]) == Version("1.0.0")


def test_a_partner_reads_every_page_the_feed_and_a_snapshot(generated, live_server, editor):
    blog = factories.LiveBlogFactory(slug="election")
    start = datetime(2024, 11, 5, 23, 0, tzinfo=UTC)
    titles = []
    for minute in range(12):
        post = factories.PostFactory(blog=blog, author=editor, title=f"Update {minute}")
        services.post_publish(post=post, by=editor, at=None)
        titles.append(post.title)
    race = factories.RaceFactory(slug="president")
    for name in ("Kamala Harris", "Donald Trump"):
        factories.CandidateFactory(race=race, name=name)
    counts = [results.CandidateCount("Kamala Harris", 700),
              results.CandidateCount("Donald Trump", 800)]  # fmt: skip
    results.snapshot_record(race=race, as_of=start + timedelta(hours=1), source="wire",
                            source_seq="1", counts=counts)  # fmt: skip
    _, secret = PartnerKey.objects.create_key(
        scopes=[Scope.LIVEBLOG_READ, Scope.RESULTS_READ], name="partner", partner="Partner"
    )
    client_module = importlib.import_module(PACKAGE)
    posts_list = importlib.import_module(f"{PACKAGE}.api.posts.posts_list")
    changes_list = importlib.import_module(f"{PACKAGE}.api.change_feed.changes_list")
    snapshots_latest = importlib.import_module(f"{PACKAGE}.api.results.snapshots_latest")
    client = client_module.AuthenticatedClient(base_url=live_server.url, token=secret,
                                               prefix="Api-Key")  # fmt: skip

    seen, cursor, pages = [], None, 0
    while True:
        page = posts_list.sync("election", client=client, limit=5,
                               **({"cursor": cursor} if cursor else {}))  # fmt: skip
        pages += 1
        seen += [post.title for post in page.results]
        if not page.has_more:
            break
        cursor = parse_qs(urlparse(page.next_).query).get("cursor", [page.next_])[0]
    feed = changes_list.sync("election", client=client, after=0)
    latest = snapshots_latest.sync("president", client=client)

    assert (pages, seen) == (3, titles[::-1])  # newest first, each once
    assert feed.last_seq == len(feed.entries) == 12
    assert {r.name: r.popular_votes for r in latest.results} == {
        "Kamala Harris": 700, "Donald Trump": 800,
    }  # fmt: skip
