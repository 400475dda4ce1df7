"""Adapters: files, database and other things outside the domain."""
