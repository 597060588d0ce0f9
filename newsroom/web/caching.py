"""ETags, 304s and Cache-Control for API reads.

Reads need a key, so no shared cache may keep them: every read is ``private,
no-cache``: a client (or its private cache) keeps the body and revalidates each
time with ``If-None-Match``; an unchanged resource costs a 304 and no body. Blog-scoped
reads derive their ETag from the blog's change-log position, so a 304 costs one query
and no rendering; other reads hash what they would send.
"""

from __future__ import annotations

import re

from django.http import HttpResponse, HttpResponseBase
from django.utils.cache import patch_vary_headers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from .etags import body_etag

CACHE_CONTROL = "private, no-cache"
_TAG = re.compile(r'\s*(?:W/)?("[^"]*")\s*(?:,|$)')


def query_key(request: Request) -> str:
    """The query string in a canonical order, so ``?a=1&b=2`` and ``?b=2&a=1`` agree."""
    return "&".join(
        f"{name}={value}"
        for name, values in sorted(request.query_params.lists())
        for value in sorted(values)
    )


def if_none_match(request: Request, etag: str) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (weak comparison, as RFC 9110 asks)."""
    header = request.headers.get("If-None-Match", "")
    if not header:
        return False
    if header.strip() == "*":
        return True
    return etag in _TAG.findall(header)


def with_cache_headers(response: HttpResponseBase, etag: str | None = None) -> HttpResponseBase:
    if etag is not None:
        response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
    patch_vary_headers(response, ("Authorization", "Cookie"))
    return response


def not_modified(etag: str) -> Response:
    return with_cache_headers(Response(status=304), etag)  # type: ignore[return-value]


def hashed_response(request: Request, data: object) -> HttpResponseBase:
    """A read whose ETag is the hash of its body: 304 when the client holds the same."""
    content = JSONRenderer().render(data)
    etag = body_etag(content)
    if if_none_match(request, etag):
        return not_modified(etag)
    return with_cache_headers(HttpResponse(content, content_type="application/json"), etag)
