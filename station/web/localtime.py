"""Times on pages: the site's zone (``station.sitetime``), once per request, and the ``at`` filter.

``{{ moment|at }}`` renders ``<time datetime="…Z">2026-12-06 16:26</time>``: the machine
reads UTC, the person the site's zone, named once in the page's header.
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from datetime import datetime, tzinfo

from flask import Flask, current_app, g, has_request_context
from markupsafe import Markup, escape

from station.extensions import db
from station.settings import settings_store
from station.sitetime import ZONE_OF, iso_utc, local, read_in, site_zone

_CACHE = "station.site_zone"  # app.extensions: (configured zone, zone, fresh until)


ZONE_FRESH_FOR = 30.0  # seconds another process's change of zone may take to show here


def warehouse_zone() -> tzinfo:
    """The site's time zone (Settings, else ``STATION_TIMEZONE``, else the server's).

    Read from the database at most every ``ZONE_FRESH_FOR`` seconds per app (every page
    and bench scan shows times; the zone changes perhaps once in a site's life), and once
    per request; ``forget_zone`` drops it at once in the process that changed it.
    """
    if has_request_context() and "site_zone" in g:
        return g.site_zone  # type: ignore[no-any-return]
    configured = current_app.config.get("TIMEZONE")
    cached = current_app.extensions.get(_CACHE)
    if cached is not None and cached[0] == configured and cached[2] > time.monotonic():
        tz = cached[1]
    else:
        tz = site_zone(settings_store(db.session), configured)
        current_app.extensions[_CACHE] = (configured, tz, time.monotonic() + ZONE_FRESH_FOR)
    if has_request_context():
        g.site_zone = tz
    return tz


def forget_zone() -> None:
    """Read the site's zone afresh on next use (after Settings → Site saved one)."""
    current_app.extensions.pop(_CACHE, None)


def at(moment: datetime | str | None, fmt: str = "%Y-%m-%d %H:%M") -> Markup:
    """A ``<time>`` element: UTC for machines, the site's zone for people; "" for None."""
    if moment is None or moment == "":
        return Markup("")
    # built with an f-string: Markup.format's escaping formatter cost ~70 µs a time,
    # 3.5 ms on an order list of 50 (the ISO text is Station's own; the shown text escaped)
    shown = escape(local(moment, warehouse_zone(), fmt))
    return Markup(f'<time datetime="{iso_utc(moment)}">{shown}</time>')


def _read_in_site_zone() -> None:
    """Sentences services say during this request give times in the site's zone."""
    g.reading_zone = ExitStack()
    g.reading_zone.enter_context(read_in(warehouse_zone))


def _stop_reading(_error: BaseException | None) -> None:
    stack = g.pop("reading_zone", None)
    if stack is not None:
        stack.close()


def init_app(app: Flask) -> None:
    """Offer ``at`` and ``site_zone`` to every template; services' sentences use it too."""
    app.add_template_filter(at, "at")
    app.jinja_env.globals["site_zone"] = warehouse_zone
    app.extensions[ZONE_OF] = warehouse_zone  # jobs say their sentences in it (station.jobs)
    app.before_request(_read_in_site_zone)
    app.teardown_request(_stop_reading)
