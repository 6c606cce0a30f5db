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

A receiver must not hold a delivery longer than the job's lease on it, nor fill memory:
each network step (connect, TLS handshake, each read and write) may take ``TIMEOUT``, the
whole POST no longer than ``TIME_LIMIT`` however the receiver trickles its answer, and of
the answer's body only the first ``ANSWER_CAP`` bytes are read (it only goes into an error
message).
"""

from __future__ import annotations

import base64
import json
import ssl
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from ipaddress import ip_address
from typing import Any

import httpcore
import httpx

from station.inbox.errors import WebhookRefused, WebhookUnreachable
from station.inbox.masked_urls import masked_url
from station.network import Resolver, is_public, system_resolve

TIMEOUT = 5.0  # seconds, for connecting and for each read or write
TIME_LIMIT = 10.0  # seconds for a whole POST, answer included; far inside the sending lease
ANSWER_CAP = 64 * 1024  # bytes of an answer's body read; the rest is never fetched
PRIVATE_HINT = "set STATION_INBOX_WEBHOOK_PRIVATE=1 to allow addresses inside your network"


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
    def request_url(self) -> httpcore.URL:
        """:attr:`target` as the connection pool takes it (the IP as host, path and query)."""
        return httpcore.URL(
            scheme=self.url.raw_scheme,
            host=self.address,
            port=self.url.port,
            target=self.url.raw_path,
        )

    @property
    def host_header(self) -> str:
        """The ``Host`` header the URL would have had: its IDNA host and any explicit port."""
        return self.url.netloc.decode("ascii")

    @property
    def authorization(self) -> str | None:
        """A Basic ``Authorization`` header for a URL carrying ``user:password@``, else None."""
        if not self.url.userinfo:
            return None
        pair = f"{self.url.username}:{self.url.password}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")

    @property
    def server_name(self) -> str | None:
        """The TLS server name for https to a named host (None for an IP literal or http)."""
        host = self.url.raw_host.decode("ascii")
        if self.url.scheme != "https" or _is_ip(host):
            return None
        return host


@dataclass(frozen=True, slots=True)
class WebhookAnswer:
    """What a receiver answered: its status and the start of its body (``ANSWER_CAP`` at most)."""

    status_code: int
    body: bytes = b""

    @property
    def is_success(self) -> bool:
        """Whether the receiver took the delivery (a 2xx; a redirect is not followed)."""
        return 200 <= self.status_code < 300

    def excerpt(self, length: int = 200) -> str:
        """The body's start as one line of printable text, for an error message."""
        text = self.body[: length * 4].decode("utf-8", "replace")
        return " ".join("".join(c if c.isprintable() else " " for c in text).split())[:length]


@dataclass(frozen=True, slots=True)
class WebhookClient:
    """Posts JSON to webhook URLs, each at the address checked for it.

    ``resolve`` looks a host up (tests give a fake one); ``verify`` is httpx's: True for
    the system's CAs, or an SSLContext. ``timeout`` bounds each network step,
    ``time_limit`` the whole POST.
    """

    allow_private: bool = False
    timeout: float = TIMEOUT
    time_limit: float = TIME_LIMIT
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
        except httpx.InvalidURL:
            raise WebhookRefused(
                f"the webhook address {masked_url(url)} cannot be read as a URL"
            ) from None
        if parsed.scheme not in ("http", "https") or not parsed.raw_host:
            raise WebhookRefused(
                f"a webhook needs an http:// or https:// address, not {masked_url(url)}"
            )
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
                if not is_public(text):
                    raise WebhookRefused(
                        f"the webhook {masked_url(url)} points at {text}, a private or local "
                        "address; " + PRIVATE_HINT
                    )
        return PinnedUrl(parsed, found[0])

    def post(
        self, url: str, body: Any, *, headers: Mapping[str, str] | None = None
    ) -> WebhookAnswer:
        """POST ``body`` as JSON to ``url`` at its checked address; the answer, whatever it is.

        Raises what :meth:`pin` raises, and WebhookUnreachable when no full answer comes
        (no connection, a TLS or protocol failure, a step or the whole POST out of time).
        """
        pinned = self.pin(url)
        shown = masked_url(url)
        clock = _Clock(time.monotonic() + self.time_limit)
        content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        extensions: dict[str, Any] = {
            "timeout": dict.fromkeys(("connect", "read", "write", "pool"), self.timeout)
        }
        if pinned.server_name:
            extensions["sni_hostname"] = pinned.server_name
        try:
            with (
                httpcore.ConnectionPool(
                    ssl_context=httpx.create_ssl_context(verify=self.verify, trust_env=False),
                    network_backend=_TimedBackend(clock),
                ) as pool,
                pool.stream(
                    "POST",
                    pinned.request_url,
                    headers=[
                        ("Host", pinned.host_header),
                        ("Content-Type", "application/json"),
                        ("Content-Length", str(len(content))),
                        *(
                            [("Authorization", pinned.authorization)]
                            if pinned.authorization
                            else []
                        ),
                        *(headers or {}).items(),
                    ],
                    content=content,
                    extensions=extensions,
                ) as response,
            ):
                return WebhookAnswer(response.status, _first_bytes(response.iter_stream()))
        except httpcore.TimeoutException as problem:
            if clock.remaining() <= 0:
                limit = f"{self.time_limit:g} second{'' if self.time_limit == 1 else 's'}"
                raise WebhookUnreachable(
                    f"the webhook {shown} gave no full answer within {limit}"
                ) from problem
            raise WebhookUnreachable(f"the webhook {shown} did not answer ({problem})") from problem
        except (httpcore.NetworkError, httpcore.ProtocolError) as problem:
            raise WebhookUnreachable(f"the webhook {shown} did not answer ({problem})") from problem


def _first_bytes(chunks: Iterable[bytes]) -> bytes:
    """Up to ``ANSWER_CAP`` bytes of a body; reading stops there (the connection is closed)."""
    kept = bytearray()
    for chunk in chunks:
        kept += chunk[: ANSWER_CAP - len(kept)]
        if len(kept) >= ANSWER_CAP:
            break
    return bytes(kept)


@dataclass(frozen=True, slots=True)
class _Clock:
    """The moment (``time.monotonic``) a POST's time is up."""

    ends: float

    def remaining(self) -> float:
        return self.ends - time.monotonic()

    def bound(self, timeout: float | None, late: type[httpcore.TimeoutException]) -> float:
        """A step's timeout cut to the time left; ``late`` raised when none is left."""
        left = self.remaining()
        if left <= 0:
            raise late("the time for the whole request is up")
        return left if timeout is None else min(timeout, left)


class _TimedStream(httpcore.NetworkStream):
    """A connection whose every read, write and handshake ends by the clock's time."""

    def __init__(self, stream: httpcore.NetworkStream, clock: _Clock) -> None:
        self._stream, self._clock = stream, clock

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._clock.bound(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._clock.bound(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        secured = self._stream.start_tls(
            ssl_context, server_hostname, self._clock.bound(timeout, httpcore.ConnectTimeout)
        )
        return _TimedStream(secured, self._clock)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _TimedBackend(httpcore.NetworkBackend):
    """The system's sockets, each connection living no longer than the clock allows."""

    def __init__(self, clock: _Clock) -> None:
        self._backend, self._clock = httpcore.SyncBackend(), clock

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(
            host,
            port,
            self._clock.bound(timeout, httpcore.ConnectTimeout),
            local_address,
            socket_options,
        )
        return _TimedStream(stream, self._clock)


def _is_ip(text: str) -> bool:
    try:
        ip_address(text)
    except ValueError:
        return False
    return True
