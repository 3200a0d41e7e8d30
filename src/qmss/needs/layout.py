"""The form of a round: which data elements a provider fills, in which sections and categories, and what comes
pre-filled from the registry and the service card (never re-typed).

``form_layout(round)`` is computed from the round's template version (one query per table, cached on the round
object); ``applies(spec, submission)`` hides elements not meant for the service's delivery forms;
``prefill_values(submission)`` gives the pre-filled cells (registered capacity, days of the period, needs by
response type from the service's card of the period's year).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from qmss.core.collation import czech_sorted
from qmss.needs.models import (
    CollectionRound,
    DataElement,
    Disaggregation,
    DisaggregationCategory,
    ServiceCardResponse,
    Submission,
)

TOTAL = ""


@dataclass(frozen=True)
class ElementSpec:
    code: str
    name: str
    section: str
    unit: str
    value_type: str
    locked: bool
    prefill: str
    required: bool
    forms: tuple[str, ...]
    min_value: Decimal | None
    max_value: Decimal | None
    categories: list[tuple[str, str]]
    # extras (not part of the shared interface, defaults keep it constructible by others)
    unit_of_kind: bool = False
    help_text: str = ""
    element_id: int | None = None
    disaggregation: str = ""

    @property
    def divided(self) -> bool:
        return self.categories != [(TOTAL, TOTAL)]

    @property
    def category_codes(self) -> list[str]:
        return [code for code, _name in self.categories]

    @property
    def whole_numbers(self) -> bool:
        return self.value_type == DataElement.ValueType.INTEGER


@dataclass
class FormLayout:
    elements: list[ElementSpec]
    by_code: dict[str, ElementSpec] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_code = {spec.code: spec for spec in self.elements}

    def sections(self, elements: Iterable[ElementSpec] | None = None) -> list[tuple[str, list[ElementSpec]]]:
        """Elements grouped by section, sections in the order of their first element."""
        groups: dict[str, list[ElementSpec]] = {}
        for spec in self.elements if elements is None else elements:
            groups.setdefault(spec.section, []).append(spec)
        return list(groups.items())

    def get(self, code: str) -> ElementSpec | None:
        return self.by_code.get(code)


def _orp_categories(round: CollectionRound) -> list[tuple[str, str]]:
    from qmss.territory.models import Orp

    rows = Orp.objects.filter(region_id=round.region_id).values_list("ruian_code", "name")
    return [(str(code), name) for code, name in czech_sorted(rows, key=lambda row: row[1])]


def form_layout(round: CollectionRound) -> FormLayout:
    """The round's form: the template's elements in order with their categories (ORPs of the round's region)."""
    cached = getattr(round, "_needs_layout", None)
    if cached is not None:
        return cached
    elements = list(DataElement.objects.filter(template_id=round.template_id).order_by("order", "code"))
    disaggregation_ids = {e.disaggregation_id for e in elements if e.disaggregation_id}
    disaggregations = {d.pk: d for d in Disaggregation.objects.filter(pk__in=disaggregation_ids)}
    categories: dict[int, list[tuple[str, str]]] = {}
    for category in DisaggregationCategory.objects.filter(disaggregation_id__in=disaggregation_ids).order_by(
        "order", "code"
    ):
        categories.setdefault(category.disaggregation_id, []).append((category.code, category.name))
    orps: list[tuple[str, str]] | None = None
    specs = []
    for element in elements:
        disaggregation = disaggregations.get(element.disaggregation_id)
        if disaggregation is None:
            cats = [(TOTAL, TOTAL)]
        elif disaggregation.dynamic == Disaggregation.Dynamic.ORP:
            if orps is None:
                orps = _orp_categories(round)
            cats = list(orps)
        else:
            cats = list(categories.get(disaggregation.pk, []))
        specs.append(
            ElementSpec(
                code=element.code,
                name=element.name,
                section=element.section,
                unit=element.unit,
                value_type=element.value_type,
                locked=element.locked,
                prefill=element.prefill,
                required=element.required,
                forms=tuple(element.forms or ()),
                min_value=element.min_value,
                max_value=element.max_value,
                categories=cats,
                unit_of_kind=element.unit_of_kind,
                help_text=element.help_text,
                element_id=element.pk,
                disaggregation=disaggregation.code if disaggregation else "",
            )
        )
    layout = FormLayout(elements=specs)
    round._needs_layout = layout
    return layout


def service_forms(submission: Submission) -> list[str]:
    """Delivery-form keys of the submission's service: the snapshot taken at opening (the registry as a fallback)."""
    facts = submission.registry_facts or {}
    if "forms" in facts:
        return list(facts["forms"])
    return [
        key
        for key in submission.service.forms.values_list("form__key", flat=True)  # before opening only
        if key
    ]


def applies(spec: ElementSpec, submission: Submission) -> bool:
    """Whether the element is meant for the service (its forms filter against the service's forms)."""
    if not spec.forms:
        return True
    return bool(set(spec.forms) & set(service_forms(submission)))


def unit_for(spec: ElementSpec, submission: Submission) -> str:
    """The unit shown with the element: its own, or the service's capacity unit for "unit of the kind"."""
    if spec.unit_of_kind and not spec.unit:
        return (submission.registry_facts or {}).get("capacity_unit", "")
    return spec.unit


def period_days(round: CollectionRound) -> int:
    return (round.period_end - round.period_start).days + 1


def card_response_counts(service_ids: Iterable[int], year: int) -> dict[int, dict[str, int]]:
    """Per service: how many needs its service card of ``year`` answers by each response type."""
    counts: dict[int, dict[str, int]] = {}
    rows = ServiceCardResponse.objects.filter(card__service_id__in=list(service_ids), card__year=year).values_list(
        "card__service_id", "response"
    )
    for service_id, response in rows:
        per = counts.setdefault(service_id, {})
        per[response] = per.get(response, 0) + 1
    return counts


def _prefill(
    layout: FormLayout, round: CollectionRound, submission: Submission, responses: dict[str, int] | None
) -> dict[tuple[str, str], Decimal]:
    facts = submission.registry_facts or {}
    result: dict[tuple[str, str], Decimal] = {}
    for spec in layout.elements:
        if not spec.prefill or not applies(spec, submission):
            continue
        if spec.prefill == DataElement.Prefill.REGISTERED_CAPACITY:
            capacity = facts.get("capacity")
            if capacity is not None:
                result[(spec.code, TOTAL)] = Decimal(capacity)
        elif spec.prefill == DataElement.Prefill.PERIOD_DAYS:
            result[(spec.code, TOTAL)] = Decimal(period_days(round))
        elif spec.prefill == DataElement.Prefill.CARD_RESPONSES and responses is not None:
            for code, _name in spec.categories:
                if code != TOTAL:
                    result[(spec.code, code)] = Decimal(responses.get(code, 0))
    return result


def prefill_values(submission: Submission) -> dict[tuple[str, str], Decimal]:
    """The pre-filled cells of a submission: registered capacity (from the registry snapshot), days of the period
    and the service card's needs by response type (a service without a card of the year gets no such cells)."""
    layout = form_layout(submission.round)
    responses = None
    if any(spec.prefill == DataElement.Prefill.CARD_RESPONSES for spec in layout.elements):
        counts = card_response_counts([submission.service_id], submission.round.period_start.year)
        responses = counts.get(submission.service_id)
    return _prefill(layout, submission.round, submission, responses)


def prefill_many(submissions: list[Submission]) -> dict[int, dict[tuple[str, str], Decimal]]:
    """``prefill_values`` for many submissions of one round with one query for the service cards."""
    if not submissions:
        return {}
    round = submissions[0].round
    layout = form_layout(round)
    counts = card_response_counts([s.service_id for s in submissions], round.period_start.year)
    return {s.pk: _prefill(layout, round, s, counts.get(s.service_id)) for s in submissions}
