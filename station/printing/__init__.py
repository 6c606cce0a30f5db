"""The print queue: jobs recorded before they are sent, sent once, in order per printer."""
