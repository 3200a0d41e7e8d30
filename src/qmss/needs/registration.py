"""Hook and auditlog registrations of the needs app, one function per part (called from NeedsConfig.ready).

Each part appends its own ``register_<part>`` function to :data:`PARTS`; keep the parts independent.
"""

from __future__ import annotations

from collections.abc import Callable

PARTS: list[Callable[[], None]] = []


def part(func: Callable[[], None]) -> Callable[[], None]:
    PARTS.append(func)
    return func


@part
def register_models() -> None:
    from auditlog.registry import auditlog

    from qmss.needs import models

    # many-to-many links of the kind cards are audited too (the card's activities, the providers asked)
    auditlog.register(models.KindCard, m2m_fields={"activities"})
    auditlog.register(models.KindCardNeed, m2m_fields={"activities"})
    auditlog.register(models.Consultation, m2m_fields={"recipients"})
    for model in (
        models.ConsultationMeeting,
        models.CardComment,
        models.ServiceCard,
        models.ServiceCardResponse,
        models.CollectionRound,
        models.Submission,
        models.SubmissionComment,
        models.MinimumForm,
    ):
        auditlog.register(model)


def register_all() -> None:
    # Parts living in other modules register here by import (each module decorates its function with @part).
    import importlib

    for module in (
        "stats",
        "hooks_cards",
        "hooks_service_cards",
        "hooks_rounds",
        "hooks_indicators",
        "hooks_dashboard",
    ):
        try:
            importlib.import_module(f"qmss.needs.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"qmss.needs.{module}":
                raise
    for func in PARTS:
        func()
