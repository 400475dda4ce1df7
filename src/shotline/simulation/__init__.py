"""Realistic generated work for demos and benchmarks (seeded, repeatable)."""
