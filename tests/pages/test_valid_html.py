"""Every public page is valid HTML by the W3C Nu HTML checker (``vnu-jar`` from npm,
pinned in ``tests/pages/package.json``, run with Java), the demo's pages and the states a
reader meets: the index, the live page, key events, older posts (page and fragment), a
permalink, the results page, an ended blog and a scheduled one."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from benchmarks.synthetic import presidential_document
from liveblog.demo.loader import load_demo
from liveblog.models import LiveBlog, Post
from liveblog.services.posts import post_create
from results.ingest import import_document
from results.models import Race
from tests import factories
from tests.liveblog.test_page import make_posts

HERE = Path(__file__).parent
VNU = HERE / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
FRAGMENT = (
    '<!doctype html><html lang="en"><head><title>Fragment</title></head><body>{}</body></html>'
)


@pytest.fixture(scope="session")
def vnu() -> Path:
    """The checker's jar, installed from npm on first use (its Java download is not run)."""
    if shutil.which("java") is None:
        pytest.skip("Java is needed to run the Nu HTML checker (apt-get install default-jre)")
    if not VNU.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is needed to install the Nu HTML checker (vnu-jar)")
        done = subprocess.run(
            [npm, "install", "--prefix", str(HERE), "--no-audit", "--no-fund",
             "--ignore-scripts"],
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        if done.returncode != 0 or not VNU.exists():
            pytest.fail(f"npm install failed:\n{done.stdout}\n{done.stderr}")
    return VNU


def pages(client: Client) -> dict[str, str]:
    """Every kind of public page, as readers get it."""
    demo = LiveBlog.objects.get(slug="us-election-2024")
    dead_links = post_create(
        blog=demo, by=get_user_model().objects.get(username="editor"), title="Dead links",
        body='<p><a href="javascript:alert(1)">A script</a>, <a href="">nothing</a> and '
             '<a rel="nofollow">a rel alone</a>.</p>',
    )  # fmt: skip
    dead_links.status, dead_links.published_at = Post.Status.PUBLISHED, timezone.now()
    dead_links.save()
    make_posts(demo, 25)  # more than a page: "Show older posts" appears
    first = client.get(f"/live/{demo.slug}/").content.decode()
    older = first.split("?before=", 1)[1].split('"', 1)[0].split("&", 1)[0]
    ended = factories.LiveBlogFactory(slug="over", status=LiveBlog.Status.ENDED)
    factories.PostFactory(blog=ended, published=True, title="The last word")
    factories.LiveBlogFactory(
        slug="soon", status=LiveBlog.Status.SCHEDULED,
        coverage_start=timezone.now() + timedelta(days=2),
    )  # fmt: skip
    post = Post.objects.filter(blog=demo).published().newest_first().first()
    assert post is not None
    demo_race = Race.objects.get(slug="us-president-2024")  # with its 51 state contests
    state_race = Race.objects.get(slug="us-president-2024-pa")
    # A national race of per-state documents, with its states table and tile map.
    doc = presidential_document(["PA", "GA", "ME"], at=timezone.now() - timedelta(hours=1),
                                counties=2, calls={"PA": 1})  # fmt: skip
    assert import_document(json.dumps(doc).encode()).ok
    national = Race.objects.get(level="national", election_date__isnull=False)
    election = factories.LiveBlogFactory(slug="election", status=LiveBlog.Status.LIVE)
    election.races.add(national)
    urls = {
        "blog index": "/live/",
        "live page": f"/live/{demo.slug}/",
        "embed view": f"/live/{demo.slug}/embed/",
        "key events": f"/live/{demo.slug}/?filter=key-events",
        "older posts page": f"/live/{demo.slug}/?before={older}",
        "permalink": post.get_absolute_url(),
        "results page": f"/results/{demo_race.slug}/",
        "state results page": f"/results/{state_race.slug}/",
        "national results page": f"/results/{national.slug}/",
        "live page with states": "/live/election/",
        "ended blog": "/live/over/",
        "scheduled blog": "/live/soon/",
    }
    found = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        found[name] = response.content.decode()
    fragment = client.get(f"/live/{demo.slug}/posts/?before={older}", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    found["older posts fragment"] = FRAGMENT.format(fragment.content.decode())
    return found


@pytest.mark.django_db
def test_every_public_page_is_valid_html(vnu: Path, tmp_path: Path, settings, providers) -> None:
    settings.NEWSROOM_DEMO_PASSWORD = "valid-html-123"
    load_demo()
    cards = every_kind_of_card()
    written = []
    for name, html in {**pages(Client()), "every kind of card": cards}.items():
        path = tmp_path / f"{name.replace(' ', '-')}.html"
        path.write_text(html)
        written.append(path)

    assert validate(vnu, written) == []
    assert len(written) == 14


def every_kind_of_card() -> str:
    """A permalink with an embed of every provider (read from the fake providers), a link
    card whose provider failed, and a site that is not a provider."""
    from liveblog.services import post_add_embed
    from tests.oembed_fake import LINKS

    editor = get_user_model().objects.get(username="editor")
    post = post_create(blog=LiveBlog.objects.get(slug="us-election-2024"), by=editor,
                       title="Every kind of card")  # fmt: skip
    for url in [*LINKS.values(), "https://example.com/story"]:
        post_add_embed(post=post, by=editor, url=url)
    post.status, post.published_at = Post.Status.PUBLISHED, timezone.now()
    post.save()
    response = Client().get(post.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("data-embed ") == len(LINKS) + 1
    return html


def validate(vnu: Path, written: list[Path]) -> list[str]:
    """The checker's errors on the files, one line each (an empty list: all valid)."""
    done = subprocess.run(
        ["java", "-jar", str(vnu), "--errors-only", "--format", "json", *map(str, written)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    report = json.loads(done.stderr or done.stdout or '{"messages": []}')
    return [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}"
        for m in report["messages"]
        if m.get("type") == "error"
    ]


@pytest.mark.django_db
def test_the_live_desk_is_valid_html(vnu: Path, tmp_path: Path, settings) -> None:
    """The desk as an editor and as a reporter sees it, and the fragments it swaps in."""
    settings.NEWSROOM_DEMO_PASSWORD = "valid-html-123"
    load_demo()
    demo = LiveBlog.objects.get()
    desk = f"/admin/desk/{demo.slug}/"
    post = Post.objects.filter(blog=demo).published().newest_first().first()
    assert post is not None
    client = Client()
    written = []
    for username in ("editor", "reporter"):
        client.force_login(get_user_model().objects.get(username=username))
        answers = {"desk": client.get(desk)}
        fragments = {"regions": client.get(f"{desk}regions/"),
                     "compose": client.get(f"{desk}compose/")}  # fmt: skip
        if username == "editor":
            fragments["correction"] = client.get(f"{desk}compose/{post.pk}/")
            fragments["retract dialog"] = client.get(f"{desk}posts/{post.pk}/retract/")
            fragments["schedule dialog"] = client.get(f"{desk}posts/{post.pk}/schedule/")
        for name, response in [*answers.items(), *fragments.items()]:
            assert response.status_code == 200, (username, name, response.status_code)
            html = response.content.decode()
            path = tmp_path / f"{username}-{name.replace(' ', '-')}.html"
            path.write_text(html if name in answers else FRAGMENT.format(html))
            written.append(path)
    assert validate(vnu, written) == []
    assert len(written) == 9
