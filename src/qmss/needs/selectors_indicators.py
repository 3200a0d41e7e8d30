"""Reads of the indicator pages and API, scoped.

- Indicator **definitions** are public reference data (the published collection templates).
- The **region's view** of a round (region value, distribution by kind × form, every service's value, peer
  groups) is for the staff of the round's region and superusers.
- A **provider's view** shows only its own services (the verified link), their values and their position in the
  peer group; small groups are suppressed (:mod:`qmss.needs.indicators`).
- Anonymous visitors and other roles get the definitions only.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from qmss.core.collation import czech_sorted
from qmss.core.roles import OrganisationKind, Perm
from qmss.core.scoping import Scope, get_object_or_404_scoped
from qmss.needs import indicators as engine
from qmss.needs.expressions import ExpressionError, parse
from qmss.needs.models import (
    CollectionRound,
    CollectionTemplate,
    DataElement,
    DisaggregationCategory,
    Indicator,
    Submission,
    SubmissionValue,
)
from qmss.needs.selectors_rounds import visible_rounds
from qmss.registry.models import DeliveryForm, Service, ServiceKind
from qmss.registry.selectors import in_regions_condition
from qmss.registry.selectors_links import services_of_organisations

# --- definitions -------------------------------------------------------------------------------------------------


def current_template() -> CollectionTemplate | None:
    """The newest published collection template (H1's ``library.current_template`` when present)."""
    try:
        from qmss.needs.library import current_template as library_current
    except ImportError:
        library_current = None
    if library_current is not None:
        return library_current()
    return CollectionTemplate.objects.filter(published_at__isnull=False).order_by("-published_at", "-version").first()


def current_indicators() -> list[Indicator]:
    template = current_template()
    if template is None:
        return []
    return list(Indicator.objects.filter(template=template).select_related("template").order_by("order", "code"))


def indicator_choices() -> list[tuple[str, str]]:
    """(code, name) of the current template's indicators, for binding a process KPI."""
    return [(i.code, i.name) for i in current_indicators()]


def published_indicators() -> QuerySet[Indicator]:
    return Indicator.objects.filter(template__published_at__isnull=False).select_related("template")


def get_indicator(pk: int) -> Indicator:
    """An indicator of a published template (404 otherwise); definitions are public."""
    return get_object_or_404_scoped(published_indicators(), pk=pk)


def _names(template_id: int) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    elements = dict(DataElement.objects.filter(template_id=template_id).values_list("code", "name"))
    categories = {
        (code, category): name
        for code, category, name in DisaggregationCategory.objects.filter(
            disaggregation__template_id=template_id
        ).values_list("disaggregation__code", "code", "name")
    }
    # a category is named through the element's disaggregation
    element_disaggregation = dict(
        DataElement.objects.filter(template_id=template_id, disaggregation__isnull=False).values_list(
            "code", "disaggregation__code"
        )
    )
    by_element = {
        (element, category): name
        for element, disaggregation in element_disaggregation.items()
        for (d, category), name in categories.items()
        if d == disaggregation
    }
    return elements, by_element


_OPERATORS = {ast.Add: "+", ast.Sub: "−", ast.Mult: "×", ast.Div: "÷"}
_PRECEDENCE = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2}


def _words(node: ast.AST, elements: dict, categories: dict, parent: int = 0) -> str:
    if isinstance(node, ast.Constant):
        return str(node.value).replace(".", ",")
    if isinstance(node, ast.Name):
        return elements.get(node.id, node.id)
    if isinstance(node, ast.Subscript):
        code, category = node.value.id, node.slice.value
        return f"{elements.get(code, code)} – {categories.get((code, category), category)}"
    if isinstance(node, ast.Call):  # nz(x): a missing value counts as 0
        return _words(node.args[0], elements, categories, parent)
    if isinstance(node, ast.UnaryOp):
        return "−" + _words(node.operand, elements, categories, 3)
    if isinstance(node, ast.BinOp):
        level = _PRECEDENCE[type(node.op)]
        text = " ".join(
            (
                _words(node.left, elements, categories, level),
                _OPERATORS[type(node.op)],
                _words(node.right, elements, categories, level + 1),
            )
        )
        return f"({text})" if level < parent else text
    return ast.unparse(node)


def formula_words(indicator: Indicator, elements: dict | None = None, categories: dict | None = None) -> str:
    """The formula in words with the names of the data elements: “(A ÷ (B + C)) × 100”."""
    if elements is None or categories is None:
        elements, categories = _names(indicator.template_id)
    try:
        numerator = _words(parse(indicator.numerator).tree.body, elements, categories, 2)
        text = numerator
        if indicator.denominator:
            denominator = _words(parse(indicator.denominator).tree.body, elements, categories, 3)
            text = f"{numerator} ÷ {denominator}"
    except ExpressionError:
        return f"{indicator.numerator} / {indicator.denominator}"
    if indicator.factor != 1:
        factor = engine_number(indicator.factor)
        text = f"({text}) × {factor}" if indicator.denominator else f"{text} × {factor}"
    return text


def engine_number(value: Decimal) -> str:
    from qmss.core.formatting import format_decimal

    return format_decimal(value)


def definitions() -> list[Indicator]:
    """The current indicators with their formula in words (two queries for the names)."""
    indicators = current_indicators()
    if indicators:
        elements, categories = _names(indicators[0].template_id)
        for indicator in indicators:
            indicator.formula = formula_words(indicator, elements, categories)
    return indicators


# --- who sees what -----------------------------------------------------------------------------------------------


def region_rounds(scope: Scope, indicator: Indicator) -> list[CollectionRound]:
    """Rounds the scope runs as region staff (superuser: all) whose template defines the indicator's code."""
    qs = CollectionRound.objects.filter(template__indicators__code=indicator.code).select_related("region")
    if not scope.is_superuser:
        qs = qs.filter(region_id__in=scope.region_ids(Perm.VIEW))
    return list(qs.distinct().order_by("-period_end", "name", "pk"))


def provider_service_ids(scope: Scope) -> list[int]:
    """The registry services of the scope's provider organisations (verified link)."""
    if not scope.is_authenticated:
        return []
    organisation_ids = [g.organisation_id for g in scope.grants if g.organisation_kind == OrganisationKind.PROVIDER]
    if not organisation_ids:
        return []
    return list(services_of_organisations(organisation_ids).values_list("pk", flat=True))


def provider_rounds(service_ids: list[int], indicator: Indicator) -> list[CollectionRound]:
    """Rounds with an approved submission of the services, whose template defines the indicator's code."""
    if not service_ids:
        return []
    approved = Submission.objects.filter(
        round=OuterRef("pk"), service_id__in=service_ids, state=Submission.State.APPROVED
    )
    qs = CollectionRound.objects.filter(Exists(approved), template__indicators__code=indicator.code)
    return list(qs.select_related("region").distinct().order_by("-period_end", "name", "pk"))


def pick_round(rounds: list[CollectionRound], wanted: str | None) -> CollectionRound | None:
    """The round of ``rounds`` asked for by its pk (the newest when not asked or not among them)."""
    for round_ in rounds:
        if wanted and str(round_.pk) == wanted:
            return round_
    return rounds[0] if rounds else None


def round_indicator(round_: CollectionRound, indicator: Indicator) -> Indicator | None:
    """The definition of the indicator's code in the round's template version."""
    if round_.template_id == indicator.template_id:
        return indicator
    return Indicator.objects.filter(template_id=round_.template_id, code=indicator.code).first()


# --- region view -------------------------------------------------------------------------------------------------


@dataclass
class Row:
    service: Service
    result: engine.ServiceValue
    benchmark: engine.Benchmark | None = None


@dataclass
class Slice:
    kind_name: str
    forms_name: str
    value: Decimal | None
    services: int
    known: int


@dataclass
class GroupRow:
    kind_name: str
    forms_name: str
    stats: engine.GroupStats


@dataclass
class RoundView:
    round: CollectionRound
    indicator: Indicator
    value: Decimal | None = None
    services: int = 0
    known: int = 0
    rows: list[Row] = field(default_factory=list)
    slices: list[Slice] = field(default_factory=list)
    groups: list[GroupRow] = field(default_factory=list)


def _labels() -> tuple[dict[str, str], dict[str, str]]:
    kinds = dict(ServiceKind.objects.values_list("code", "name"))
    forms = dict(DeliveryForm.objects.values_list("key", "name"))
    return kinds, forms


def _forms_name(keys: tuple[str, ...], forms: dict[str, str]) -> str:
    return ", ".join(forms.get(key, key) for key in keys) or _("unknown form")


def _services(ids) -> dict[int, Service]:
    return {s.pk: s for s in Service.objects.filter(pk__in=list(ids)).select_related("kind", "provider")}


def region_view(scope: Scope, round_: CollectionRound, indicator: Indicator) -> RoundView:
    """Everything the region's page of one round shows (a fixed number of queries)."""
    results = engine.round_results(round=round_, indicator=indicator)
    benchmarks = engine.benchmarks(results, round=round_, indicator=indicator, scope=scope)
    value, _num, _den, known = engine.pooled(results, indicator.factor)
    view = RoundView(round=round_, indicator=indicator, value=value, services=len(results), known=known)
    services = _services(r.service_id for r in results)
    kinds, forms = _labels()
    rows = [Row(services[r.service_id], r, benchmarks.get(r.service_id)) for r in results if r.service_id in services]
    view.rows = czech_sorted(rows, key=lambda row: row.service.name or str(row.service.portal_id))
    sliced: dict[tuple[str, tuple[str, ...]], list[engine.ServiceValue]] = defaultdict(list)
    for r in results:
        sliced[(r.facts.kind_code, r.facts.form_keys)].append(r)
    for (kind, form_keys), items in sliced.items():
        pooled_value, _n, _d, n_known = engine.pooled(items, indicator.factor)
        view.slices.append(
            Slice(
                kinds.get(kind, kind or _("unknown kind")),
                _forms_name(form_keys, forms),
                pooled_value,
                len(items),
                n_known,
            )
        )
    view.slices = czech_sorted(view.slices, key=lambda s: f"{s.kind_name} {s.forms_name}")
    seen = {}
    for bench in benchmarks.values():
        seen[bench.group.key] = bench.group
    view.groups = czech_sorted(
        [GroupRow(kinds.get(k.kind_code, k.kind_code), _forms_name(k.form_keys, forms), s) for k, s in seen.items()],
        key=lambda g: f"{g.kind_name} {g.forms_name} {g.stats.band.minimum if g.stats.band else 0:06d}",
    )
    return view


def provider_view(scope: Scope, round_: CollectionRound, indicator: Indicator, service_ids: list[int]) -> RoundView:
    """The provider's own services in one round with their position in the peer group (computed over the whole
    round; small groups suppressed for the provider)."""
    results = engine.round_results(round=round_, indicator=indicator)
    benchmarks = engine.benchmarks(results, round=round_, indicator=indicator, scope=scope)
    own_ids = set(service_ids)
    own = [r for r in results if r.service_id in own_ids]
    services = _services(r.service_id for r in own)
    value, _num, _den, known = engine.pooled(own, indicator.factor)
    view = RoundView(round=round_, indicator=indicator, value=value, services=len(own), known=known)
    rows = [Row(services[r.service_id], r, benchmarks.get(r.service_id)) for r in own if r.service_id in services]
    view.rows = czech_sorted(rows, key=lambda row: row.service.name or str(row.service.portal_id))
    return view


# --- a service's own values (API) ---------------------------------------------------------------------------------


def may_see_service_values(scope: Scope, service: Service) -> bool:
    """Members of the service's verified provider's organisation, the staff of a region the service lies in and
    superusers."""
    if scope.is_superuser:
        return True
    if not scope.is_authenticated:
        return False
    if service.pk in provider_service_ids(scope):
        return True
    region_ids = scope.region_ids(Perm.VIEW)
    return bool(region_ids) and Service.objects.filter(in_regions_condition(region_ids), pk=service.pk).exists()


def get_service_for_values(scope: Scope, portal_id: int) -> Service:
    """The registry service whose values the scope may read (404 otherwise)."""
    service = get_object_or_404_scoped(Service.objects.select_related("kind"), portal_id=portal_id)
    if not may_see_service_values(scope, service):
        from django.http import Http404

        raise Http404
    return service


@dataclass
class RoundValues:
    submission: Submission
    values: list[tuple[str, str, Decimal]]
    indicators: list[tuple[Indicator, Decimal | None]]


def service_rounds(scope: Scope, service: Service) -> list[RoundValues]:
    """The service's submissions in the rounds the scope sees, with the submitted values and the indicator values
    (of approved submissions only), newest first. A fixed number of queries."""
    own = service.pk in provider_service_ids(scope)
    submissions = Submission.objects.filter(service=service).select_related("round").order_by("-round__period_end")
    if not own and not scope.is_superuser:
        submissions = submissions.filter(round__in=visible_rounds(scope)).exclude(state=Submission.State.DRAFT)
    submissions = list(submissions)
    if not submissions:
        return []
    rows = SubmissionValue.objects.filter(submission__in=submissions).values_list(
        "submission_id", "element__code", "category", "value"
    )
    by_submission: dict[int, list] = defaultdict(list)
    for submission_id, code, category, value in rows.order_by("element__order", "element__code", "category"):
        by_submission[submission_id].append((code, category, value))
    template_ids = {s.round.template_id for s in submissions}
    indicators = defaultdict(list)
    for indicator in Indicator.objects.filter(template_id__in=template_ids).order_by("order", "code"):
        indicators[indicator.template_id].append(indicator)
    approved_rounds = [s.round_id for s in submissions if s.state == Submission.State.APPROVED]
    data = engine.RoundData.load(approved_rounds, [i for items in indicators.values() for i in items], [service.pk])
    answer = []
    for submission in submissions:
        computed = []
        for indicator in indicators.get(submission.round.template_id, []):
            value = None
            if submission.state == Submission.State.APPROVED:
                results = data.results(submission.round_id, indicator, [service.pk])
                value = results[0].value if results else None
                if not results:
                    continue  # the indicator's filters exclude the service
            computed.append((indicator, value))
        answer.append(RoundValues(submission, by_submission.get(submission.pk, []), computed))
    return answer
