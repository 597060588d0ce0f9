"""Fetching from the internet on a reporter's behalf, without being turned against us.

A pasted link makes the server call out (an oEmbed endpoint, then a thumbnail whose
address the provider chose), so every request here is bounded and pointed only where it
may go:

- ``https`` only, except to an address in ``NEWSROOM_OUTBOUND_TRUSTED_NETWORKS`` (empty
  by default; the tests' fake providers on loopback, or a newsroom's own proxy);
- the host is resolved once and the connection made to that address (so a DNS answer
  that changes between the check and the connection cannot reach inside); an address
  that is not global (private, loopback, link-local such as a cloud's metadata service,
  reserved, multicast) is refused unless trusted;
- at most ``max_redirects`` redirects, each target checked the same way;
- one deadline for the whole fetch (connect, every redirect, every byte: a server that
  drips one byte a second still ends on time) and a cap on the bytes read.

A toolkit module: it imports no app.
"""

from __future__ import annotations

import concurrent.futures
import ipaddress
import socket
import time
from dataclasses import dataclass
from functools import cache
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings

USER_AGENT = "Newsroom/1.0 (live blog; oEmbed)"
REDIRECTS = {301, 302, 303, 307, 308}
CHUNK = 16_384
_resolver = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="resolve")


class FetchError(Exception):
    """Why a fetch failed, in words for the newsroom."""


class Refused(FetchError):
    """The fetch was not attempted: the address or link is not one we call (the link's
    fault, not the server's: no breaker counts it)."""


@dataclass(frozen=True)
class Fetched:
    url: str  # where the answer came from, after redirects
    status: int
    content_type: str
    body: bytes


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _trusted(networks: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(n, strict=False) for n in networks)


def trusted_networks() -> tuple[Network, ...]:
    return _trusted(tuple(getattr(settings, "NEWSROOM_OUTBOUND_TRUSTED_NETWORKS", ())))


def _is_trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return any(address in network for network in trusted_networks())


def is_public(address: str) -> bool:
    """Whether an IP address is one the internet routes to anyone (not private, loopback,
    link-local, reserved, multicast or unspecified; an IPv4-mapped IPv6 address is judged
    as its IPv4 address). Every call out on someone's behalf asks this: webhooks, embeds."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_unspecified or ip.is_reserved)


def _address(host: str, port: int, timeout: float) -> tuple[str, bool]:
    """The one address to connect to, and whether it is trusted; refuses a host any of
    whose addresses is not global (a name that resolves both ways is not trusted)."""
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
        found = [literal]
    except ValueError:
        # The resolver ignores socket timeouts: it is asked in a thread, and waited for
        # only as long as the deadline allows (a hung DNS costs the deadline, no more).
        lookup = _resolver.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
        try:
            infos = lookup.result(timeout=timeout)
        except concurrent.futures.TimeoutError:
            raise FetchError(f"{host} could not be found in time.") from None
        except (OSError, UnicodeError) as error:
            raise FetchError(f"{host} could not be found ({error}).") from None
        found = [ipaddress.ip_address(info[4][0]) for info in infos]
    if not found:
        raise FetchError(f"{host} could not be found.")
    if all(_is_trusted(a) for a in found):
        return str(found[0]), True
    for address in found:
        if not is_public(str(address)) or _is_trusted(address):
            raise Refused(f"{host} points inside a private network ({address}): refused.")
    return str(found[0]), False


def get(url: str, *, max_bytes: int, timeout: float, accept: str = "*/*",
        max_redirects: int = 3) -> Fetched:  # fmt: skip
    """GET ``url`` within ``timeout`` seconds in all, reading at most ``max_bytes``.

    Raises ``FetchError`` with a message for people (not for the log only) on a refused
    address, a timeout, a refused connection, too many redirects or too many bytes; any
    HTTP status is returned as it came (the caller judges it).
    """
    deadline = time.monotonic() + timeout
    for _ in range(max_redirects + 1):
        response = _one(url, deadline, accept)
        try:
            if response.status in REDIRECTS:
                target = response.headers.get("Location", "")
                if not target:
                    raise FetchError(f"{_host(url)} answered a redirect without a target.")
                url = urljoin(url, target)
                continue
            body = _read(response, url, max_bytes, deadline)
            kind = response.headers.get("Content-Type", "")
            return Fetched(url=url, status=response.status, content_type=kind, body=body)
        finally:
            response.release_conn()
    raise FetchError(f"{_host(url)} redirected more than {max_redirects} times.")


def _host(url: str) -> str:
    return urlsplit(url).hostname or url[:60]


def _left(deadline: float, url: str) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError(f"{_host(url)} did not answer in time.")
    return left


def _one(url: str, deadline: float, accept: str) -> urllib3.BaseHTTPResponse:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in {"https", "http"} or not host:
        raise Refused(f"Only https links can be fetched (got {url[:80]!r}).")
    if parts.username or parts.password:
        raise Refused("Links with a user name or password are not fetched.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise FetchError(f"{url[:80]!r} has no valid port.") from None
    address, trusted = _address(host, port, _left(deadline, url))
    if parts.scheme == "http" and not trusted:
        raise Refused(f"Only https links can be fetched (got {url[:80]!r}).")
    left = _left(deadline, url)
    timeout = urllib3.Timeout(connect=left, read=left)
    pool: urllib3.HTTPConnectionPool
    if parts.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address, port, timeout=timeout, retries=False, maxsize=1,
            server_hostname=host, assert_hostname=host,
        )  # fmt: skip
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False,
                                          maxsize=1)  # fmt: skip
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    try:
        return pool.urlopen(
            "GET", path, redirect=False, retries=False, preload_content=False,
            headers={"Host": netloc, "Accept": accept, "User-Agent": USER_AGENT},
        )  # fmt: skip
    except urllib3.exceptions.TimeoutError:
        raise FetchError(f"{host} did not answer in time.") from None
    except urllib3.exceptions.HTTPError as error:
        raise FetchError(f"{host} could not be reached ({type(error).__name__}).") from None


def _read(response: urllib3.BaseHTTPResponse, url: str, max_bytes: int,
          deadline: float) -> bytes:  # fmt: skip
    length = response.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > max_bytes:
        raise FetchError(f"{_host(url)} sent more than {max_bytes // 1024} KB: refused.")
    body = bytearray()
    try:
        while True:
            _left(deadline, url)
            chunk = response.read1(CHUNK)
            if not chunk:
                return bytes(body)
            body += chunk
            if len(body) > max_bytes:
                raise FetchError(f"{_host(url)} sent more than {max_bytes // 1024} KB: refused.")
    except urllib3.exceptions.TimeoutError:
        raise FetchError(f"{_host(url)} did not answer in time.") from None
    except urllib3.exceptions.HTTPError as error:
        raise FetchError(f"{_host(url)} broke off ({type(error).__name__}).") from None
