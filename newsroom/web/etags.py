"""The project's one ETag scheme: a short strong hash of what a response depends on.

Free of DRF, so models and plain Django views use it too (a blog's position, the poll
endpoint, the API's blog-scoped reads).
"""

from __future__ import annotations

import hashlib

API_VERSION = "v1"


def make_etag(*parts: object) -> str:
    """A strong ETag from the parts it depends on (the API version is always one)."""
    digest = hashlib.blake2b(
        "\x1f".join(str(part) for part in (API_VERSION, *parts)).encode(), digest_size=12
    )
    return f'"{digest.hexdigest()}"'


def body_etag(content: bytes) -> str:
    return make_etag(hashlib.sha256(content).hexdigest())
