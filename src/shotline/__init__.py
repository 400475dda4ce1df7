"""Shotline: creative operations for ecommerce content production."""

__version__ = "0.1.0"
