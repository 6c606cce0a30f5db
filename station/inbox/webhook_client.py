"""Posting to a rule's webhook at the one address that was checked.

A webhook URL is typed by a manager but called with the server's reach, so it must not
become a way into Station's own host or network (its admin pages, the database host, a
cloud metadata URL). Checking the host's addresses and then letting the HTTP client look
the name up again would leave a window: a DNS server that answers a public address to
the check and a private one to the connect (DNS rebinding) gets through. So the host is
resolved once, every address it answers is checked, and the request goes to the first of
them by IP, with the ``Host`` header and, for https, the TLS server name (SNI and the
certificate check) still the name in the URL. Nothing else resolves the name again:
redirects are not followed, and proxy settings from the environment are not used.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv6Address, IPv6Network, ip_address
from typing import Any

import httpx

from station.inbox.errors import WebhookRefused, WebhookUnreachable

TIMEOUT = 5.0  # seconds, for connecting and for each read
PRIVATE_HINT = "set STATION_INBOX_WEBHOOK_PRIVATE=1 to allow addresses inside your network"

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


@dataclass(frozen=True, slots=True)
class PinnedUrl:
    """A webhook URL and the checked address its request goes to."""

    url: httpx.URL
    address: str

    @property
    def target(self) -> httpx.URL:
        """The URL with the address in place of the host name (the port and path kept)."""
        return self.url.copy_with(host=self.address)

    @property
    def host_header(self) -> str:
        """The ``Host`` header the URL would have had: its IDNA host and any explicit port."""
        return self.url.netloc.decode("ascii")

    @property
    def server_name(self) -> str | None:
        """The TLS server name for https to a named host (None for an IP literal or http)."""
        host = self.url.raw_host.decode("ascii")
        if self.url.scheme != "https" or _is_ip(host):
            return None
        return host


@dataclass(frozen=True, slots=True)
class WebhookClient:
    """Posts JSON to webhook URLs, each at the address checked for it.

    ``resolve`` looks a host up (tests give a fake one); ``verify`` is httpx's: True for
    the system's CAs, or an SSLContext.
    """

    allow_private: bool = False
    timeout: float = TIMEOUT
    resolve: Resolver = system_resolve
    verify: ssl.SSLContext | bool = field(default=True, repr=False)

    def pin(self, url: str) -> PinnedUrl:
        """Resolve ``url``'s host once and check every address it has.

        Raises WebhookRefused for a URL that is not http(s) or a host with an address on
        this machine or a private network (unless ``allow_private``), WebhookUnreachable
        when the host cannot be looked up.
        """
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL as problem:
            raise WebhookRefused(f"the webhook address {url!r} is not a URL ({problem})") from None
        if parsed.scheme not in ("http", "https") or not parsed.raw_host:
            raise WebhookRefused(f"a webhook needs an http:// or https:// address, not {url!r}")
        host = parsed.raw_host.decode("ascii")
        try:
            found = list(
                self.resolve(host, parsed.port or (443 if parsed.scheme == "https" else 80))
            )
        except (OSError, UnicodeError) as problem:
            raise WebhookUnreachable(
                f"the webhook host {host!r} cannot be found ({problem})"
            ) from problem
        if not found:
            raise WebhookUnreachable(f"the webhook host {host!r} has no address")
        if not self.allow_private:
            for text in found:
                if not _public(text):
                    raise WebhookRefused(
                        f"the webhook {url} points at {text}, a private or local address; "
                        + PRIVATE_HINT
                    )
        return PinnedUrl(parsed, found[0])

    def post(
        self, url: str, body: Any, *, headers: Mapping[str, str] | None = None
    ) -> httpx.Response:
        """POST ``body`` as JSON to ``url`` at its checked address; the answer, whatever it is.

        Raises what :meth:`pin` raises, and httpx.HTTPError when the request gets no answer.
        """
        pinned = self.pin(url)
        extensions = {"sni_hostname": pinned.server_name} if pinned.server_name else {}
        with httpx.Client(
            timeout=self.timeout, verify=self.verify, follow_redirects=False, trust_env=False
        ) as client:
            return client.post(
                pinned.target,
                json=body,
                headers={**(headers or {}), "Host": pinned.host_header},
                extensions=extensions,
            )


def _is_ip(text: str) -> bool:
    try:
        ip_address(text)
    except ValueError:
        return False
    return True


def _public(text: str) -> bool:
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
