"""Financing counts for ``qmss stats`` (core ``stats`` hook): reference value sets, programmes, subsidy applications
by state, compensation calculations, entrustments by state, settlements by state, staff positions and buildings.
One query per table (states counted with filtered aggregates). Imported by :mod:`qmss.financing.registration`
(``HOOK_MODULES``)."""

from __future__ import annotations

from django.db.models import Count, Q

from qmss.financing import registration


def _by_state(model, prefix: str) -> dict[str, int]:
    """``{prefix: total, prefix_<state>: count, …}`` for every state of the model, zeros included."""
    states = model.State.values
    counts = model.objects.aggregate(
        total=Count("pk"), **{state: Count("pk", filter=Q(state=state)) for state in states}
    )
    return {prefix: counts["total"], **{f"{prefix}_{state}": counts[state] for state in states}}


def financing_stats() -> dict:
    from qmss.financing.models import (
        Building,
        CompensationRun,
        Entrustment,
        Programme,
        ReferenceValueSet,
        Settlement,
        StaffPosition,
        SubsidyApplication,
    )

    reference = ReferenceValueSet.objects.aggregate(total=Count("pk"), demo=Count("pk", filter=Q(is_demo=True)))
    return {
        "financing_reference_sets": reference["total"],
        "financing_reference_sets_demo": reference["demo"],
        **_by_state(Programme, "financing_programmes"),
        **_by_state(SubsidyApplication, "financing_applications"),
        **_by_state(CompensationRun, "financing_compensation_runs"),
        **_by_state(Entrustment, "financing_entrustments"),
        **_by_state(Settlement, "financing_settlements"),
        "financing_staff_positions": StaffPosition.objects.count(),
        "financing_buildings": Building.objects.count(),
    }


@registration.part
def register_stats() -> None:
    from qmss.core import hooks

    hooks.register("stats", financing_stats)
