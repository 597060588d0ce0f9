"""Results documents in, snapshots out: AP Elections API v2 JSON and the newsroom's format.

``import_document`` is the one entry point (the ``import_results`` command and the feed
poller both use it). It recognises the format, checks the document, and records what
passes through ``results.services.snapshot_record``, so imports obey the same rules as
the admin: idempotent per ``(source, source_seq)``, older snapshots kept as history.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from .ap import import_ap
from .report import ImportReport
from .simple import CSV_REQUIRED, import_csv, import_json

if TYPE_CHECKING:
    from django.contrib.auth.models import User

__all__ = ["ImportReport", "import_document"]

# A full national AP document (every state and county) is a few megabytes.
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024


def import_document(
    data: bytes | str,
    *,
    filename: str = "",
    by: User | None = None,
    allow_test: bool = False,
) -> ImportReport:
    """Import one document and report what was recorded and what was refused.

    AP JSON has a top-level ``races`` list; the newsroom's JSON has ``race`` and
    ``candidates`` (or is a list of such objects); CSV is recognised by a ``.csv`` name or
    by its header. Data errors are in ``report.errors``, never raised: a poller must keep
    running. ``allow_test`` lets AP test-mode races through (for rehearsals).
    """
    if len(data) > MAX_DOCUMENT_BYTES:
        return _refused(
            f"document: {len(data):,} bytes, more than the {MAX_DOCUMENT_BYTES:,} a results "
            "document may have"
        )
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            return _refused(f"document: not UTF-8 text (byte {exc.start})")
    data = data.removeprefix("\ufeff")
    # The first character that is not space, without copying a 50 MB document to find it.
    lead = data[:4096]
    start = len(lead) - len(lead.lstrip())
    head = data[start : start + 4096]
    is_json = head.startswith(("{", "["))  # a CSV header never starts so
    if filename.lower().endswith(".csv") or (not is_json and _looks_like_csv(head)):
        return import_csv(data, by=by)
    if not is_json:
        return _refused(
            "document: neither JSON nor CSV with the newsroom header "
            f"(starting {','.join(CSV_REQUIRED)}…)"
        )
    try:
        doc = json.loads(data)
        del data  # the text is not needed once parsed (the importers free what they plan)
    except json.JSONDecodeError as exc:
        return _refused(
            f"document: not valid JSON (line {exc.lineno} column {exc.colno}: {exc.msg})"
        )
    except RecursionError:
        return _refused("document: nested too deeply to be a results document")
    except ValueError as exc:  # e.g. a number of more than 4,300 digits
        return _refused(f"document: a value cannot be read ({exc})")
    try:
        if isinstance(doc, list) or (
            isinstance(doc, dict) and ("race" in doc or "candidates" in doc)
        ):
            return import_json(doc, by=by)
        return import_ap(doc, by=by, allow_test=allow_test)
    except RecursionError:
        return _refused("document: nested too deeply to be a results document")


def _looks_like_csv(text: str) -> bool:
    header = text.split("\n", 1)[0].lower()
    cells = {cell.strip().strip('"') for cell in header.split(",")}
    return "race" in cells and "candidate" in cells


def _refused(message: str) -> ImportReport:
    return ImportReport(errors=[message])
