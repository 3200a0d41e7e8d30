"""Hook and auditlog registrations of the financing app, one function per part (called from FinancingConfig.ready).

Each part's ``hooks_<part>.py`` decorates its function with :func:`part`; keep the parts independent.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

PARTS: list[Callable[[], None]] = []
HOOK_MODULES = (
    "hooks_reference",
    "hooks_entrustments",
    "hooks_applications",
    "hooks_compensation",
    "hooks_allocation",
    "hooks_settlement",
    "hooks_standards",
    "hooks_api_demo",
    "stats",
)


def part(func: Callable[[], None]) -> Callable[[], None]:
    PARTS.append(func)
    return func


@part
def register_models() -> None:
    from auditlog.registry import auditlog

    from qmss.financing import models

    for model in (
        models.ReferenceValueSet,
        models.Programme,
        models.SubsidyApplication,
        models.CompensationRun,
        models.Entrustment,
        models.Settlement,
        models.StaffPosition,
        models.Building,
        models.Household,
        models.Room,
    ):
        auditlog.register(model)


def register_all() -> None:
    for module in HOOK_MODULES:
        try:
            importlib.import_module(f"qmss.financing.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"qmss.financing.{module}":
                raise
    for func in PARTS:
        func()
