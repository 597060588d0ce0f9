"""The client's real address, trusting ``X-Forwarded-For`` only from our own proxies.

Behind nginx every request comes from 127.0.0.1; the client is in the header nginx adds.
A client can write that header too, so it is read only when the request came from an
address in ``NEWSROOM_TRUSTED_PROXIES``, and then from the right: the first address
that is not one of our proxies is the client (whatever it put further left). Used by
the login lockout (django-axes), the stream's per-client limits and the logs.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _trusted(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _is_trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in net for net in _trusted(tuple(settings.NEWSROOM_TRUSTED_PROXIES)))


def client_address(peer: str, forwarded_for: str = "") -> str:
    """The client's address given the connection's peer and its X-Forwarded-For."""
    if not _is_trusted(peer):
        return peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        if not _is_trusted(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # garbage where an address should be: trust nothing of it
    return peer


def client_ip(request: HttpRequest) -> str:
    """``AXES_CLIENT_IP_CALLABLE``: the client of a Django request."""
    meta = request.META
    return client_address(meta.get("REMOTE_ADDR", ""), meta.get("HTTP_X_FORWARDED_FOR", ""))
