"""``Idempotency-Key`` for POSTs: a retried request replays the first answer.

The first *successful* (2xx) response to a key is stored with a fingerprint of the
request (method, path, body) in the same transaction as the write itself, so either
both happen or neither does. The same caller sending the same key again gets that
response back (status, body, ``Location``, ``ETag``) with ``Idempotent-Replayed: true``;
the same key with a different request is refused (422 ``idempotency_key_reused``).
Errors are not stored: nothing was written, so a retry simply runs again. Keys are per
caller (two partners may use the same string) and kept for
``NEWSROOM_API_IDEMPOTENCY_TTL`` seconds (24 hours).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseBase
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from .callers import caller_id
from .errors import IdempotencyKeyReused, InvalidIdempotencyKey
from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEPT_HEADERS = ("Location", "ETag")
_VALID_KEY = re.compile(r"[\x21-\x7e]{1,255}")


class _LostRace(Exception):
    """Another request with the same key committed first."""


def _file_digest(upload: UploadedFile[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def fingerprint(request: Request) -> str:
    """What makes two requests "the same": method, path and body (files by content)."""
    if hasattr(request.data, "lists"):
        body: Any = sorted(
            (name, [str(v) for v in values])
            for name, values in request.data.lists()
            if name not in request.FILES
        )
        files = sorted(
            (name, upload.name or "", _file_digest(upload))
            for name, uploads in request.FILES.lists()
            for upload in uploads
        )
        body = {"form": body, "files": files}
    else:
        body = request.data
    canonical = json.dumps(
        [request.method, request.path, body], sort_keys=True, default=str, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(record.body, status=record.status_code)
    for name, value in record.headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def _stored(record: IdempotencyRecord, print_: str) -> HttpResponse:
    if record.fingerprint != print_:
        raise IdempotencyKeyReused(details={"idempotency_key": record.key})
    return _replay(record)


def idempotent(request: Request, handle: Callable[[], HttpResponseBase]) -> HttpResponseBase:
    """Run ``handle`` (the write) at most once per caller and ``Idempotency-Key``."""
    key = request.headers.get(HEADER)
    if key is None:
        return handle()
    if not _VALID_KEY.fullmatch(key):
        raise InvalidIdempotencyKey()
    caller = caller_id(request) or "anonymous"
    print_ = fingerprint(request)
    cutoff = timezone.now() - timedelta(seconds=settings.NEWSROOM_API_IDEMPOTENCY_TTL)
    IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    existing = IdempotencyRecord.objects.filter(caller=caller, key=key).first()
    if existing is not None:
        return _stored(existing, print_)
    try:
        with transaction.atomic():
            response = handle()
            if 200 <= response.status_code < 300:
                _remember(response, caller=caller, key=key, fingerprint=print_)
    except _LostRace:
        return _stored(IdempotencyRecord.objects.get(caller=caller, key=key), print_)
    return response


def _remember(response: HttpResponseBase, *, caller: str, key: str, fingerprint: str) -> None:
    if isinstance(response, Response):
        body = JSONRenderer().render(response.data).decode()
        headers = {"Content-Type": "application/json"}
    else:
        body = response.content.decode()  # type: ignore[attr-defined]
        headers = {"Content-Type": response["Content-Type"]}
    headers |= {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
    try:
        with transaction.atomic():
            IdempotencyRecord.objects.create(
                caller=caller,
                key=key,
                fingerprint=fingerprint,
                status_code=response.status_code,
                body=body,
                headers=headers,
            )
    except IntegrityError:
        raise _LostRace() from None
