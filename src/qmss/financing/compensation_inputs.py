"""What a compensation run is computed from, read from the database (a handful of queries whatever the size):

- the programme's applications that are submitted or accepted (one line each);
- the programme's reference value set: per service the value of its kind and delivery form, else the kind's
  any-form value (the rule of :mod:`qmss.financing.reference_values`, applied here to the set read once);
- the application's budget sums through :mod:`qmss.financing.budget` (the budgeted public need is a cap);
- the network's total scores under the rules in force (:func:`qmss.network.selectors_scoring.load`): score-table
  keys are ``e<entry pk>`` (an entry of the current version) and ``a<application pk>`` (an application to the
  network); they are mapped to services, an entry winning over an application of the same service.

``build(programme)`` gives the engine's :class:`LineInput` list; ``collect(programme)`` also the sources of every
input, stored with each line so that its explanation page can show them without computing anything again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from qmss.financing import budget, reference_values
from qmss.financing.compensation_engine import LineInput
from qmss.financing.models import Programme, ReferenceValue, SubsidyApplication
from qmss.network.library import decimal_text

COMPUTED_STATES = (SubsidyApplication.State.SUBMITTED, SubsidyApplication.State.ACCEPTED)


@dataclass
class Collected:
    applications: list[SubsidyApplication]
    lines: list[LineInput]
    sources: dict[int, dict[str, Any]] = field(default_factory=dict)  # application pk -> the line's ``inputs``
    scores_available: bool = False


def _text(value: Decimal | None) -> str | None:
    return None if value is None else decimal_text(Decimal(value))


def applications(programme: Programme) -> list[SubsidyApplication]:
    return list(
        SubsidyApplication.objects.filter(programme=programme, state__in=COMPUTED_STATES)
        .select_related("service__kind", "service__provider", "organisation")
        .prefetch_related("service__forms__form")
        .order_by("service__name_sort", "pk")
    )


def reference_value_for(reference_set, service) -> ReferenceValue | None:
    """The programme's value for the service's kind and delivery forms (the one rule of
    :func:`qmss.financing.reference_values.value_for_forms`)."""
    if service.kind_id is None:
        return None
    return reference_values.value_for_forms(
        reference_set, service.kind.code, [f.form.code for f in service.forms.all() if f.form_id]
    )


def scores_by_service(network) -> tuple[dict[int, tuple[str, Decimal]], bool]:
    """service pk -> (score-table key, total score 0–100) under the network's rules in force; the flag says
    whether the network has rules to score with at all."""
    from qmss.network.selectors_scoring import load

    model = load(network)
    if model is None:
        return {}, False
    table, inputs = model.table, model.inputs
    scores: dict[int, tuple[str, Decimal]] = {}
    for t, key in enumerate(table.keys):
        service_id = int(inputs.service_ids[int(table.rows[t])])
        if service_id in scores and scores[service_id][0].startswith("e"):
            continue  # the entry's score counts when the service is both in the network and applying again
        if service_id not in scores or key.startswith("e"):
            scores[service_id] = (key, Decimal(str(round(float(table.total[t]), 2))))
    return scores, True


def _budget_sums(application: SubsidyApplication) -> dict[str, str]:
    costs, revenues = application.costs, application.revenues
    return {
        "costs": decimal_text(budget.total(costs)),
        "own_revenue": decimal_text(budget.own_revenue(revenues)),
        "net_cost": decimal_text(budget.net_cost(costs, revenues)),
        "public_revenue": decimal_text(budget.public_revenue(revenues)),
        "public_need": decimal_text(budget.public_need(costs, revenues)),
    }


def _reference_source(reference_set) -> dict[str, Any] | None:
    if reference_set is None:
        return None
    return {
        "pk": reference_set.pk,
        "name": reference_set.name,
        "year": reference_set.year,
        "version": reference_set.version,
        "source": reference_set.source,
        "verified": reference_set.verified,
    }


def collect(programme: Programme) -> Collected:
    reference_set = programme.reference_set
    scores, scores_available = scores_by_service(programme.network)
    items = applications(programme)
    result = Collected(applications=items, lines=[], scores_available=scores_available)
    set_source = _reference_source(reference_set)
    for application in items:
        service = application.service
        value = reference_value_for(reference_set, service)
        key_score = scores.get(service.pk)
        score = key_score[1] if key_score else None
        result.lines.append(
            LineInput(
                key=application.pk,
                units=application.units,
                unit=application.unit,
                usual_cost=value.usual_cost if value else None,
                usual_revenue=value.usual_revenue if value else None,
                max_public_share=value.max_public_share if value else None,
                public_need=budget.public_need(application.costs, application.revenues),
                score=score,
                reference_unit=value.unit if value else None,
            )
        )
        result.sources[application.pk] = {
            "reference_set": set_source,
            "reference_value": (
                {
                    "pk": value.pk,
                    "kind": value.kind.code,
                    "kind_name": value.kind.name,
                    "form": value.form.code if value.form_id else None,
                    "form_name": str(value.form) if value.form_id else None,
                    "unit": value.unit,
                }
                if value
                else None
            ),
            "budget": _budget_sums(application),
            "score": {"key": key_score[0], "total": _text(score)} if key_score else None,
            "scores_available": scores_available,
            "application_state": application.state,
        }
    return result


def build(programme: Programme) -> list[LineInput]:
    """The engine's inputs of ``programme``: one line per submitted or accepted application."""
    return collect(programme).lines
