"""Typed request and response bodies by area; the OpenAPI document is derived from these."""
