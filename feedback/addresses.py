"""Client addresses: the networks named in settings, whether an address is in one, and what rate
limits count a client by."""

from __future__ import annotations

import ipaddress

from flask_limiter.util import get_remote_address

#: An IPv6 subscriber (a phone, a home) is given a whole /64 and may take any address in it.
IPV6_CLIENT_PREFIX = 64


def networks(value: str, *, name: str) -> tuple:
    """Addresses or CIDR blocks separated by commas or spaces, as ``ipaddress`` networks.

    A typo must stop the app at start, naming the variable, rather than leave a hall limited as
    strangers are all day.
    """
    try:
        return tuple(ipaddress.ip_network(part, strict=False) for part in value.replace(",", " ").split())
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None


def _parsed(address: str | None):
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return None
    # A dual-stack socket reports an IPv4 client as ::ffff:a.b.c.d.
    return getattr(ip, "ipv4_mapped", None) or ip


def in_networks(address: str | None, networks) -> bool:
    """Whether the client ``address`` lies in one of ``networks`` (as ``networks()`` returns them)."""
    ip = _parsed(address)
    return ip is not None and any(ip in network for network in networks)


def client_key(address: str | None) -> str:
    """What a rate limit counts ``address`` as: an IPv4 address itself, an IPv6 one by its /64, so
    that stepping to the next address of one's own network does not start a fresh count."""
    ip = _parsed(address)
    if ip is None:
        return address or ""
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/{IPV6_CLIENT_PREFIX}", strict=False))
    return str(ip)


def request_client_key() -> str:
    """``client_key`` of the current request's client (after ProxyFix, the address the proxy saw)."""
    return client_key(get_remote_address())
