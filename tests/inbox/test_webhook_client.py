"""Posting a webhook at the address that was checked: private ones refused, nothing re-resolved."""

from __future__ import annotations

import base64
import socket
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path

import pytest

from station.inbox.errors import WebhookRefused, WebhookUnreachable
from station.inbox.webhook_client import ANSWER_CAP, WebhookClient
from tests.fakes.webhooks import (
    Answer,
    answering_raw,
    flood,
    issue_certificate,
    receiving,
    trickle,
)

HOST = "hooks.example"  # .example never resolves for real: only the fake resolvers know it


class ChangingResolver:
    """A DNS server that gives one answer to the first question and another to every later one."""

    def __init__(self, first: Sequence[str], later: Sequence[str]) -> None:
        self.answers = [list(first)]
        self.later = list(later)

    def __call__(self, host: str, port: int) -> list[str]:
        if host != HOST:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return self.answers.pop() if self.answers else self.later


def answering(*addresses: str) -> ChangingResolver:
    return ChangingResolver(addresses, addresses)


def test_the_request_goes_to_the_address_checked_though_the_name_then_answers_another() -> None:
    # Were the name looked up again to connect, the request would go to 127.0.0.2,
    # where nothing listens on the receiver's port.
    resolver = ChangingResolver(["127.0.0.1"], ["127.0.0.2"])
    client = WebhookClient(allow_private=True, resolve=resolver)

    with receiving() as receiver:
        response = client.post(receiver.url(host=HOST), {"n": 1}, headers={"Idempotency-Key": "k"})
        with pytest.raises(WebhookUnreachable):  # the name's next answer really leads nowhere
            client.post(receiver.url(host=HOST), {"n": 2})

    assert response.status_code == 204
    [request] = receiver.received
    assert request.body == {"n": 1} and request.path == "/hook"
    assert request.headers["Host"] == f"{HOST}:{receiver.port}"
    assert request.headers["Idempotency-Key"] == "k"


def test_a_user_and_password_in_the_url_go_as_basic_authorization() -> None:
    client = WebhookClient(allow_private=True, resolve=answering("127.0.0.1"))

    with receiving() as receiver:
        client.post(f"http://shop%40example:p%C3%A4ss:word@{HOST}:{receiver.port}/hook", {})
        client.post(receiver.url(host=HOST), {})

    with_user, without = receiver.received
    expected = base64.b64encode("shop@example:päss:word".encode()).decode()
    assert with_user.headers["Authorization"] == f"Basic {expected}"
    assert "Authorization" not in without.headers


def test_https_asks_for_and_verifies_the_name_while_connecting_to_the_address(
    tmp_path: Path,
) -> None:
    certificates = issue_certificate(tmp_path, HOST)
    client = WebhookClient(
        allow_private=True, resolve=answering("127.0.0.1"), verify=certificates.client
    )

    with receiving(tls=certificates.server) as receiver:
        response = client.post(receiver.url(host=HOST, scheme="https"), {"n": 1})

    assert response.status_code == 204
    assert receiver.server_names == [HOST]
    assert receiver.received[0].headers["Host"] == f"{HOST}:{receiver.port}"


def test_https_refuses_a_certificate_for_another_name(tmp_path: Path) -> None:
    certificates = issue_certificate(tmp_path, "elsewhere.example")
    client = WebhookClient(
        allow_private=True, resolve=answering("127.0.0.1"), verify=certificates.client
    )

    with (
        receiving(tls=certificates.server) as receiver,
        pytest.raises(WebhookUnreachable, match="certificate verify failed"),
    ):
        client.post(receiver.url(host=HOST, scheme="https"), {"n": 1})

    assert receiver.received == []


@pytest.mark.parametrize(
    "addresses",
    [
        ["127.0.0.1"],
        ["10.1.2.3"],
        ["172.16.0.9"],
        ["192.168.1.20"],
        ["169.254.169.254"],  # cloud metadata
        ["0.0.0.0"],
        ["100.64.0.1"],  # carrier-grade NAT
        ["::1"],
        ["fe80::1%2"],
        ["fd00::5"],
        ["::ffff:127.0.0.1"],  # IPv4 loopback written as IPv6
        ["64:ff9b::7f00:1"],  # NAT64 of 127.0.0.1
        ["64:ff9b::a00:1"],  # NAT64 of 10.0.0.1
        ["64:ff9b::a9fe:a9fe"],  # NAT64 of the cloud metadata address
        ["64:ff9b:1::808:808"],  # local-use NAT64: inside a network whatever it carries
        ["2002:7f00:1::1"],  # 6to4 of 127.0.0.1
        ["2002:c0a8:114::1"],  # 6to4 of 192.168.1.20
        ["::127.0.0.1"],  # IPv4-compatible (deprecated)
        ["::8.8.8.8"],
        ["fec0::1"],  # site-local (deprecated)
        ["2001:0:4136:e378:8000:63bf:3fff:fdd2"],  # Teredo
        ["93.184.215.14", "10.0.0.7"],  # one private answer among public ones is enough
    ],
)
def test_a_host_with_a_private_or_local_address_is_refused(addresses: list[str]) -> None:
    client = WebhookClient(resolve=answering(*addresses))

    with pytest.raises(WebhookRefused) as refused:
        client.pin(f"https://{HOST}/hook")

    assert "a private or local address" in str(refused.value)
    assert "STATION_INBOX_WEBHOOK_PRIVATE=1" in str(refused.value)


@pytest.mark.parametrize(
    "address",
    [
        "93.184.215.14",
        "2606:2800:21f:cb07::1",
        "::ffff:93.184.215.14",
        "64:ff9b::5db8:d70e",  # NAT64 of 93.184.215.14, as a DNS64 resolver answers
        "2002:5db8:d70e::1",  # 6to4 of 93.184.215.14
    ],
)
def test_a_public_address_passes_however_it_is_written(address: str) -> None:
    client = WebhookClient(resolve=answering(address))

    assert client.pin(f"https://{HOST}/hook").address == address


def test_a_private_address_is_refused_before_anything_is_sent() -> None:
    with receiving() as receiver, pytest.raises(WebhookRefused):
        WebhookClient().post(receiver.url(), {"n": 1})

    assert receiver.received == []


@pytest.mark.parametrize(
    ("url", "address", "target", "host", "server_name"),
    [
        (
            f"https://{HOST}/hook?a=1",
            "93.184.215.14",
            "https://93.184.215.14/hook?a=1",
            HOST,
            HOST,
        ),
        (
            f"http://{HOST}:8080/hook",
            "93.184.215.14",
            "http://93.184.215.14:8080/hook",
            f"{HOST}:8080",
            None,
        ),
        (
            f"https://{HOST}:8443/x",
            "2606:2800:21f:cb07::1",
            "https://[2606:2800:21f:cb07::1]:8443/x",
            f"{HOST}:8443",
            HOST,
        ),
        (
            "https://93.184.215.14/x",
            "93.184.215.14",
            "https://93.184.215.14/x",
            "93.184.215.14",
            None,
        ),
    ],
)
def test_a_public_address_is_pinned_with_the_name_kept_for_host_and_tls(
    url: str, address: str, target: str, host: str, server_name: str | None
) -> None:
    client = WebhookClient(resolve=lambda _host, _port: [address, "93.184.215.15"])

    pinned = client.pin(url)

    assert (str(pinned.target), pinned.host_header, pinned.server_name) == (
        target,
        host,
        server_name,
    )


def test_an_unknown_host_can_be_tried_again_later() -> None:
    with pytest.raises(WebhookUnreachable, match="cannot be found"):
        WebhookClient(resolve=answering("127.0.0.1")).pin("https://nowhere.example/hook")


@pytest.mark.parametrize("url", ["ftp://hooks.example/x", "https:///x", "hooks.example/x"])
def test_an_address_that_is_not_http_is_refused(url: str) -> None:
    with pytest.raises(WebhookRefused):
        WebhookClient(allow_private=True, resolve=answering("127.0.0.1")).pin(url)


HEAD_200 = b"HTTP/1.1 200 OK\r\nContent-Length: 3000\r\n\r\n"


@pytest.mark.parametrize(
    "answer",
    [
        # Each byte comes well inside the step timeout; the whole would take 30 seconds.
        trickle(b"HTTP/1.1 200 OK\r\nX-Wait: " + b"." * 3000 + b"\r\n\r\n", every=0.01),
        trickle(b"." * 3000, every=0.01, head=HEAD_200),
    ],
    ids=["head", "body"],
)
def test_an_answer_trickled_in_is_cut_off_at_the_time_limit(answer: Answer) -> None:
    client = WebhookClient(allow_private=True, timeout=0.5, time_limit=1.5)

    with answering_raw(answer) as receiver:
        started = time.monotonic()
        with pytest.raises(WebhookUnreachable, match="gave no full answer within 1.5 seconds"):
            client.post(receiver.url(), {"n": 1})
        took = time.monotonic() - started

    assert receiver.requests == 1 and took < 10  # the trickle alone would last 30 s


def test_only_the_start_of_a_huge_answer_is_read() -> None:
    head = b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 268435456\r\n\r\n"
    client = WebhookClient(allow_private=True)

    with answering_raw(flood(head)) as receiver:
        tracemalloc.start()
        try:
            answer = client.post(receiver.url(), {"n": 1})
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    assert (answer.status_code, len(answer.body)) == (500, ANSWER_CAP)
    assert answer.excerpt() == "x" * 200
    assert peak < 4 * 1024 * 1024  # not the 256 MB the receiver offered
    assert receiver.sent[0] < 64 * 1024 * 1024  # it stopped writing once the client hung up


def test_a_redirect_is_answered_as_it_is_not_followed() -> None:
    with receiving() as elsewhere, receiving([307]) as receiver:
        receiver.location = elsewhere.url("/elsewhere")
        answer = WebhookClient(allow_private=True).post(receiver.url(), {"n": 1})

    assert (answer.status_code, answer.is_success) == (307, False)
    assert len(receiver.received) == 1 and elsewhere.received == []
