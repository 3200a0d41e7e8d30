"""Field-level differences between two canonical records, as readable paths.

Forms are matched by their code (``formy[pob]``), capacities by their type (``kapacity[luzka]``), facilities
and other lists of objects by position (``zarizeni[0].adresa.obec``); lists of plain values (contacts, target
groups) are compared as a whole. A part that appears or disappears is one change with ``None`` on one side.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from qmss.registry.importer.normalise import ref_code

ENDED_FIELD = "datumPoskytovaniDo"

_MISSING = object()

#: How the items of a list under this key are identified in paths (default: by position).
_LIST_KEYS: dict[str, Callable[[dict[str, Any]], str]] = {
    "formy": lambda item: ref_code(item.get("forma")) or "?",
    "kapacity": lambda item: ref_code(item.get("typ")) or "?",
}


def _keyed(items: list[Any], key: Callable[[dict[str, Any]], str] | None) -> dict[str, Any]:
    keyed: dict[str, Any] = {}
    for position, item in enumerate(items):
        name = key(item) if key is not None and isinstance(item, dict) else str(position)
        unique, serial = name, 2
        while unique in keyed:  # the same code twice: formy[pob], formy[pob#2]
            unique, serial = f"{name}#{serial}", serial + 1
        keyed[unique] = item
    return keyed


def _is_object_list(value: Any) -> bool:
    return isinstance(value, list) and any(isinstance(item, dict) for item in value)


def _walk(old: Any, new: Any, path: str, name: str, out: list[tuple[str, Any, Any]]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(old.keys() | new.keys()):
            _walk(old.get(key, _MISSING), new.get(key, _MISSING), f"{path}.{key}" if path else key, key, out)
        return
    if _is_object_list(old) and _is_object_list(new):
        key = _LIST_KEYS.get(name)
        old_items, new_items = _keyed(old, key), _keyed(new, key)
        for item_key in [*old_items, *(k for k in new_items if k not in old_items)]:
            _walk(old_items.get(item_key, _MISSING), new_items.get(item_key, _MISSING), f"{path}[{item_key}]", "", out)
        return
    old_value = None if old is _MISSING else old
    new_value = None if new is _MISSING else new
    if old_value != new_value:
        out.append((path, old_value, new_value))


def field_changes(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """``[(path, old_value, new_value), ...]`` for every changed leaf, in a stable order."""
    out: list[tuple[str, Any, Any]] = []
    _walk(old or {}, new, "", "", out)
    return out


def is_ending(old_value: Any, new_value: Any, today: date) -> bool:
    """The registration end moves from open or future to today or the past."""
    if not new_value:
        return False
    try:
        new_day = date.fromisoformat(new_value)
        old_day = date.fromisoformat(old_value) if old_value else None
    except (TypeError, ValueError):
        return False
    return new_day <= today and (old_day is None or old_day > today)
