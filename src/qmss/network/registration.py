"""Hook and auditlog registrations of the network app, one function per part (called from NetworkConfig.ready).

Each part's ``hooks_<part>.py`` decorates its function with :func:`part`; keep the parts independent.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

PARTS: list[Callable[[], None]] = []
HOOK_MODULES = (
    "hooks_networks",
    "hooks_rules",
    "hooks_applications",
    "hooks_scoring",
    "hooks_whatif",
    "hooks_analysis",
    "hooks_learning",
    "stats",
)


def part(func: Callable[[], None]) -> Callable[[], None]:
    PARTS.append(func)
    return func


@part
def register_models() -> None:
    from auditlog.registry import auditlog

    from qmss.network import models

    for model in (
        models.Network,
        models.Tier,
        models.NetworkVersion,
        models.BriefItem,
        models.RuleSet,
        models.ParameterSet,
        models.Application,
        models.MunicipalityStatement,
        models.Scenario,
    ):
        auditlog.register(model)


def register_all() -> None:
    for module in HOOK_MODULES:
        try:
            importlib.import_module(f"qmss.network.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"qmss.network.{module}":
                raise
    for func in PARTS:
        func()
