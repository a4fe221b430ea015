"""Use cases, each in one transaction: create, check in, bulk, query, usage."""
