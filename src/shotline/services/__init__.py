"""Use cases: one function per user action, one transaction each, each writing its events."""
