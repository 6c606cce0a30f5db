"""The Shopify trigger's URL template and how its HTTP answer reads."""

from __future__ import annotations

import pytest

from station.cin7.trigger import (
    DEFAULT_TEMPLATE,
    SIGN_IN,
    ShopifyTrigger,
    TriggerVerdict,
    check_template,
    read_answer,
    render,
    template_problems,
)

LOCAL = "http://127.0.0.1:8080/Cloud?idCustomerAppsLink={link_id}&OrderId={order_id}"


def test_cin7s_own_link_is_fine() -> None:
    assert template_problems(DEFAULT_TEMPLATE, allow_private=False) == []


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        (
            "https://go.cin7.com/Cloud?OrderId={order_id}",
            ["the Shopify trigger URL has no {link_id}: Station puts the idCustomerAppsLink there"],
        ),
        (
            "https://go.cin7.com/Cloud?idCustomerAppsLink={link_id}",
            ["the Shopify trigger URL has no {order_id}: Station puts the Cin7 order id there"],
        ),
        (
            "https://go.cin7.com/Cloud?a={link_id}&b={order_id}&c={shop}",
            [
                "{shop} in the Shopify trigger URL is not a placeholder Station knows: "
                "use {link_id} and {order_id} only"
            ],
        ),
        (
            "https://go.cin7.com/Cloud?a={linkid}&b={order_id:>9}",
            [
                "the Shopify trigger URL has no {link_id}: Station puts the idCustomerAppsLink there",
                "{linkid} in the Shopify trigger URL is not a placeholder Station knows: "
                "use {link_id} and {order_id} only",
                "{order_id:>9} in the Shopify trigger URL is not a placeholder Station knows: "
                "use {link_id} and {order_id} only",
            ],
        ),
        (
            "https://go.cin7.com/Cloud?a={link_id&b={order_id}",
            [
                "the Shopify trigger URL has a { or } that does not close: the placeholders "
                "are written {link_id} and {order_id}"
            ],
        ),
    ],
)
def test_each_placeholder_problem_is_its_own_sentence(template: str, expected: list[str]) -> None:
    assert template_problems(template, allow_private=False) == expected


@pytest.mark.parametrize(
    ("template", "allow_private", "fragment"),
    [
        ("go.cin7.com/Cloud?a={link_id}&b={order_id}", False, "must be a full https:// address"),
        ("ftp://go.cin7.com/?a={link_id}&b={order_id}", True, "must be a full https:// address"),
        ("http://go.cin7.com/?a={link_id}&b={order_id}", False, "must start with https://"),
        ("http://go.cin7.com/?a={link_id}&b={order_id}", True, "must start with https://"),
        (LOCAL, False, "STATION_CIN7_PRIVATE=1"),
        ("", False, "is empty"),
    ],
)
def test_https_only_and_http_only_to_this_machine_when_allowed(
    template: str, allow_private: bool, fragment: str
) -> None:
    [problem] = template_problems(template, allow_private=allow_private)
    assert fragment in problem


def test_plain_http_to_this_machine_when_allowed() -> None:
    assert template_problems(LOCAL, allow_private=True) == []


def test_a_host_that_resolves_to_a_private_address_is_refused() -> None:
    template = "https://cin7.internal/Cloud?a={link_id}&b={order_id}"

    [problem] = template_problems(template, allow_private=False, resolve=lambda h, p: ["10.1.2.3"])

    assert "10.1.2.3, a private or local address" in problem


def test_the_check_says_each_problem_as_a_sentence_and_sends_nothing() -> None:
    check = check_template("https://x.example/?q={nope}", link_id="", allow_private=False)

    assert check.example is None
    assert check.problems == [
        "The Shopify trigger URL has no {link_id}: Station puts the idCustomerAppsLink there.",
        "The Shopify trigger URL has no {order_id}: Station puts the Cin7 order id there.",
        "{nope} in the Shopify trigger URL is not a placeholder Station knows: use {link_id} "
        "and {order_id} only.",
    ]


def test_the_check_shows_the_url_it_would_call() -> None:
    check = check_template(DEFAULT_TEMPLATE, link_id="abc9", allow_private=False)

    assert check.problems == [] and check.link_id_set
    assert check.example == (
        "https://go.cin7.com/Cloud/Apps/ShopifyConnector/UpdateOrderStatus"
        "?idCustomerAppsLink=abc9&OrderId=12345"
    )


def test_values_are_url_encoded() -> None:
    assert render("https://h/{link_id}?o={order_id}", link_id="a b&c", order_id=7) == (
        "https://h/a%20b%26c?o=7"
    )


def test_without_a_link_id_no_url_is_made() -> None:
    with pytest.raises(ValueError, match="Settings → Shipping"):
        ShopifyTrigger(DEFAULT_TEMPLATE, "").url(7)


@pytest.mark.parametrize(
    ("status", "location", "verdict"),
    [
        (200, None, TriggerVerdict(None)),
        (204, None, TriggerVerdict(None)),
        (302, "/Account/Login?ReturnUrl=%2FCloud", TriggerVerdict(SIGN_IN, final=True)),
        (302, "https://go.cin7.com/Cloud/Login.aspx", TriggerVerdict(SIGN_IN, final=True)),
        (303, "/signin", TriggerVerdict(SIGN_IN, final=True)),
        (
            302,
            "/Cloud/Home",
            TriggerVerdict(
                "The Shopify trigger answered HTTP 302 (a redirect to go.cin7.com/Cloud/Home), "
                "not success; Station does not follow redirects"
            ),
        ),
        (500, None, TriggerVerdict("The Shopify trigger answered HTTP 500")),
        (404, None, TriggerVerdict("The Shopify trigger answered HTTP 404")),
    ],
)
def test_only_a_2xx_is_success(status: int, location: str | None, verdict: TriggerVerdict) -> None:
    url = "https://go.cin7.com/Cloud/Apps?idCustomerAppsLink=x&OrderId=1"
    assert read_answer(url, status, location) == verdict


def test_the_sign_in_sentence_is_exact() -> None:
    assert SIGN_IN == "Cin7 asked to sign in: copy the idCustomerAppsLink again"
