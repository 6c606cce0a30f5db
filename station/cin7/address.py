"""Which Cin7 base URLs Station will call: https to public hosts, unless an admin allows more."""

from __future__ import annotations

from ipaddress import ip_address
from urllib.parse import urlsplit

from station.network import Resolver, is_public, system_resolve

PRIVATE_HINT = (
    "an admin can allow that with STATION_CIN7_PRIVATE=1 (for the sandbox or a proxy on "
    "this machine)"
)


def base_url_problem(
    base_url: str, *, allow_private: bool, resolve: Resolver = system_resolve
) -> str | None:
    """Why Station will not call ``base_url``, or None when it may.

    The URL is typed in Settings but called with the server's reach, so unless
    ``allow_private`` it must be https to a host with only public addresses: it may not
    probe this machine or its network. Plain http is only ever for this machine, and
    only when allowed. A host that cannot be looked up now is not refused here: the
    call fails on its own, and is checked again before each use.
    """
    parts = urlsplit(base_url)
    if not parts.netloc or parts.scheme not in ("https", "http"):
        return "the base URL must start with https:// (for example https://api.cin7.com/api)"
    if parts.scheme == "http" and not (allow_private and is_loopback(parts.hostname)):
        return (
            "the base URL must start with https:// (for example https://api.cin7.com/api); "
            "plain http:// is only for this machine, and " + PRIVATE_HINT
        )
    if allow_private:
        return None
    try:
        port = parts.port or 443
        found = resolve(parts.hostname or "", port)
    except (OSError, UnicodeError, ValueError):
        return None
    for address in found:
        if not is_public(address):
            return f"the base URL points at {address}, a private or local address; " + PRIVATE_HINT
    return None


def is_loopback(host: str | None) -> bool:
    """True for this machine (the only place plain http is allowed: the sandbox, a proxy)."""
    if host == "localhost":
        return True
    try:
        return ip_address(host or "").is_loopback
    except ValueError:
        return False
