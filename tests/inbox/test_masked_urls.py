"""Webhook addresses as logs and pages show them: user info, query values and tokens masked."""

from __future__ import annotations

import pytest

from station.inbox.masked_urls import masked_url


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://hooks.example/orders", "https://hooks.example/orders"),
        ("http://127.0.0.1:8080/hook", "http://127.0.0.1:8080/hook"),
        ("https://shop:s3cret@hooks.example/x", "https://hooks.example/x"),
        ("https://token-only@hooks.example:8443/x", "https://hooks.example:8443/x"),
        (
            "https://hooks.example/x?token=abc123&shop=mugs",
            "https://hooks.example/x?token=***&shop=***",
        ),
        ("https://hooks.example/x?abc123def", "https://hooks.example/x?***"),
        ("https://hooks.example/x#key=abc", "https://hooks.example/x"),
        (
            "https://hooks.slack.com/services/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",
            "https://hooks.slack.com/services/T0AB12CD3/B0EF45GH6/***",
        ),
        (
            "https://[2606:2800:21f:cb07::1]:8443/x?k=v",
            "https://[2606:2800:21f:cb07::1]:8443/x?k=***",
        ),
        ("https://hooks.example:port/x", "(an address that is not a URL)"),
        ("https://[::1/x", "(an address that is not a URL)"),
    ],
)
def test_a_webhook_address_is_shown_without_its_secrets(url: str, shown: str) -> None:
    assert masked_url(url) == shown
