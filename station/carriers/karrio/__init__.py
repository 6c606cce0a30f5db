"""The Karrio bridge: real carriers through Karrio, behind Station's ``Carrier`` protocol.

Optional: install with ``pip install 'station[karrio]'`` (Karrio and its offline
``karrio-generic`` carrier; add the connector of each real carrier, e.g.
``karrio-australiapost``). Importing this package never imports Karrio; connecting a
carrier does, and says how to install it when it is missing. See ``docs/carriers.md``.

- ``config.py``   ``KarrioConfig``: parsed from a plain dict, every problem listed
- ``mapping.py``  pure mapping between Station's values and Karrio's models
- ``gateway.py``  the one module that imports Karrio: connect, call, translate failures
- ``carrier.py``  ``KarrioCarrier`` and ``KarrioConsignment``
"""

from __future__ import annotations

from station.carriers.karrio.carrier import KarrioCarrier, KarrioConsignment
from station.carriers.karrio.config import KarrioConfig
from station.carriers.karrio.gateway import KarrioGateway, Reply, connect

__all__ = [
    "KarrioCarrier",
    "KarrioConfig",
    "KarrioConsignment",
    "KarrioGateway",
    "Reply",
    "connect",
]
