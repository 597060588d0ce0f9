"""``manage.py import_results FILE [FILE …]``: results documents from disk, e.g. a saved feed.

Each file is imported on its own (see ``results.ingest``); the command exits non-zero if
anything in any file was refused, so a script or cron job notices.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from results.ingest import ImportReport, import_document


class Command(BaseCommand):
    help = (
        "Import results from AP Elections API v2 JSON or the newsroom's JSON/CSV format "
        "(docs/results-ingest.md). Safe to repeat: stored snapshots are skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument(
            "--allow-test",
            action="store_true",
            help='Import AP races flagged "test": true (rehearsals only).',
        )

    def handle(self, *args: Any, **options: Any) -> None:
        refused = 0
        for name in options["files"]:
            path = Path(name)
            try:
                data = path.read_bytes()
            except OSError as exc:
                report = ImportReport(errors=[f"cannot read the file: {exc.strerror}"])
            else:
                try:
                    report = import_document(
                        data, filename=path.name, allow_test=options["allow_test"]
                    )
                except Exception as exc:  # never stop the batch: the next files still import
                    report = ImportReport(errors=[f"could not be imported: {exc!r}"[:300]])
            self._show(name, report)
            refused += not report.ok
        if refused:
            raise CommandError(f"{refused} of {len(options['files'])} files had data refused.")

    def _show(self, name: str, report: ImportReport) -> None:
        style = self.style.SUCCESS if report.ok else self.style.WARNING
        self.stdout.write(style(f"{name}: {report.summary()}"))
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(f"  note: {warning}"))
        for error in report.errors:
            self.stderr.write(f"{name}: refused: {error}")
