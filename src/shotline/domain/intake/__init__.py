"""Structured intake: header mapping, row validation and expansion into assets."""
