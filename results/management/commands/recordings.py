"""``manage.py recordings``: what the results poller kept on record, per feed and election
(how many documents, from when to when, how much is stored); ``--export DIR`` writes one
election's documents to disk as they came, named by their arrival time, for a rehearsal
elsewhere (``--election 2024-11-05``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count, Max, Min, Sum
from django.db.models.functions import Coalesce, Length

from results.models import WireDocument
from results.recording import body_of, keep_days


class Command(BaseCommand):
    help = "List the results documents kept on record (NEWSROOM_RESULTS_RECORD_DAYS)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--election", help="Only this election day (YYYY-MM-DD).")
        parser.add_argument(
            "--export", metavar="DIR", help="Write the documents to DIR, named by when they came."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        documents = WireDocument.objects.all()
        if options["election"]:
            documents = documents.filter(election_date=options["election"])
        if options["export"]:
            self._export(documents, Path(options["export"]))
            return
        rows = (
            documents.values("source", "election_date")
            .annotate(
                n=Count("pk"),
                first=Min("received_at"),
                last=Max("received_at"),
                stored=Sum(Coalesce(Length("body"), 0)),
                received=Sum("size"),
            )
            .order_by("election_date", "source")
        )
        if not rows:
            days = keep_days()
            self.stdout.write("Nothing on record." + ("" if days else
                              " Recording is off (NEWSROOM_RESULTS_RECORD_DAYS=0)."))  # fmt: skip
            return
        for row in rows:
            self.stdout.write(
                f"{row['election_date'] or 'no election date'}  {row['source']}\n"
                f"    {row['n']} document{'s' if row['n'] != 1 else ''}, "
                f"{row['first']:%Y-%m-%d %H:%M:%S} to {row['last']:%Y-%m-%d %H:%M:%S} UTC; "
                f"{_size(row['received'])} received, {_size(row['stored'])} stored"
            )

    def _export(self, documents: Any, folder: Path) -> None:
        if not documents.exists():
            raise CommandError("Nothing on record to export (choose --election?).")
        folder.mkdir(parents=True, exist_ok=True)
        count = 0
        for document in documents.order_by("received_at", "id").iterator():
            name = f"{document.received_at:%Y%m%dT%H%M%S.%f}Z-{document.pk}.json"
            (folder / name).write_bytes(body_of(document))
            count += 1
        self.stdout.write(f"{count} document{'s' if count != 1 else ''} written to {folder}.")


def _size(n: int | None) -> str:
    n = n or 0
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return f"{n} bytes"
