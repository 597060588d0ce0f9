"""The browser tests' newsroom: named editorial actions on the browser database.

Run as ``python -m tests.browser.driver`` with the same environment as the servers
(``SQLITE_PATH`` or ``DATABASE_URL``, ``MEDIA_ROOT``). It reads one JSON object per
line on stdin, ``{"action": "publish", "title": "…"}``, performs it through the
services as the demo ``editor``, and answers one JSON line on stdout:
``{"ok": true, "result": {…}}`` or ``{"ok": false, "error": "…"}``.

Only named actions exist: tests cannot run arbitrary code in here. Changes reach the
servers the way any other process's do: through Redis when ``use_redis`` has set a URL
(the servers that subscribe to it wake at once), else through each server's database
poll.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

DEMO_SLUG = "us-election-2024"
DEMO_RACE = "us-president-2024"


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()


class Driver:
    def __init__(self) -> None:
        from django.contrib.auth import get_user_model

        self.editor = get_user_model().objects.get(username="editor")
        self.actions: dict[str, Callable[..., dict[str, Any]]] = {
            "ping": self.ping,
            "use_redis": self.use_redis,
            "create_blog": self.create_blog,
            "publish": self.publish,
            "draft": self.draft,
            "restore_call": self.restore_call,
            "presidential": self.presidential,
            "wire": self.wire,
            "confirm_state": self.confirm_state,
            "edit": self.edit,
            "embed": self.embed,
            "allow_embedding": self.allow_embedding,
            "poll_feed": self.poll_feed,
            "retract": self.retract,
            "pin": self.pin,
            "unpin": self.unpin,
            "summary": self.summary,
            "results": self.results,
            "end_blog": self.end_blog,
            "last_seq": self.last_seq,
            "visible_posts": self.visible_posts,
            "ensure_posts": self.ensure_posts,
            "schedule": self.schedule,
            "add_image": self.add_image,
            "announcements": self.announcements,
            "plant_media": self.plant_media,
            "post_state": self.post_state,
            "staff_user": self.staff_user,
        }

    # --- helpers ------------------------------------------------------------------
    @staticmethod
    def _blog(slug: str | None) -> Any:
        from liveblog.models import LiveBlog

        return LiveBlog.objects.get(slug=slug or DEMO_SLUG)

    @staticmethod
    def _post(post_id: int) -> Any:
        from liveblog.models import Post

        return Post.objects.get(pk=post_id)

    def _seq(self, blog_id: int) -> int:
        from liveblog.models import LiveBlog

        return LiveBlog.objects.values_list("last_seq", flat=True).get(pk=blog_id)

    # --- actions ------------------------------------------------------------------
    def ping(self) -> dict[str, Any]:
        return {"pid": os.getpid()}

    def use_redis(self, url: str | None = None) -> dict[str, Any]:
        """Announce changes through this Redis from now on (None: no Redis at all)."""
        from django.conf import settings

        from newsroom import breaker

        settings.REDIS_URL = url or ""
        breaker.redis.reset()  # a new Redis: forget the last one's failures
        return {"redis_url": settings.REDIS_URL}

    def create_blog(self, slug: str, title: str) -> dict[str, Any]:
        from django.utils import timezone

        from liveblog.models import LiveBlog

        blog = LiveBlog.objects.create(
            slug=slug,
            title=title,
            description=f"{title} (browser tests)",
            coverage_start=timezone.now() - timedelta(hours=1),
            status=LiveBlog.Status.LIVE,
        )
        return {"id": blog.pk, "slug": blog.slug, "seq": blog.last_seq}

    def poll_feed(self, url: str) -> dict[str, Any]:
        """One poll of the results feed at ``url``, as the worker's beat would."""
        from django.test import override_settings

        from results.tasks import poll_feed

        with override_settings(NEWSROOM_RESULTS_FEED_URL=url):
            return {"said": poll_feed()}

    def allow_embedding(self, blog: str, origins: list[str]) -> dict[str, Any]:
        """The sites that may frame the blog's embed view (as an editor types them)."""
        from liveblog.models import LiveBlog

        LiveBlog.objects.filter(slug=blog).update(embed_origins="\n".join(origins))
        return {"origins": origins}

    def publish(self, title: str, body: str = "", blog: str | None = None) -> dict[str, Any]:
        from liveblog.services import post_create, post_publish

        the_blog = self._blog(blog)
        post = post_create(
            blog=the_blog, by=self.editor, title=title, body=body or f"<p>{title}.</p>"
        )
        post = post_publish(post=post, by=self.editor)
        return {"id": post.pk, "seq": self._seq(the_blog.pk), "anchor": post.anchor}

    def draft(self, title: str, blog: str | None = None, body: str | None = None) -> dict[str, Any]:
        from liveblog.services import post_create

        post = post_create(blog=self._blog(blog), by=self.editor, title=title,
                           body=f"<p>{title}.</p>" if body is None else body)  # fmt: skip
        return {"id": post.pk, "url": post.get_absolute_url()}

    def presidential(self, slug: str, states: list[str], calls: dict[str, int]) -> dict[str, Any]:
        """A blog showing a national race made of ``states``, AP having called ``calls``
        (pending: an editor confirms them with ``confirm_state``)."""
        import json

        from django.utils import timezone

        from benchmarks.synthetic import presidential_document
        from results.ingest import import_document
        from results.models import Race

        blog = self.create_blog(slug=slug, title="Election night (browser tests)")
        doc = presidential_document(states, at=timezone.now() - timedelta(minutes=5),
                                    reporting=0.9, counties=3, calls=calls)  # fmt: skip
        report = import_document(json.dumps(doc).encode())
        assert report.ok, report.errors
        national = Race.objects.get(level="national", election_date="2024-11-05")
        from liveblog.models import LiveBlog

        LiveBlog.objects.get(slug=slug).races.add(national)
        return {"blog": blog, "national": national.slug}

    def wire(self, states: list[str], election_date: str, reporting: float = 0.8
             ) -> dict[str, Any]:  # fmt: skip
        """A presidential document of ``states`` comes from the wire (``reporting``: the
        share counted), shown on no blog unless a blog chose it."""
        import json

        from django.utils import timezone

        from benchmarks.synthetic import presidential_document
        from results.ingest import import_document
        from results.models import Race

        at = timezone.now() - timedelta(minutes=5)
        doc = presidential_document(states, at=at, reporting=reporting, counties=2,
                                    election_date=election_date)  # fmt: skip
        report = import_document(json.dumps(doc).encode())
        assert report.ok, report.errors
        national = Race.objects.get(level="national", election_date=election_date)
        return {"national": national.slug, "name": national.name}

    def confirm_state(self, postal: str) -> dict[str, Any]:
        """The second demo editor confirms AP's pending call of a state."""
        from django.contrib.auth.models import User

        from results.models import WinnerCall
        from results.services import winner_confirm

        call = WinnerCall.objects.get(race__state_postal=postal, race__level="state",
                                      withdrawn_at=None, confirmed_at=None)  # fmt: skip
        winner_confirm(call=call, by=User.objects.get(username="editor2"))
        return {"call": call.pk}

    def restore_call(self, candidate: str, race: str = DEMO_RACE) -> dict[str, Any]:
        """Make ``candidate`` the demo race's confirmed call again (two editors)."""
        from django.contrib.auth.models import User

        from results.models import Race
        from results.services import winner_confirm, winner_correct

        the_race = Race.objects.get(slug=race)
        standing = the_race.calls.get(withdrawn_at__isnull=True, confirmed_at__isnull=False)
        for pending in the_race.calls.filter(withdrawn_at__isnull=True, confirmed_at__isnull=True):
            pending.withdrawn_at, pending.withdrawn_reason = standing.called_at, "test reset"
            pending.save(update_fields=["withdrawn_at", "withdrawn_reason"])
        if standing.candidate.name != candidate:
            winner = the_race.candidates.get(name=candidate)
            fix = winner_correct(call=standing, candidate=winner, by=self.editor, note="reset")
            winner_confirm(call=fix, by=User.objects.get(username="editor2"))
        return {"seq": self._seq(self._blog(None).pk)}

    def edit(
        self, id: int, title: str | None = None, body: str | None = None, note: str = ""
    ) -> dict[str, Any]:
        from liveblog.services import post_update

        post = self._post(id)
        data = {k: v for k, v in {"title": title, "body": body}.items() if v is not None}
        post = post_update(
            post=post,
            by=self.editor,
            expected_version=post.version,
            data=data,
            correction_note=note,
        )
        return {"id": post.pk, "seq": self._seq(post.blog_id), "version": post.version}

    def retract(self, id: int, reason: str = "Browser test retraction") -> dict[str, Any]:
        from liveblog.services import post_retract

        post = post_retract(post=self._post(id), by=self.editor, reason=reason)
        return {"id": post.pk, "seq": self._seq(post.blog_id)}

    def pin(self, id: int) -> dict[str, Any]:
        from liveblog.services import post_set_pinned

        post = post_set_pinned(post=self._post(id), by=self.editor, pinned=True)
        return {"id": post.pk, "seq": self._seq(post.blog_id)}

    def unpin(self, id: int) -> dict[str, Any]:
        from liveblog.services import post_set_pinned

        post = post_set_pinned(post=self._post(id), by=self.editor, pinned=False)
        return {"id": post.pk, "seq": self._seq(post.blog_id)}

    def summary(self, points: list[str], blog: str | None = None) -> dict[str, Any]:
        from liveblog.services import summary_update

        the_blog = summary_update(blog=self._blog(blog), by=self.editor, points=points)
        return {"seq": self._seq(the_blog.pk), "points": the_blog.summary}

    def results(
        self, counts: dict[str, list[int]], race: str = DEMO_RACE, blog: str | None = None
    ) -> dict[str, Any]:
        """Record a results snapshot ``{candidate: [popular_votes, electoral_votes]}``."""
        from django.utils import timezone

        from results.models import Race
        from results.services import CandidateCount, snapshot_record

        the_race = Race.objects.get(slug=race)
        latest = the_race.snapshots.order_by("-as_of").first()
        as_of = timezone.now()
        if latest is not None and latest.as_of >= as_of:
            as_of = latest.as_of + timedelta(seconds=1)
        snapshot, created = snapshot_record(
            race=the_race,
            as_of=as_of,
            source="browser tests",
            source_seq=uuid.uuid4().hex,
            counts=[CandidateCount(name, pv, ev) for name, (pv, ev) in counts.items()],
            by=self.editor,
        )
        return {"snapshot": snapshot.pk, "created": created, "seq": self._seq(self._blog(blog).pk)}

    def end_blog(self, blog: str) -> dict[str, Any]:
        from liveblog.models import LiveBlog
        from liveblog.services import blog_set_status

        the_blog = blog_set_status(
            blog=self._blog(blog), by=self.editor, status=LiveBlog.Status.ENDED
        )
        return {"seq": self._seq(the_blog.pk), "status": the_blog.status}

    def last_seq(self, blog: str | None = None) -> dict[str, Any]:
        return {"seq": self._seq(self._blog(blog).pk)}

    def visible_posts(self, blog: str | None = None) -> dict[str, Any]:
        """The ids of the blog's public posts, newest first (the page's order)."""
        from liveblog.models import Post

        posts = Post.objects.filter(blog=self._blog(blog)).published().newest_first()
        return {"ids": list(posts.values_list("pk", flat=True))}

    def schedule(self, title: str, seconds: float, blog: str | None = None) -> dict[str, Any]:
        """Create a post and schedule it ``seconds`` from now; ``at`` is a Unix time."""
        from django.utils import timezone

        from liveblog.services import post_create, post_publish

        the_blog = self._blog(blog)
        post = post_create(blog=the_blog, by=self.editor, title=title, body=f"<p>{title}.</p>")
        at = timezone.now() + timedelta(seconds=seconds)
        post = post_publish(post=post, by=self.editor, at=at)
        return {"id": post.pk, "at": at.timestamp(), "status": post.status}

    def add_image(self, id: int) -> dict[str, Any]:
        """Upload a generated 1200x800 JPEG to the post (renditions follow in a task)."""
        import io

        from PIL import Image

        from liveblog.services import post_add_image

        buffer = io.BytesIO()
        Image.new("RGB", (1200, 800), "teal").save(buffer, "JPEG")
        buffer.seek(0)
        image = post_add_image(
            post=self._post(id), by=self.editor, file=buffer, alt_text="A teal square"
        )
        return {"image": image.pk, "name": image.image.name}

    def embed(self, id: int, url: str, providers: list[dict[str, Any]]) -> dict[str, Any]:
        """Embed ``url`` in the post, read through ``providers`` (the test's fakes)."""
        from django.test import override_settings

        from liveblog.services import post_add_embed

        with override_settings(NEWSROOM_EMBED_PROVIDERS=providers,
                               NEWSROOM_OUTBOUND_TRUSTED_NETWORKS=["127.0.0.0/8"],
                               NEWSROOM_META_OEMBED_TOKEN="app-id|client-token"):  # fmt: skip
            embed = post_add_embed(post=self._post(id), by=self.editor, url=url)
        return {"embed": embed.pk, "problem": embed.problem, "frame": embed.frame_url}

    def plant_media(self, id: int, content: str, extension: str) -> dict[str, Any]:
        """Store ``content`` as if a hostile file had got past the upload checks: on disk
        under a server-style name, attached to the post as a photo. Returns its URL."""
        from django.core.files.base import ContentFile
        from django.core.files.storage import default_storage

        from liveblog.models import PostImage
        from newsroom.media import unguessable_name

        name = default_storage.save(unguessable_name("posts", extension), ContentFile(content))
        PostImage.objects.create(post_id=id, image=name, alt_text="x", width=1, height=1)
        return {"url": default_storage.url(name)}

    def announcements(self, id: int) -> dict[str, Any]:
        """How many times the post was announced (its "published" change-log entries)."""
        from liveblog.models import Change

        count = Change.objects.filter(post_id=id, kind=Change.Kind.PUBLISHED).count()
        return {"count": count}

    def post_state(self, id: int | None = None, title: str | None = None) -> dict[str, Any]:
        """A post as stored (found by id, or by its exact title): what the tests check."""
        from liveblog.models import Post

        posts = Post.objects.filter(pk=id) if id is not None else Post.objects.filter(title=title)
        post = posts.prefetch_related("images", "contributors__reporter").first()
        if post is None:
            return {"found": False}
        return {
            "found": True, "id": post.pk, "title": post.title, "body": post.body,
            "status": post.status, "version": post.version, "pinned": post.pinned,
            "key_event": post.key_event, "return_note": post.return_note,
            "correction_note": post.correction_note,
            "author": post.author.username if post.author else None,
            "images": [[i.alt_text, i.caption, i.credit] for i in post.images.all()],
            "byline": [[c.reporter.display_name, c.byline] for c in post.contributors.all()],
        }  # fmt: skip

    def staff_user(self, username: str, role: str, name: str, password: str) -> dict[str, Any]:
        """A staff account in ``role`` ("Editor" or "Reporter") with a byline profile."""
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group

        from newsroom.staff.models import Reporter

        user, _ = get_user_model().objects.get_or_create(
            username=username, defaults={"is_staff": True}
        )
        user.set_password(password)
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        Reporter.objects.update_or_create(user=user, defaults={"display_name": name})
        return {"id": user.pk}

    def ensure_posts(self, count: int, blog: str | None = None) -> dict[str, Any]:
        """Publish filler posts until the blog shows at least ``count`` posts."""
        ids = self.visible_posts(blog)["ids"]
        for n in range(len(ids), count):
            self.publish(title=f"Filler post {n + 1} {uuid.uuid4().hex[:6]}", blog=blog)
        return self.visible_posts(blog)


def main() -> None:
    # Answers go to the real stdout only; anything else that prints goes to stderr.
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1, encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    _setup()
    from django.db import close_old_connections

    driver = Driver()
    answers.write(json.dumps({"ok": True, "result": {"ready": True}}) + "\n")
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            name = request.pop("action")
            if name == "quit":
                answers.write(json.dumps({"ok": True, "result": {}}) + "\n")
                break
            action = driver.actions[name]
            close_old_connections()
            answer = {"ok": True, "result": action(**request)}
        except Exception as error:
            answer = {"ok": False, "error": f"{error!r}\n{traceback.format_exc()}"}
        answers.write(json.dumps(answer) + "\n")


if __name__ == "__main__":
    main()
