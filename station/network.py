"""Which network addresses are public: the one check for URLs a manager types.

A URL typed in Settings (a rule's webhook, the Cin7 base URL) is called with the
server's reach, so it must not become a way into Station's own host or network (its
admin pages, the database host, a cloud metadata URL). Every address a host name
resolves to is checked with ``is_public``.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Sequence
from ipaddress import IPv4Address, IPv6Address, IPv6Network, ip_address

Resolver = Callable[[str, int], Sequence[str]]

# IPv6 prefixes that carry an IPv4 address in their last 32 bits (besides ::ffff:0:0/96 and
# 6to4's 2002::/16, which ``ipaddress`` unpacks): judged by the IPv4 address they carry.
NAT64 = IPv6Network("64:ff9b::/96")  # a DNS64 network's way to public IPv4 hosts
# Never public, whatever they carry: local-use NAT64 (RFC 8215), IPv4-compatible addresses
# (deprecated, RFC 4291) and site-local ones (deprecated, RFC 3879), which Python 3.11
# still counts as global.
NEVER_PUBLIC = (
    IPv6Network("64:ff9b:1::/48"),
    IPv6Network("::/96"),
    IPv6Network("fec0::/10"),
)


def system_resolve(host: str, port: int) -> list[str]:
    """The addresses the system's resolver gives ``host``, in its order, each once."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def is_public(text: str) -> bool:
    """Whether an address is on the public internet (an IPv4 inside IPv6 is judged as IPv4)."""
    address: IPv4Address | IPv6Address = ip_address(text.split("%")[0])
    if isinstance(address, IPv6Address):
        if any(address in prefix for prefix in NEVER_PUBLIC):
            return False
        carried = _carried_ipv4(address)
        if carried is not None:
            return carried.is_global
    return address.is_global


def _carried_ipv4(address: IPv6Address) -> IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, 6to4, NAT64), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in NAT64:
        return IPv4Address(int(address) & 0xFFFF_FFFF)
    return None
