"""Shipping an order: checks, consignment, label, and the Cin7 write-backs it owes."""
