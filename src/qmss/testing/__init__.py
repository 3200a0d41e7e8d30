"""Builders and helpers for tests and benchmarks; above the app layers, so it may import every app."""
