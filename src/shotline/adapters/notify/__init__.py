"""Outgoing notifications: webhook payloads, signing and delivery."""
