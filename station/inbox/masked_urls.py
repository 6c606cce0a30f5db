"""Webhook addresses fit for log lines, error messages and pages: their secrets masked.

A webhook URL often carries the receiver's credentials: ``user:password@``, a
``?token=...`` query, or a long random path segment (``/services/T0/B0/<secret>``). Only
the delivery itself needs the full address; everything a person or a log shipper reads
gets :func:`masked_url`, which keeps enough to tell webhooks apart (scheme, host, port,
the short path segments, the query's names).
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

MASK = "***"
LONG_SEGMENT = 16  # characters; a path segment this long reads as a token, not a name


def masked_url(url: str) -> str:
    """``url`` without its user info and fragment, with query values and long path segments masked."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port  # reads it, so a port that is not a number is refused here
    except ValueError:
        return "(an address that is not a URL)"
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"  # an IPv6 literal
    netloc = f"{host}:{port}" if port is not None else host
    path = "/".join(MASK if len(seg) >= LONG_SEGMENT else seg for seg in parts.path.split("/"))
    query = "&".join(_masked_item(item) for item in parts.query.split("&") if item)
    return urlunsplit((parts.scheme, netloc, path, query, ""))


def _masked_item(item: str) -> str:
    name, equals, _value = item.partition("=")
    return f"{name}={MASK}" if equals else MASK
