"""The Shopify module's "update order status" link: its URL template and how to read its answer.

The link is a Cin7 *web* URL, not part of the API (see ``docs/cin7.md``). Station keeps
a template with two placeholders, ``{link_id}`` (the ``idCustomerAppsLink`` a manager
copies in Settings → Shipping) and ``{order_id}`` (the Cin7 order id), set in Settings →
Cin7 or by ``STATION_CIN7_SHOPIFY_TRIGGER_URL``. The URL is made when the trigger is sent,
so a link copied again is used by the next retry.

Only a 2xx answer is success. Cin7's web app answers a wrong or expired link with a
redirect to its sign-in page: that can never succeed later, so it fails at once.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

from station.cin7.address import PRIVATE_HINT, is_loopback
from station.errors import StationError
from station.network import Resolver, is_public
from station.settings import SettingsStore

DEFAULT_TEMPLATE = (
    "https://go.cin7.com/Cloud/Apps/ShopifyConnector/UpdateOrderStatus"
    "?idCustomerAppsLink={link_id}&OrderId={order_id}"
)
TEMPLATE_KEY = "cin7.shopify_trigger_url"  # the setting; the environment wins over it
PLACEHOLDERS = ("link_id", "order_id")
SIGN_IN = "Cin7 asked to sign in: copy the idCustomerAppsLink again"
NO_LINK = (
    "The Shopify trigger has no idCustomerAppsLink: enter it in Settings → Shipping, then retry"
)
_SIGN_IN_PATH = re.compile(r"(log[-_]?[io]n|sign[-_]?in)", re.IGNORECASE)
_SAMPLE = {"link_id": "LINK", "order_id": "12345"}


class TriggerTemplateInvalid(StationError):
    """The Shopify trigger URL template cannot be saved; ``problems`` has one sentence each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = sentences(problems)
        super().__init__(" ".join(self.problems))


@dataclass(frozen=True, slots=True)
class TemplateCheck:
    """What Settings → Cin7's Test says of a template: its problems, or the URL it would call."""

    problems: list[str]
    example: str | None = None  # the URL for a sample order, when the template is usable
    link_id_set: bool = False


def check_template(
    template: str, *, link_id: str, allow_private: bool, resolve: Resolver | None = None
) -> TemplateCheck:
    """Check ``template`` (blank: Cin7's own) without sending anything: problems, or an example."""
    template = template.strip() or DEFAULT_TEMPLATE
    problems = template_problems(template, allow_private=allow_private, resolve=resolve)
    if problems:
        return TemplateCheck(sentences(problems), link_id_set=bool(link_id))
    example = render(template, link_id=link_id or _SAMPLE["link_id"], order_id=_SAMPLE["order_id"])
    return TemplateCheck([], example=example, link_id_set=bool(link_id))


def save_template(
    store: SettingsStore, template: str, *, allow_private: bool, resolve: Resolver | None = None
) -> None:
    """Store the template (blank: Cin7's own); raises TriggerTemplateInvalid with every problem."""
    if not template.strip():
        store.set(TEMPLATE_KEY, None)
        return
    problems = template_problems(template, allow_private=allow_private, resolve=resolve)
    if problems:
        raise TriggerTemplateInvalid(problems)
    store.set(TEMPLATE_KEY, template.strip())


def sentences(problems: list[str]) -> list[str]:
    """Each problem as a sentence of its own (capital first letter, full stop)."""
    return [f"{p[:1].upper()}{p[1:]}" + ("" if p.endswith(".") else ".") for p in problems]


def template_problems(
    template: str, *, allow_private: bool, resolve: Resolver | None = None
) -> list[str]:
    """Every reason ``template`` cannot be used, one sentence each (empty when it can).

    Nothing is sent. ``allow_private`` (STATION_CIN7_PRIVATE) lets it be plain http to this
    machine or a private host, as for the Cin7 base URL; ``resolve``, when given, looks the
    host up so a name that points at a private address is refused too.
    """
    template = template.strip()
    if not template:
        return [f"the Shopify trigger URL is empty: Cin7's link looks like {DEFAULT_TEMPLATE}"]
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError:
        return [
            "the Shopify trigger URL has a { or } that does not close: the placeholders are "
            "written {link_id} and {order_id}"
        ]
    problems = []
    names = [name for _, name, _, _ in fields if name is not None]
    for placeholder in PLACEHOLDERS:
        if placeholder not in names:
            problems.append(
                f"the Shopify trigger URL has no {{{placeholder}}}: {_ROLE[placeholder]}"
            )
    for _, name, spec, conversion in fields:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            shown = (
                "{"
                + name
                + (f"!{conversion}" if conversion else "")
                + (f":{spec}" if spec else "")
                + "}"
            )
            problems.append(
                f"{shown} in the Shopify trigger URL is not a placeholder Station knows: "
                "use {link_id} and {order_id} only"
            )
    if problems:
        return problems
    parts = urlsplit(render(template, link_id=_SAMPLE["link_id"], order_id=_SAMPLE["order_id"]))
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return [
            f"the Shopify trigger URL must be a full https:// address, such as {DEFAULT_TEMPLATE}"
        ]
    if parts.scheme == "http" and not (allow_private and is_loopback(parts.hostname)):
        return [
            "the Shopify trigger URL must start with https://; plain http:// is only for this "
            "machine, and " + PRIVATE_HINT
        ]
    if allow_private or resolve is None:
        return []
    try:
        found = resolve(parts.hostname, parts.port or 443)
    except (OSError, UnicodeError, ValueError):
        return []  # not refused for a lookup that fails now: the call fails on its own
    for address in found:
        if not is_public(address):
            return [
                f"the Shopify trigger URL points at {address}, a private or local address; "
                + PRIVATE_HINT
            ]
    return []


_ROLE = {
    "link_id": "Station puts the idCustomerAppsLink there",
    "order_id": "Station puts the Cin7 order id there",
}


def render(template: str, *, link_id: str, order_id: int | str) -> str:
    """The trigger URL for one order (both values URL-encoded)."""
    return template.strip().format(
        link_id=quote(str(link_id), safe=""), order_id=quote(str(order_id), safe="")
    )


@dataclass(frozen=True, slots=True)
class ShopifyTrigger:
    """What the outbox needs to call the trigger: the template and the link id, as set now."""

    template: str = DEFAULT_TEMPLATE
    link_id: str = ""
    allow_private: bool = False

    def url(self, order_id: int) -> str:
        """The URL to GET for ``order_id``; ValueError with a sentence when it cannot be made."""
        if not self.link_id:
            raise ValueError(NO_LINK)
        problems = template_problems(self.template, allow_private=self.allow_private)
        if problems:
            raise ValueError("; ".join(problems))
        return render(self.template, link_id=self.link_id, order_id=order_id)


@dataclass(frozen=True, slots=True)
class TriggerVerdict:
    """How a trigger answer reads: ``error`` is None on success; ``final`` when no retry can help."""

    error: str | None
    final: bool = False


def read_answer(url: str, status: int, location: str | None) -> TriggerVerdict:
    """Judge the trigger's HTTP answer; redirects are never followed, so a 3xx is a failure."""
    if 200 <= status < 300:
        return TriggerVerdict(None)
    if 300 <= status < 400:
        target = urljoin(url, location or "")
        parts = urlsplit(target)
        if location and _SIGN_IN_PATH.search(parts.path):
            return TriggerVerdict(SIGN_IN, final=True)
        where = f" to {parts.netloc}{parts.path}" if location else ""
        return TriggerVerdict(
            f"The Shopify trigger answered HTTP {status} (a redirect{where}), not success; "
            "Station does not follow redirects"
        )
    return TriggerVerdict(f"The Shopify trigger answered HTTP {status}")
