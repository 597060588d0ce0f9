"""``manage.py rehearse``: play a recorded night into a rehearsal's own blog and races.

    manage.py rehearse --demo --speed 60          # the short night the demo ships
    manage.py rehearse --recorded 2024-11-05 --speed 10 --posts posts.json --as editor
    manage.py rehearse --folder night/ --speed 60
    manage.py rehearse --list
    manage.py rehearse --wipe                      # every rehearsal (or --wipe ID)

Pages, the desk and the API mark the rehearsal's blog and races as such; nothing of it
reaches the real blogs, the partner API's lists or webhooks for all blogs
(docs/operations.md, "Rehearse the night").
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count

from liveblog import rehearsal as rehearsals
from results.models import Rehearsal

DEMO_NIGHT = Path(rehearsals.__file__).resolve().parent / "demo" / "night"


class Command(BaseCommand):
    help = "Rehearse election night: play a recorded night into a rehearsal blog."

    def add_arguments(self, parser: CommandParser) -> None:
        night = parser.add_mutually_exclusive_group()
        night.add_argument(
            "--recorded",
            metavar="YYYY-MM-DD",
            help="The documents the poller kept for this election day.",
        )
        night.add_argument(
            "--folder", metavar="DIR", help="A folder of documents (night.json, or names by time)."
        )
        night.add_argument(
            "--demo",
            action="store_true",
            help="The short night the demo ships (liveblog/demo/night).",
        )
        night.add_argument("--list", action="store_true", help="List the rehearsals.")
        night.add_argument(
            "--wipe",
            nargs="?",
            const="all",
            metavar="ID",
            help="Take a rehearsal away (all of them without an id).",
        )
        parser.add_argument("--speed", type=int, default=1, help="1, 10, 60… (at most 1000).")
        parser.add_argument("--posts", metavar="FILE", help='Scripted posts (JSON, with "at").')
        parser.add_argument("--as", dest="username",
                            help="The editor who shows races and files posts (default: the "
                                 "first active superuser).")  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            return self._list()
        if options["wipe"]:
            return self._wipe(options["wipe"])
        try:
            if options["recorded"]:
                night = rehearsals.recorded_night(date.fromisoformat(options["recorded"]))
            elif options["folder"]:
                night = rehearsals.folder_night(Path(options["folder"]))
            elif options["demo"]:
                night = rehearsals.folder_night(DEMO_NIGHT)
            else:
                raise CommandError("Choose a night: --recorded DATE, --folder DIR or --demo.")
            posts = rehearsals.scripted_posts(Path(options["posts"])) if options["posts"] else []
        except (ValueError, OSError, KeyError) as error:
            raise CommandError(str(error)) from None
        editor = self._editor(options["username"])
        speed = options["speed"]
        if not rehearsals.SPEEDS[0] <= speed <= rehearsals.SPEEDS[1]:
            raise CommandError(f"--speed is {rehearsals.SPEEDS[0]} to {rehearsals.SPEEDS[1]}.")
        rehearsal, blog = rehearsals.prepare(night, speed=speed)
        last = max((s.at for s in [*night.steps, *posts]), default=0)
        self.stdout.write(f"Rehearsal {rehearsal.pk}: {night.name}, {len(night.steps)} "
                          f"document(s) and {len(posts)} post(s) over {last / speed:.0f} s "
                          f"at {speed}x.\nLive page: {blog.get_absolute_url()}  "
                          f"desk: /admin/desk/{blog.slug}/")  # fmt: skip
        played = rehearsals.play(night, rehearsal, blog, by=editor, speed=speed, posts=posts,
                                 say=self.stdout.write)  # fmt: skip
        self.stdout.write(f"Done: {played.documents} document(s), {played.posts} post(s). "
                          f"Wipe it with: manage.py rehearse --wipe {rehearsal.pk}")  # fmt: skip

    def _editor(self, username: str | None) -> Any:
        users = get_user_model().objects.filter(is_active=True)
        user = (users.filter(username=username).first() if username
                else users.filter(is_superuser=True).order_by("pk").first())  # fmt: skip
        if user is None:
            raise CommandError("Name the editor with --as USERNAME (no such active user).")
        return user

    def _list(self) -> None:
        found = Rehearsal.objects.annotate(race_count=Count("races"))
        if not found:
            self.stdout.write("No rehearsal.")
        for r in found:
            state = f"finished {r.finished_at:%H:%M:%S}" if r.finished_at else "not finished"
            self.stdout.write(f"{r.pk}  {r.name}  ({r.speed}x, {r.race_count} races, "
                              f"{state})  /live/rehearsal-{r.pk}/")  # fmt: skip

    def _wipe(self, which: str) -> None:
        if which == "all":
            gone = rehearsals.wipe()
        else:
            found = Rehearsal.objects.filter(pk=int(which) if which.isdigit() else 0).first()
            if found is None:
                raise CommandError(f"No rehearsal {which} (--list shows them).")
            gone = rehearsals.wipe(found)
        self.stdout.write(f"{gone} rehearsal(s) wiped: their blogs, posts, races and results.")
