"""Hook and auditlog registrations of the portal app, one function per part (called from PortalConfig.ready).

Each part's ``hooks_<part>.py`` decorates its function with :func:`part`; keep the parts independent.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

PARTS: list[Callable[[], None]] = []
HOOK_MODULES = (
    "hooks_finder",
    "hooks_situations",
    "hooks_service",
    "hooks_reports",
    "hooks_content",
    "hooks_leaflets",
    "hooks_open_data",
    "hooks_shell",
    "stats",
)


def part(func: Callable[[], None]) -> Callable[[], None]:
    PARTS.append(func)
    return func


def register_all() -> None:
    for module in HOOK_MODULES:
        try:
            importlib.import_module(f"qmss.portal.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"qmss.portal.{module}":
                raise
    for func in PARTS:
        func()
