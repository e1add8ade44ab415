"""Who is asking: the client's address, behind the reverse proxies the operator trusts.

A reverse proxy (nginx, Caddy) appends the address it saw to `X-Forwarded-For`. The header is believed
only when the direct peer is a trusted proxy, and only as far as a chain of trusted proxies reaches:
reading right to left, the first address that is not a trusted proxy is the client. Anything a client
writes into the header itself lies to the left of that and is never used.

The proxy also says in `X-Forwarded-Proto` whether the client's request came over https (it ends TLS
itself and speaks http to us): believed, too, only when the direct peer is a trusted proxy.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str) -> tuple[Network, ...]:
    """`127.0.0.1, 10.0.0.0/8, ::1` -> networks; raises ValueError naming the entry that is not one."""
    networks = []
    for entry in (part.strip() for part in text.split(",")):
        if entry:
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                raise ValueError(f"{entry!r} is not an IP address or network") from None
    return tuple(networks)


def _is_trusted(address: str, trusted: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


@functools.cache
def _networks(trusted: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(",".join(trusted))


def client_address(peer: str | None, forwarded_for: str | None, trusted_proxies: tuple[str, ...]) -> str:
    """The client's address: the peer's own, unless the peer is a trusted proxy (see the module)."""
    trusted = _networks(trusted_proxies)
    address = peer or "unknown"
    if not forwarded_for or not _is_trusted(address, trusted):
        return address
    for hop in reversed([part.strip() for part in forwarded_for.split(",") if part.strip()]):
        if not _is_trusted(hop, trusted):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return address  # a proxy would not write garbage: someone did; believe only the peer
        address = hop
    return address


FORWARDED_SCHEMES = frozenset({"http", "https"})


def request_scheme(scheme: str, peer: str | None, forwarded_proto: str | None, trusted_proxies: tuple[str, ...]) -> str:
    """The scheme of the client's own request: `scheme` (what reached us), unless the peer is a trusted
    proxy that said `X-Forwarded-Proto: http|https` (as uvicorn reads it: one value, nothing else)."""
    if forwarded_proto is None or not _is_trusted(peer or "", _networks(trusted_proxies)):
        return scheme
    said = forwarded_proto.strip().lower()
    return said if said in FORWARDED_SCHEMES else scheme
