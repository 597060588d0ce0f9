"""Sending a delivery: only http(s), only to public addresses, no redirects, 5 s.

The host is resolved once and every address it resolves to must be public (unless
``DEBUG`` or ``NEWSROOM_WEBHOOK_ALLOW_PRIVATE``); the connection then goes to that
vetted address, so a DNS answer that changes between the check and the connection
cannot point a delivery at the newsroom's own network. ``http.client`` never follows
redirects: a 3xx is a failed attempt like any other non-2xx answer.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

from newsroom.outbound import is_public

MAX_URL_LENGTH = 500
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain")


@dataclass(frozen=True)
class Answer:
    status: int | None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def private_allowed() -> bool:
    return bool(settings.DEBUG or settings.NEWSROOM_WEBHOOK_ALLOW_PRIVATE)


def check_url(url: str) -> None:
    """Refuse what can never be a partner's endpoint (at registration; no DNS lookup)."""
    if len(url) > MAX_URL_LENGTH:
        raise ValidationError({"url": f"Keep the URL under {MAX_URL_LENGTH} characters."})
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a bad port)
    except ValueError:
        raise ValidationError({"url": "This is not a valid URL."}) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"url": "Webhooks need an http:// or https:// URL."})
    if parts.username or parts.password:
        raise ValidationError({"url": "Put no credentials in the URL: verify our signature."})
    if private_allowed():
        return
    host = parts.hostname.lower().rstrip(".")
    if host == "localhost" or host.endswith(_LOCAL_SUFFIXES):
        raise ValidationError({"url": "Webhooks must point at a public address."})
    try:
        literal = not is_public(host)
    except ValueError:
        return  # a host name: checked again, resolved, at every delivery
    if literal:
        raise ValidationError({"url": "Webhooks must point at a public address."})


def _resolve(host: str, port: int) -> str:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = [str(info[4][0]) for info in infos]  # IP addresses (str) for AF_INET(6)
    if not addresses:
        raise OSError(f"{host} does not resolve")
    if not private_allowed() and not all(is_public(a) for a in addresses):
        raise PermissionError(f"{host} resolves to a private address")
    return str(addresses[0])


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> Answer:
    """POST ``body`` to ``url``; never raises: failures come back as ``Answer.error``."""
    try:
        check_url(url)
        parts = urlsplit(url)
        https = parts.scheme == "https"
        port = parts.port or (443 if https else 80)
        host = parts.hostname or ""
        address = _resolve(host, port)
        kind = _PinnedHTTPS if https else _PinnedHTTP
        connection = kind(host, port, address, timeout)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read(4096)
            status = response.status
        finally:
            connection.close()
    except ValidationError as error:
        return Answer(None, "; ".join(error.messages))
    except PermissionError as error:
        return Answer(None, f"refused: {error}")
    except (OSError, http.client.HTTPException, ValueError) as error:
        return Answer(None, f"{type(error).__name__}: {error}"[:500])
    if 300 <= status < 400:
        return Answer(status, "redirects are not followed")
    return Answer(status, "" if 200 <= status < 300 else f"HTTP {status}")
