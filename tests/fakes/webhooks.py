"""A webhook receiver on a loopback port: it keeps what it was sent and answers as told.

With a server ``ssl.SSLContext`` it speaks https and notes the TLS server name (SNI) each
client asked for. :func:`issue_certificate` makes a throwaway CA and a certificate for a
host name, so a test can check that a client verifies the name it meant, not an address.

:func:`answering_raw` is a receiver that misbehaves on the wire: after reading the request
it writes what it is told, as it is told (:func:`whole` at once, :func:`trickle` a byte
at a time, :func:`flood` an endless body).
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import socketserver
import ssl
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.fakes.http import running


@dataclass(frozen=True)
class Received:
    """One request the receiver took."""

    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class WebhookReceiver:
    """What was sent to the receiver, and the statuses it answers in turn (then 204)."""

    port: int = 0
    answers: list[int] = field(default_factory=list)
    location: str | None = None  # sent as the Location header of every answer
    received: list[Received] = field(default_factory=list)
    server_names: list[str | None] = field(default_factory=list)  # SNI per TLS handshake

    def url(self, path: str = "/hook", *, host: str = "127.0.0.1", scheme: str = "http") -> str:
        """An address of the receiver under ``host`` (a name a fake resolver answers, or an IP)."""
        return f"{scheme}://{host}:{self.port}{path}"

    def next_answer(self) -> int:
        return self.answers.pop(0) if self.answers else 204


@contextmanager
def receiving(
    answers: Sequence[int] = (), *, tls: ssl.SSLContext | None = None
) -> Iterator[WebhookReceiver]:
    """Run a receiver on 127.0.0.1 until the block ends."""
    receiver = WebhookReceiver(answers=list(answers))
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                receiver.received.append(
                    Received(self.path, dict(self.headers.items()), json.loads(body or b"null"))
                )
                status = receiver.next_answer()
            self.send_response(status)
            if receiver.location is not None:
                self.send_header("Location", receiver.location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if tls is not None:
        tls.sni_callback = lambda _sock, name, _ctx: receiver.server_names.append(name)
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    receiver.port = server.server_port
    with running(server):
        yield receiver


Answer = Callable[[socket.socket, threading.Event], int]  # writes an answer, returns bytes sent


@dataclass
class RawReceiver:
    """A loopback listener writing one answer per request; counts the bytes it wrote."""

    port: int = 0
    requests: int = 0
    sent: list[int] = field(default_factory=list)  # bytes written, per finished answer

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@contextmanager
def answering_raw(answer: Answer) -> Iterator[RawReceiver]:
    """A receiver that reads each request (head and body) and then runs ``answer`` on it."""
    receiver = RawReceiver()
    stopped = threading.Event()

    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            length = 0
            while (line := self.rfile.readline(65537)) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            self.rfile.read(length)
            receiver.requests += 1
            receiver.sent.append(answer(self.connection, stopped))

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)  # closing joins answers
    receiver.port = server.server_address[1]
    with running(server):
        try:
            yield receiver
        finally:
            stopped.set()  # ends answers still writing, before the server shuts down


def whole(data: bytes) -> Answer:
    """``data`` written at once."""

    def write(connection: socket.socket, stopped: threading.Event) -> int:
        connection.sendall(data)
        return len(data)

    return write


def trickle(data: bytes, *, every: float, head: bytes = b"") -> Answer:
    """``head`` at once, then ``data`` one byte every ``every`` seconds (until the client hangs up)."""

    def write(connection: socket.socket, stopped: threading.Event) -> int:
        connection.sendall(head)
        sent = len(head)
        for byte in data:
            if stopped.wait(every):
                break
            try:
                connection.sendall(bytes([byte]))
            except OSError:  # the client hung up: what a slow answer should come to
                break
            sent += 1
        return sent

    return write


def flood(head: bytes, *, fill: bytes = b"x", most: int = 256 * 1024 * 1024) -> Answer:
    """``head``, then a body of ``fill`` as fast as the client reads, ``most`` bytes at most."""

    def write(connection: socket.socket, stopped: threading.Event) -> int:
        connection.sendall(head)
        sent, chunk = len(head), fill * (64 * 1024 // len(fill))
        while sent < most and not stopped.is_set():
            try:
                connection.sendall(chunk)
            except OSError:  # the client hung up after reading what it wanted
                break
            sent += len(chunk)
        return sent

    return write


@dataclass(frozen=True)
class Certificates:
    """A server context holding a certificate for one name, and a client context trusting it."""

    server: ssl.SSLContext
    client: ssl.SSLContext


def issue_certificate(folder: Path, name: str) -> Certificates:
    """A new CA and a certificate it signed for ``name``, written to ``folder``."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Station test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    cert_path, key_path = folder / f"{name}.pem", folder / f"{name}.key"
    cert_path.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert_path, key_path)
    client = ssl.create_default_context(
        cadata=ca.public_bytes(serialization.Encoding.PEM).decode("ascii")
    )
    return Certificates(server=server, client=client)
