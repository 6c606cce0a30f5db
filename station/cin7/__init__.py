"""Everything Station knows about Cin7 Omni: client, sandbox, sync."""
