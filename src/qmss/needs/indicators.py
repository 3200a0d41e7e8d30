"""The indicator engine: indicator values computed on demand from APPROVED submissions, never stored.

An indicator (:class:`qmss.needs.models.Indicator`) is ``numerator / denominator × factor`` over the data elements
of a submission, written in the expression language of :mod:`qmss.needs.expressions`, with optional filters by
service kind codes and delivery form keys.

- A **service's value** is ``num / den × factor``; ``None`` (shown "–") when a part is missing or ``den`` is 0.
  An indicator without a denominator is ``num × factor``.
- A **group's value** (region, kind × form, peer group, an organisation's services) is the pooled ratio
  ``Σ num / Σ den × factor`` over the services whose own value is known (a service with a zero or missing
  denominator adds nothing).
- **Benchmarking**: the peer group of a service is the same kind × delivery forms × size band (bands of
  registered capacity are data: ``libraries/needs/size-bands.yaml``). A group of fewer than
  :data:`MIN_GROUP_SIZE` services with a known value is *suppressed* – no group figures – for everybody but the
  staff of the round's region and superusers.

This module is the ONE place where indicator values are computed (pages, API, KPI binding, the region's
evaluation dashboard). Values of many submissions are read in ONE query (``values_list`` over
``SubmissionValue``, only the elements the formulas name), the registry facts in one more; nothing is queried
per service. Formulas are parsed and compiled once (:func:`qmss.needs.expressions.compiled`).
:func:`pooled_values` computes many indicators over many rounds in one pass and caches each round's figures under
a fingerprint of its approved submissions and the registry data version (never stale); :func:`round_results`
caches a round's service values the same way.
"""

from __future__ import annotations

import hashlib
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from django.db.models import Count, Max
from django.utils.translation import gettext as _

from qmss.core.roles import Perm
from qmss.needs.expressions import ExpressionError, compiled, parse
from qmss.needs.indicator_data import (  # noqa: F401 – the engine's loading, re-exported for its callers
    CAPACITY_ELEMENT,
    Facts,
    Values,
    load_facts,
    load_values,
)
from qmss.needs.models import CollectionRound, Indicator, Submission
from qmss.needs.size_bands import (  # noqa: F401 – re-exported: the engine's interface names them
    SizeBand,
    SizeBands,
    SizeBandsError,
    read_size_bands,
    size_bands,
    size_bands_path,
)
from qmss.registry.cache import current_version, page_cache

MIN_GROUP_SIZE = 5


# --- results ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceValue:
    service_id: int
    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal | None
    facts: Facts

    @property
    def known(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class Point:
    round: CollectionRound
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    services: int
    indicator: Indicator | None = None  # the round's definition (decimals, unit)


@dataclass(frozen=True)
class GroupKey:
    kind_code: str
    form_keys: tuple[str, ...]
    band_code: str


@dataclass
class GroupStats:
    key: GroupKey
    band: SizeBand | None
    size: int  # services with a known value
    suppressed: bool
    note: str = ""
    value: Decimal | None = None  # pooled
    median: Decimal | None = None
    q1: Decimal | None = None
    q3: Decimal | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    values: list[Decimal] = field(default_factory=list)


@dataclass
class Benchmark:
    indicator: Indicator
    round: CollectionRound
    service_id: int
    value: Decimal | None
    group: GroupStats
    rank: int | None = None
    percentile: Decimal | None = None

    @property
    def suppressed(self) -> bool:
        return self.group.suppressed

    @property
    def size(self) -> int:
        return self.group.size


# --- evaluation (the one evaluator of indicator values) ------------------------------------------------------

Outcome = tuple[Decimal | None, Decimal | None, Decimal | None]
_ONE = Decimal(1)
_NO_VALUES: Values = {}


@lru_cache(maxsize=1024)
def _formula(numerator: str, denominator: str, factor_text: str) -> Callable[[Values], Outcome]:
    """A submission's values → (numerator, denominator, value): the formula parsed and compiled once (keyed by
    the factor's text: 100 and 100.00 are equal but print differently)."""
    factor = Decimal(factor_text)
    try:
        num = compiled(numerator)
        den = compiled(denominator) if denominator else None
    except ExpressionError:  # a formula that does not parse gives None
        return lambda values: (None, None, None)

    def formula(values: Values) -> Outcome:
        n = num(values)
        if n.__class__ is bool:  # a comparison is not a number
            n = None
        if den is None:
            d = _ONE
        else:
            d = den(values)
            if d.__class__ is bool:
                d = None
        if n is None or d is None or d == 0:
            return n, d, None
        return n, d, n / d * factor

    return formula


def _formula_of(indicator: Indicator) -> Callable[[Values], Outcome]:
    return _formula(indicator.numerator, indicator.denominator, str(indicator.factor))


def compute(indicator: Indicator, values: Values) -> Outcome:
    """(numerator, denominator, value) of one submission's values; an expression that does not parse gives None."""
    return _formula_of(indicator)(values)


def applies(indicator: Indicator, facts: Facts) -> bool:
    """The indicator's filters: kind codes and delivery form keys (empty = all)."""
    if indicator.kinds and facts.kind_code not in indicator.kinds:
        return False
    return not indicator.forms or any(key in indicator.forms for key in facts.form_keys)


def pooled(
    results: Iterable[ServiceValue], factor: Decimal
) -> tuple[Decimal | None, Decimal | None, Decimal | None, int]:
    """(value, Σ numerators, Σ denominators, services) over the results whose own value is known."""
    known = [r for r in results if r.known]
    if not known:
        return None, None, None, 0
    numerator = sum((r.numerator for r in known), Decimal(0))
    denominator = sum((r.denominator for r in known), Decimal(0))
    value = numerator / denominator * factor if denominator else None
    return value, numerator, denominator, len(known)


def element_codes(indicators: Iterable[Indicator], *, capacity: bool = True) -> set[str]:
    """The data elements the indicators read (and the capacity, which places a service in its size band)."""
    codes = {CAPACITY_ELEMENT} if capacity else set()
    for indicator in indicators:
        for text in (indicator.numerator, indicator.denominator):
            if text:
                try:
                    codes |= parse(text).names
                except ExpressionError:
                    continue
    return codes


@dataclass
class RoundData:
    """The loaded approved values and facts of some rounds (reused for several indicators)."""

    values: dict[tuple[int, int], Values]
    facts: dict[tuple[int, int], Facts]
    _by_round: dict[int, dict[int, Facts]] | None = None

    @classmethod
    def load(
        cls, round_ids: Iterable[int], indicators: Iterable[Indicator], service_ids=None, *, capacity: bool = True
    ) -> RoundData:
        """The approved submissions of the rounds (of ``service_ids`` only, when given); ``capacity`` False when
        no size band is needed (time series). Three queries, whatever the number of rounds and services."""
        round_ids = list(round_ids)
        service_ids = None if service_ids is None else list(service_ids)
        by_submission = load_values(round_ids, element_codes(indicators, capacity=capacity), service_ids)
        facts = load_facts(round_ids, by_submission, service_ids, capacity=capacity)
        values = {key: by_submission[pk] for key, (pk, _f) in facts.items() if pk in by_submission}
        return cls(values=values, facts={key: fact for key, (_pk, fact) in facts.items()})

    def outcomes(self, round_id: int, indicator: Indicator, service_ids=None):
        """(service pk, facts, numerator, denominator, value) of every approved submission of the round the
        indicator applies to (value None when unknown) – the one place where values are computed."""
        wanted = None if service_ids is None else set(service_ids)
        formula = _formula_of(indicator)
        values = self.values
        for service_id, facts in self.by_round().get(round_id, {}).items():
            if (wanted is not None and service_id not in wanted) or not applies(indicator, facts):
                continue
            yield service_id, facts, *formula(values.get((round_id, service_id), _NO_VALUES))

    def results(self, round_id: int, indicator: Indicator, service_ids=None) -> list[ServiceValue]:
        """Every approved submission of the round the indicator applies to (value None when unknown)."""
        return [ServiceValue(s, n, d, v, f) for s, f, n, d, v in self.outcomes(round_id, indicator, service_ids)]

    def by_round(self) -> dict[int, dict[int, Facts]]:
        """Round pk → service pk → facts (built once)."""
        if self._by_round is None:
            self._by_round = defaultdict(dict)
            for (round_id, service_id), facts in self.facts.items():
                self._by_round[round_id][service_id] = facts
        return self._by_round


# --- many indicators over many rounds, cached per round ---------------------------------------------------------

CACHE_TIMEOUT = 7 * 24 * 60 * 60  # seconds; a changed round gets a new key anyway


@dataclass(frozen=True)
class Pool:
    """An indicator's pooled figures over some services of a round (additive: pools of parts sum up)."""

    numerator: Decimal = Decimal(0)  # Σ over the services whose own value is known
    denominator: Decimal = Decimal(0)
    services: int = 0  # services whose own value is known
    applicable: int = 0  # approved submissions the indicator applies to (value known or not)

    def __add__(self, other: Pool) -> Pool:
        return Pool(
            self.numerator + other.numerator,
            self.denominator + other.denominator,
            self.services + other.services,
            self.applicable + other.applicable,
        )

    def value(self, factor: Decimal) -> Decimal | None:
        return self.numerator / self.denominator * factor if self.services and self.denominator else None

    def point(self, round_: CollectionRound, indicator: Indicator) -> Point:
        if not self.services:
            return Point(round_, None, None, None, 0, indicator)
        return Point(round_, self.value(indicator.factor), self.numerator, self.denominator, self.services, indicator)


EMPTY_POOL = Pool()


def round_fingerprints(round_ids: Iterable[int], states: Iterable[str]) -> dict[int, str]:
    """Per round, what changes whenever the values its submissions in ``states`` contribute can change: their
    number, the newest pk, and the latest save, submission and decision (values are only saved in a draft or
    a returned submission, and reach these states again only through a new submission or decision) – one query.
    A round without such a submission is absent."""
    rows = (
        Submission.objects.filter(round_id__in=list(round_ids), state__in=list(states))
        .values("round_id")
        .annotate(
            n=Count("pk"),
            top=Max("pk"),
            saved=Max("last_saved_at"),
            sent=Max("submitted_at"),
            decided=Max("decided_at"),
        )  # fmt: skip
        .order_by()
    )
    return {row["round_id"]: repr((row["n"], row["top"], row["saved"], row["sent"], row["decided"])) for row in rows}


def cache_key(prefix: str, *parts: object) -> str:
    """A key of results computed from a round's data: the registry data version (kinds, forms and capacities of
    services fall back on the registry), then the parts (round, fingerprint, definitions, filters)."""
    text = "\x1f".join([current_version(), *(repr(part) for part in parts)])
    return f"needs:{prefix}:{hashlib.sha256(text.encode('utf-8')).hexdigest()}"


def _definition(indicator: Indicator) -> tuple:
    return (
        indicator.code, indicator.numerator, indicator.denominator, str(indicator.factor),
        list(indicator.kinds or ()), list(indicator.forms or ()),
    )  # fmt: skip


def _pools(data: RoundData, round_id: int, indicators: Sequence[Indicator], service_ids) -> dict:
    """Indicator code → kind code → :class:`Pool` of one round (the kinds kept apart: any kind filter, or none,
    is read from the same figures)."""
    answer: dict[str, dict[str, Pool]] = {}
    for indicator in indicators:
        sums: dict[str, list] = {}
        for _service, facts, numerator, denominator, value in data.outcomes(round_id, indicator, service_ids):
            part = sums.get(facts.kind_code)
            if part is None:
                part = sums[facts.kind_code] = [[], [], 0]
            part[2] += 1
            if value is not None:
                part[0].append(numerator)
                part[1].append(denominator)
        answer[indicator.code] = {
            kind: Pool(sum(num, Decimal(0)), sum(den, Decimal(0)), len(num), n) for kind, (num, den, n) in sums.items()
        }
    return answer


def pooled_values(
    *, rounds: Sequence[CollectionRound], indicators: Iterable[Indicator], service_ids=None, kind_code=None
) -> dict[tuple[str, int], Pool]:
    """(indicator code, round pk) → the indicator's :class:`Pool` over the round's approved submissions (of
    ``service_ids`` / of services of ``kind_code`` only, when given), for MANY indicators over MANY rounds: each
    round uses the given indicators of its own template.

    A round's figures are cached under a fingerprint of its approved submissions (:func:`round_fingerprints`), the
    definitions, the services asked for and the registry data version, so they are never stale (a save, a
    submission or a decision in a round gives it a new key). The rounds not in the cache are computed together:
    one query for their values (only the elements the formulas name), one for their facts."""
    rounds = list(rounds)
    by_template: dict[int, list[Indicator]] = defaultdict(list)
    for indicator in indicators:
        by_template[indicator.template_id].append(indicator)
    rounds = [r for r in rounds if by_template.get(r.template_id)]
    if not rounds:
        return {}
    fingerprints = round_fingerprints([r.pk for r in rounds], [Submission.State.APPROVED])
    rounds = [r for r in rounds if r.pk in fingerprints]  # no approved submission: nothing to compute
    wanted = None if service_ids is None else sorted(set(service_ids))
    services_part = None if wanted is None else hashlib.sha256(repr(wanted).encode()).hexdigest()
    keys = {
        r.pk: cache_key(
            "pooled",
            r.pk,
            r.template_id,
            fingerprints[r.pk],
            [_definition(i) for i in by_template[r.template_id]],
            services_part,
        )
        for r in rounds
    }
    cache = page_cache()
    found = cache.get_many(list(keys.values())) if keys else {}
    missing = [r for r in rounds if keys[r.pk] not in found]
    if missing:
        needed = [i for template_id in {r.template_id for r in missing} for i in by_template[template_id]]
        data = RoundData.load([r.pk for r in missing], needed, wanted, capacity=False)
        fresh = {keys[r.pk]: _pools(data, r.pk, by_template[r.template_id], wanted) for r in missing}
        cache.set_many(fresh, CACHE_TIMEOUT)
        found.update(fresh)
    answer = {}
    for round_ in rounds:
        for code, kinds in found[keys[round_.pk]].items():
            if kind_code is not None:
                answer[(code, round_.pk)] = kinds.get(kind_code, EMPTY_POOL)
            else:
                answer[(code, round_.pk)] = sum(kinds.values(), EMPTY_POOL)
    return answer


def round_results(*, round: CollectionRound, indicator: Indicator, service_ids=None) -> list[ServiceValue]:  # noqa: A002
    """Every approved submission of the round the indicator applies to, with its value (cached per round like
    :func:`pooled_values`)."""
    fingerprint = round_fingerprints([round.pk], [Submission.State.APPROVED]).get(round.pk)
    if fingerprint is None:
        return []
    key = cache_key("results", round.pk, round.template_id, fingerprint, _definition(indicator))
    cache = page_cache()
    results = cache.get(key)
    if results is None:
        results = RoundData.load([round.pk], [indicator]).results(round.pk, indicator)
        cache.set(key, results, CACHE_TIMEOUT)
    if service_ids is None:
        return results
    wanted = set(service_ids)
    return [r for r in results if r.service_id in wanted]


# --- the interface of the spec ---------------------------------------------------------------------------------


def indicators_for_rounds(indicator_code: str, rounds: Sequence[CollectionRound]) -> dict[int, Indicator]:
    """Template pk → the indicator of that code in the template (rounds of different template versions)."""
    template_ids = {r.template_id for r in rounds}
    return {i.template_id: i for i in Indicator.objects.filter(template_id__in=template_ids, code=indicator_code)}


def series(*, indicator_code: str, rounds, service_ids=None) -> list[Point]:
    """The indicator's pooled value per round (in the order given), over ``service_ids`` or all services."""
    rounds = list(rounds)
    if not rounds:
        return []
    by_template = indicators_for_rounds(indicator_code, rounds)
    pools = pooled_values(rounds=rounds, indicators=by_template.values(), service_ids=service_ids)
    points = []
    for round_ in rounds:
        indicator = by_template.get(round_.template_id)
        if indicator is None:
            points.append(Point(round_, None, None, None, 0))
        else:
            points.append(pools.get((indicator_code, round_.pk), EMPTY_POOL).point(round_, indicator))
    return points


def service_values(*, round: CollectionRound, indicator: Indicator) -> dict[int, Decimal | None]:  # noqa: A002
    """Service pk → the indicator's value, for every approved submission of the round it applies to."""
    return {r.service_id: r.value for r in round_results(round=round, indicator=indicator)}


def group_key(facts: Facts, bands: SizeBands) -> GroupKey:
    band = bands.band_for(facts.capacity)
    return GroupKey(facts.kind_code, facts.form_keys, band.code if band else "")


def may_see_small_groups(scope, round: CollectionRound) -> bool:  # noqa: A002
    """The staff of the round's region and superusers see groups of any size."""
    return bool(scope is not None and (scope.is_superuser or round.region_id in scope.region_ids(Perm.VIEW)))


def _sorted_for(direction: str, values: list[Decimal]) -> list[Decimal]:
    return sorted(values, reverse=direction == Indicator.Direction.HIGHER)


def group_stats(
    results: Sequence[ServiceValue], indicator: Indicator, *, show_small: bool
) -> dict[GroupKey, GroupStats]:
    """Peer groups (kind × forms × size band) of the results with their figures; small groups suppressed unless
    ``show_small``."""
    bands = size_bands()
    members: dict[GroupKey, list[ServiceValue]] = defaultdict(list)
    for result in results:
        members[group_key(result.facts, bands)].append(result)
    by_code = {band.code: band for band in bands.bands}
    groups = {}
    for key, items in members.items():
        known = sorted(r.value for r in items if r.known)
        stats = GroupStats(key=key, band=by_code.get(key.band_code), size=len(known), suppressed=False)
        if len(known) < MIN_GROUP_SIZE and not show_small:
            stats.suppressed = True
            stats.note = _(
                "The group is too small: fewer than {n} services with a value. Its figures are shown only to the "
                "region, so that no single service can be recognised."
            ).format(n=MIN_GROUP_SIZE)
        elif known:
            stats.value = pooled(items, indicator.factor)[0]
            stats.values = known
            stats.median = statistics.median(known)
            stats.minimum, stats.maximum = known[0], known[-1]
            if len(known) >= 2:
                stats.q1, _q2, stats.q3 = statistics.quantiles(known, n=4, method="inclusive")
            else:
                stats.q1 = stats.q3 = known[0]
        groups[key] = stats
    return groups


def position(result: ServiceValue, stats: GroupStats, indicator: Indicator) -> tuple[int | None, Decimal | None]:
    """(rank – 1 is the best by the indicator's direction, ascending when it has none –, percentile rank: the
    share of the group's values lower than or equal to the service's, in %)."""
    if stats.suppressed or not result.known or not stats.values:
        return None, None
    value = result.value
    if indicator.direction == Indicator.Direction.HIGHER:
        better = sum(1 for v in stats.values if v > value)
    else:
        better = sum(1 for v in stats.values if v < value)
    at_most = sum(1 for v in stats.values if v <= value)
    return better + 1, Decimal(at_most * 100) / len(stats.values)


def benchmarks(
    results: Sequence[ServiceValue],
    *,
    round: CollectionRound,
    indicator: Indicator,
    scope,  # noqa: A002
) -> dict[int, Benchmark]:
    """Service pk → its benchmark, for every result (groups computed once)."""
    groups = group_stats(results, indicator, show_small=may_see_small_groups(scope, round))
    bands = size_bands()
    answer = {}
    for result in results:
        stats = groups[group_key(result.facts, bands)]
        rank, percentile = position(result, stats, indicator)
        answer[result.service_id] = Benchmark(
            indicator, round, result.service_id, result.value, stats, rank, percentile
        )
    return answer


def benchmark(*, round: CollectionRound, indicator: Indicator, service, scope) -> Benchmark | None:  # noqa: A002
    """The service's position in its peer group in the round (None when it has no approved submission the
    indicator applies to). ``suppressed`` when the group is smaller than :data:`MIN_GROUP_SIZE` and the viewer
    is not the region's staff or a superuser."""
    service_id = getattr(service, "pk", service)
    results = round_results(round=round, indicator=indicator)
    return benchmarks(results, round=round, indicator=indicator, scope=scope).get(service_id)


def kpi_service_ids(kpi) -> list[int]:
    """The services a process KPI is measured over: the process's services that are the organisation's linked
    services, or else all the organisation's linked services."""
    from qmss.registry.selectors_links import linked_services

    process = kpi.process
    linked = linked_services(process.organisation)
    chosen = list(linked.filter(processes=process).values_list("pk", flat=True))
    return chosen or list(linked.values_list("pk", flat=True))


def kpi_values(kpi) -> list[Point]:
    """The bound indicator's pooled value for the organisation's services per round with an approved submission
    of them (oldest first); empty when the KPI is not bound."""
    return kpi_values_many([kpi]).get(kpi.pk, [])


def kpi_values_many(kpis: Sequence) -> dict[int, list[Point]]:
    """:func:`kpi_values` of several KPIs in a number of queries that does not grow with them (per process)."""
    by_process: dict[int, list] = defaultdict(list)
    for kpi in kpis:
        if getattr(kpi, "indicator_code", ""):
            by_process[kpi.process_id].append(kpi)
    answer: dict[int, list[Point]] = {}
    for bound in by_process.values():
        service_ids = kpi_service_ids(bound[0])
        if not service_ids:
            continue
        rounds = list(
            CollectionRound.objects.filter(
                submissions__service_id__in=service_ids, submissions__state=Submission.State.APPROVED
            )
            .distinct()
            .order_by("period_end", "pk")
        )
        if not rounds:
            continue
        codes = {kpi.indicator_code for kpi in bound}
        definitions = Indicator.objects.filter(template_id__in={r.template_id for r in rounds}, code__in=codes)
        by_key = {(i.template_id, i.code): i for i in definitions}
        pools = pooled_values(rounds=rounds, indicators=by_key.values(), service_ids=service_ids)
        for kpi in bound:
            points = []
            for round_ in rounds:
                indicator = by_key.get((round_.template_id, kpi.indicator_code))
                pool = pools.get((kpi.indicator_code, round_.pk), EMPTY_POOL)
                if indicator is not None and pool.applicable:  # the indicator applies to the services ("–" or not)
                    points.append(pool.point(round_, indicator))
            answer[kpi.pk] = points
    return answer
