"""The root of Station's exceptions, and the tree of every exception class Station defines.

StationError (station.errors) — Something a person can act on went wrong
├── AccountError (station.accounts) — A user could not be created or changed
├── AgentRequestInvalid (station.printing.agents)
├── AllowanceSpent (station.cin7.allowance) — A person has used up an allowance
├── BackupRefused (station.ops.backup) — Station does not back this database up itself
├── BulkRefused (station.dispatch.bulk) — The run cannot start
├── CarrierError (station.carriers.errors) — A carrier operation failed
│    ├── CarrierUnavailable (station.carriers.errors)
│    ├── TicketRangeExhausted (station.carriers.errors)
│    ├── UnsupportedOperation (station.carriers.errors)
│    ├── VoidRefused (station.carriers.errors) — The consignment cannot be voided
│    └── _ProblemsError (station.carriers.errors)
│         ├── CarrierMisconfigured (station.carriers.errors)
│         ├── RateCardInvalid (station.carriers.errors) — A rate card CSV has errors
│         └── ShipmentRefused (station.carriers.errors)
├── Cin7Error (station.cin7.errors) — Talking to Cin7 failed
│    ├── Cin7AuthError (station.cin7.errors)
│    ├── Cin7BadResponse (station.cin7.errors)
│    ├── Cin7NotConfigured (station.cin7.errors)
│    ├── Cin7NotFound (station.cin7.errors) — Cin7 has no such record
│    ├── Cin7RateLimited (station.cin7.errors)
│    │    └── Cin7BudgetReserved (station.cin7.errors)
│    ├── Cin7RequestRejected (station.cin7.errors) — Cin7 answered 400 to a request
│    └── Cin7Unavailable (station.cin7.errors)
├── CloseOutRefused (station.shipping.manifests) — A carrier cannot be closed out now
├── ConnectionInvalid (station.cin7.setup) — The connection details cannot be saved
├── CutoffInvalid (station.shipping.cutoffs) — A cut-off time or time zone cannot be used
├── DispatchRefused (station.dispatch.ship) — The order cannot ship
├── InboxError (station.inbox.errors) — Something about the inbox a person can act on
│    ├── CsvRejected (station.inbox.errors) — The uploaded CSV as a whole cannot be read
│    ├── FolderInvalid (station.inbox.errors)
│    ├── NoteInvalid (station.inbox.errors) — A note or tag cannot be added to an order
│    ├── OrderConflict (station.inbox.errors)
│    ├── OrderInvalid (station.inbox.errors) — The order cannot be taken
│    ├── ProductSettingInvalid (station.inbox.errors) — A product setting cannot be saved
│    ├── RuleInvalid (station.inbox.errors) — A rule cannot be saved
│    ├── ShopifySecretInvalid (station.inbox.errors)
│    ├── TokenInvalid (station.inbox.errors) — An API token cannot be created
│    ├── WebhookRefused (station.inbox.errors)
│    └── WebhookUnreachable (station.inbox.errors) — A webhook gets no full answer just now
├── ItemScanRefused (station.dispatch.verify)
│    ├── ItemsMissing (station.dispatch.verify)
│    ├── OrderScanned (station.dispatch.verify)
│    ├── TooManyItems (station.dispatch.verify)
│    └── WrongItem (station.dispatch.verify) — The scanned code is not on the order
├── NotYours (station.dispatch.rights)
├── OptionsInvalid (station.dispatch.options) — The dispatch options cannot be saved
├── OrderNotStorable (station.cin7.sync) — One order read from Cin7 cannot be stored
├── PrinterSetupInvalid (station.printing.setup) — A printer cannot be saved
├── QueueRefused (station.dispatch.outage) — Nothing waits to be queued under this key
├── RateCardRejected (station.shipping.ratecards) — An uploaded rate card was not saved
├── ReportRequestInvalid (station.reports.period) — The dates asked for cannot be used
├── ReprintRefused (station.printing.queue)
├── ReturnRefused (station.shipping.returns)
├── SecretUnreadable (station.secretbox)
├── ShippingSetupInvalid (station.shipping.costs) — A cost centre or preset cannot be saved
├── SignInRefused (station.signin)
│    └── SignInThrottled (station.signin) — Too many recent failures
│         ├── SignInDelayed (station.signin)
│         └── SignInLocked (station.signin)
├── SyncError (station.cin7.sync) — The sync could not finish
├── TriggerTemplateInvalid (station.cin7.trigger)
├── UnknownReport (station.reports.overview) — No report is called that
├── WeightInvalid (station.dispatch.bench) — The weight typed or read cannot be used
│    ├── ParcelTooHeavy (station.dispatch.bench) — More than one parcel can weigh
│    └── ParcelsInvalid (station.dispatch.parcels) — A parcel row cannot be used
└── ZoneUnknown (station.sitetime) — No time zone has that name

Outside that tree (not for a person, or answered where they are raised):
ActionFailed(Exception) (station.inbox.actions) — An action could not be done
TooManyPolls(Exception) (station.web.long_polls) — A long poll past a bound
_Refused(Exception) (station.web.inbox_api)
_Transient(Exception) (station.cin7.client) — A failure worth another attempt
BodyInvalid(ValueError) (station.web.jsonbody) — The body is not JSON Station reads
ControlError(ValueError) (station.cin7.sandbox.control)
LabelError(ValueError) (station.labels.layout)
WhereError(ValueError) (station.cin7.sandbox.where)
"""

from __future__ import annotations

from collections.abc import Iterable


class StationError(Exception):
    """Something a person can act on went wrong; ``str()`` is the message for them."""


def problems_sentence(problems: Iterable[str]) -> str:
    """``["the name is required", "the port is not a number"]`` → one sentence for a person.

    Only the first letter is raised, so names such as "API" and "ZPL" keep their case.
    """
    text = "; ".join(problems)
    return f"{text[:1].upper()}{text[1:]}."
