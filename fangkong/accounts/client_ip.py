"""The address a request really came from, for django-axes' lock-outs (``AXES_CLIENT_IP_CALLABLE``).

Behind the reverse proxy of docs/deploy.md every request arrives from the proxy's own
address: locking on ``REMOTE_ADDR`` would let any client lock a user out for everyone. The
proxy appends the address it saw to ``X-Forwarded-For``; anything further left was written by
the client and proves nothing. So the header is read only when the request comes from a
trusted proxy (``FANGKONG_TRUSTED_PROXIES``), and from the right: each trusted hop's entry
names who talked to it, and the first address that is not a trusted proxy is the client's
(nginx's ``real_ip_recursive``). With no trusted proxy configured, ``REMOTE_ADDR`` is used.

Not django-ipware (which axes would use if installed): its trusted-proxy test looks for the
proxies' addresses inside the header rather than at the address the request came from, and
nginx's ``$proxy_add_x_forwarded_for`` does not put its own address there.
"""

from __future__ import annotations

import functools
import ipaddress

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@functools.cache
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _address(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    # An IPv4 client seen over IPv6 (::ffff:192.0.2.1) is that IPv4 client.
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def client_ip(request: HttpRequest) -> str | None:
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    trusted = _networks(tuple(settings.TRUSTED_PROXIES))
    if remote is None:
        return request.META.get("REMOTE_ADDR") or None

    def is_trusted(address: Address) -> bool:
        return any(address in network for network in trusted)

    if not is_trusted(remote):
        return str(remote)
    client = remote
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            # A trusted proxy writes only addresses: anything else came from further left,
            # which no one vouches for. The last address vouched for stands.
            break
        client = address
        if not is_trusted(address):
            break
    return str(client)
