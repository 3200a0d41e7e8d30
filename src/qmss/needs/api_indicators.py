"""Needs API: indicator definitions (public) and a service's own values (its provider's members and the staff of
its region only; anybody else gets 404, as if the service had no values)."""

from __future__ import annotations

from datetime import date

from ninja import Router, Schema

from qmss.core.scoping import get_scope
from qmss.needs import selectors_indicators as selectors

router = Router(tags=["needs"])


class IndicatorOut(Schema):
    code: str
    name: str
    description: str
    numerator: str
    denominator: str
    factor: float
    unit: str
    decimals: int
    direction: str
    kinds: list[str]
    forms: list[str]
    verified: bool
    source: str
    template_version: int


class CellOut(Schema):
    element: str
    category: str
    value: float


class IndicatorValueOut(Schema):
    code: str
    name: str
    value: float | None
    unit: str


class RoundValuesOut(Schema):
    round_id: int
    round_name: str
    period_start: date
    period_end: date
    state: str
    values: list[CellOut]
    indicators: list[IndicatorValueOut]


class ServiceValuesOut(Schema):
    portal_id: int
    name: str
    rounds: list[RoundValuesOut]


def _indicator(indicator) -> dict:
    return {
        "code": indicator.code,
        "name": indicator.name,
        "description": indicator.description,
        "numerator": indicator.numerator,
        "denominator": indicator.denominator,
        "factor": float(indicator.factor),
        "unit": indicator.unit,
        "decimals": indicator.decimals,
        "direction": indicator.direction,
        "kinds": list(indicator.kinds or []),
        "forms": list(indicator.forms or []),
        "verified": indicator.verified,
        "source": indicator.source_note,
        "template_version": indicator.template.version,
    }


@router.get("indicators", response=list[IndicatorOut], summary="Indicator definitions of the current template")
def list_indicators(request):
    return [_indicator(i) for i in selectors.current_indicators()]


@router.get(
    "services/{portal_id}/values",
    response=ServiceValuesOut,
    summary="A service's own submitted values and indicator values per round (its provider and its region)",
)
def service_values(request, portal_id: int):
    scope = get_scope(request)
    service = selectors.get_service_for_values(scope, portal_id)
    rounds = []
    for item in selectors.service_rounds(scope, service):
        submission = item.submission
        rounds.append(
            {
                "round_id": submission.round_id,
                "round_name": submission.round.name,
                "period_start": submission.round.period_start,
                "period_end": submission.round.period_end,
                "state": submission.state,
                "values": [{"element": c, "category": k, "value": float(v)} for c, k, v in item.values],
                "indicators": [
                    {
                        "code": indicator.code,
                        "name": indicator.name,
                        "value": None if value is None else round(float(value), 6),
                        "unit": indicator.unit,
                    }
                    for indicator, value in item.indicators
                ],
            }
        )
    return {"portal_id": service.portal_id, "name": service.name, "rounds": rounds}
