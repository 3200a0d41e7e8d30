"""Names in Czech alphabetical order (ICU's Czech collation: C < Č < D, H < CH < I, R < Ř < S, Z < Ž).

Databases order by code points or by a locale the server happens to have, so lists of names are sorted in
Python after fetching (they are short: regions, ORPs, organisations, kinds). Use ``czech_sorted`` or
``sort_key`` for every list of names people read; ``collation_key`` is the ICU key for any language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any, TypeVar

import icu

T = TypeVar("T")


@lru_cache(maxsize=4)
def _collator(language: str) -> icu.Collator:
    return icu.Collator.createInstance(icu.Locale(language))


def collation_key(text: str | None, language: str = "cs") -> bytes:
    """The sort key of ``text`` under ``language``'s collation (Czech by default, also for English pages:
    Czech names keep Czech order whatever the interface language)."""
    return _collator(language).getSortKey(text or "")


def sort_key(text: str | None) -> bytes:
    """The Czech sort key of a name."""
    return collation_key(text, "cs")


def czech_sorted(items: Iterable[T], key: Callable[[T], Any] | str | None = None, reverse: bool = False) -> list[T]:
    """``items`` sorted by a name in Czech order. ``key`` is a function returning the name, an attribute name
    (dotted paths allowed, e.g. ``"organisation.name"``) or None for the items themselves."""
    if key is None:
        getter: Callable[[T], Any] = lambda item: item  # noqa: E731
    elif isinstance(key, str):
        parts = key.split(".")

        def getter(item: T) -> Any:
            value: Any = item
            for part in parts:
                value = value.get(part) if isinstance(value, dict) else getattr(value, part, None)
                if value is None:
                    return ""
            return value
    else:
        getter = key
    return sorted(items, key=lambda item: sort_key(str(getter(item) or "")), reverse=reverse)


__all__ = ["collation_key", "czech_sorted", "sort_key"]
