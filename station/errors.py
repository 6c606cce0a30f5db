"""The root of Station's exceptions.

StationError
 ├── Cin7Error (station.cin7.errors) — talking to Cin7 failed; see that module's tree
 ├── SyncError (station.cin7.sync) — an order sync could not run
 ├── AccountError (station.accounts) — a user could not be created or changed
 └── SecretUnreadable (station.secretbox) — a stored secret cannot be decrypted
"""

from __future__ import annotations


class StationError(Exception):
    """Something a person can act on went wrong; ``str()`` is the message for them."""
