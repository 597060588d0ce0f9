"""``If-Match`` for writes to a post: the version the writer last saw, as its ETag."""

from __future__ import annotations

import re

from rest_framework.request import Request

from .errors import InvalidPrecondition, PreconditionRequired

_VERSION_TAG = re.compile(r'\s*"v([1-9][0-9]{0,9})"\s*')


def post_etag(version: int) -> str:
    """A post's ETag is its version: ``"v3"``. Send it back as ``If-Match`` to write."""
    return f'"v{version}"'


def expected_version(request: Request) -> int:
    """The version named by ``If-Match``: 428 without it, 400 if it is not a post ETag."""
    header = request.headers.get("If-Match")
    if header is None or not header.strip():
        raise PreconditionRequired()
    match = _VERSION_TAG.fullmatch(header)
    if match is None:
        raise InvalidPrecondition(details={"if_match": header[:100]})
    return int(match.group(1))
