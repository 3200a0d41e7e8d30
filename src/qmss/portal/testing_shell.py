"""Builders of the portal's shell for tests and the URL × role matrix.

The shell has no tenant objects: its pages are public (display settings, easy-read pages, the accessibility
statement). The matrix only needs an easy-read topic for ``snadne-cteni/<slug:topic>/``."""

from __future__ import annotations


def matrix_kwargs(tenant) -> dict:
    return {"topic": "smlouva"}
