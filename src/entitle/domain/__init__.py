"""The rules of license checkouts: plain types and pure functions, no I/O."""
