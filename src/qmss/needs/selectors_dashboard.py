"""What the region evaluation dashboard shows (region staff; the superuser may pick any region).

Blocks: round completeness, indicators over time (pooled per round), services below the minimum form, outliers of
the latest closed round. Every block answers for all the region's rounds at once: the whole page costs a constant
number of queries, whatever the number of services and rounds (tests/needs/test_dashboard_queries.py).

Pooled indicator values (Σ numerators / Σ denominators × factor over approved submissions whose numerator and
denominator are both known) come from the indicator engine (:func:`qmss.needs.indicators.pooled_values`: every
round and indicator in one pass, each round's figures cached under a fingerprint of its submissions), never
stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from qmss.core.collation import czech_sorted
from qmss.core.roles import Perm
from qmss.core.scoping import Scope
from qmss.needs import indicators as engine
from qmss.needs import outliers as outliers_module
from qmss.needs.models import CollectionRound, DataElement, Indicator, Submission
from qmss.registry.cache import page_cache
from qmss.registry.models import ServiceKind
from qmss.territory.models import Region

YEAR_MIN, YEAR_MAX = 2000, 2100


# --- who and what ---------------------------------------------------------------------------------------------


def region_choices(scope: Scope) -> list[Region]:
    """Regions whose evaluation the user may see: where they are staff of the regional authority (all for the
    superuser), in Czech order."""
    qs = Region.objects.only("pk", "code", "name")
    if not scope.is_superuser:
        qs = qs.filter(pk__in=scope.region_ids(Perm.VIEW))
    return czech_sorted(qs, "name")


@dataclass
class Filters:
    region: Region
    year_from: int | None = None
    year_to: int | None = None
    kind: ServiceKind | None = None
    choices: list[Region] = field(default_factory=list)  # the regions the user may pick

    def query(self) -> dict[str, str]:
        """The filters as query parameters (for the export link and the chart/table anchors)."""
        params = {"region": self.region.code}
        if self.year_from:
            params["year_from"] = str(self.year_from)
        if self.year_to:
            params["year_to"] = str(self.year_to)
        if self.kind:
            params["kind"] = self.kind.code
        return params


def parse_year(text: str | None) -> int | None:
    text = (text or "").strip()
    if not text or len(text) > 4 or not text.isascii() or not text.isdigit():
        return None
    year = int(text)
    return year if YEAR_MIN <= year <= YEAR_MAX else None


def kind_choices() -> list[ServiceKind]:
    return list(ServiceKind.objects.only("pk", "code", "name").order_by("order", "name"))


def region_rounds(filters: Filters) -> list[CollectionRound]:
    """The region's opened and closed rounds in the period range, oldest first."""
    qs = CollectionRound.objects.filter(
        region_id=filters.region.pk, state__in=(CollectionRound.State.OPEN, CollectionRound.State.CLOSED)
    )
    if filters.year_from:
        qs = qs.filter(period_end__year__gte=filters.year_from)
    if filters.year_to:
        qs = qs.filter(period_start__year__lte=filters.year_to)
    return list(qs.order_by("period_end", "period_start", "pk"))


def kind_condition(kind: ServiceKind) -> Q:
    """Submissions of services of ``kind``: by the registry facts stored at opening, else the registry now."""
    no_fact = Q(registry_facts__kind__isnull=True) | Q(registry_facts__kind="")
    return Q(registry_facts__kind=kind.code) | (no_fact & Q(service__kind_id=kind.pk))


def _submissions(rounds, kind: ServiceKind | None) -> QuerySet[Submission]:
    qs = Submission.objects.filter(round_id__in=[r.pk for r in rounds])
    if kind is not None:
        qs = qs.filter(kind_condition(kind))
    return qs


def _day_after(day: date) -> datetime:
    """The first moment after ``day`` in the local time zone (a deadline lasts the whole day)."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


# --- completeness -----------------------------------------------------------------------------------------------


@dataclass
class Completeness:
    round: CollectionRound
    services: int = 0
    submitted: int = 0  # submitted or approved
    approved: int = 0
    returned: int = 0
    late: int = 0  # submitted after the deadline, or not submitted by a past deadline

    @property
    def missing(self) -> int:
        return self.services - self.submitted


def completeness(rounds: list[CollectionRound], kind: ServiceKind | None, *, today: date | None = None):
    """Per round: services in scope, submitted, approved, returned, late – one query."""
    today = today or timezone.localdate()
    done = (Submission.State.SUBMITTED, Submission.State.APPROVED)
    open_states = (Submission.State.DRAFT, Submission.State.RETURNED)
    late = Q(pk__in=[])
    for round_ in rounds:  # per round, a plain comparison of moments (no date conversion of every row)
        late |= Q(round_id=round_.pk, submitted_at__gte=_day_after(round_.deadline))
        if round_.deadline < today:
            late |= Q(round_id=round_.pk, state__in=open_states)
    rows = (
        _submissions(rounds, kind)
        .values("round_id")
        .annotate(
            services=Count("pk"),
            submitted=Count("pk", filter=Q(state__in=done)),
            approved=Count("pk", filter=Q(state=Submission.State.APPROVED)),
            returned=Count("pk", filter=Q(state=Submission.State.RETURNED)),
            late=Count("pk", filter=late),
        )
        .order_by()
    )
    by_round = {row["round_id"]: row for row in rows}
    result = []
    for round_ in rounds:
        row = by_round.get(round_.pk, {})
        result.append(
            Completeness(
                round=round_,
                services=row.get("services", 0),
                submitted=row.get("submitted", 0),
                approved=row.get("approved", 0),
                returned=row.get("returned", 0),
                late=row.get("late", 0),
            )
        )
    return result


# --- indicators over time -----------------------------------------------------------------------------------


@dataclass
class SeriesPoint:
    round: CollectionRound
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    services: int


@dataclass
class IndicatorSeries:
    indicator: Indicator
    points: list[SeriesPoint] = field(default_factory=list)

    @property
    def has_values(self) -> bool:
        return any(p.value is not None for p in self.points)


def _indicators(rounds: list[CollectionRound]) -> tuple[list[Indicator], list[Indicator]]:
    """(the indicators shown: those of the newest round's template, every indicator of the rounds' templates –
    older rounds answer by the same code with their own template's definition) – one query."""
    if not rounds:
        return [], []
    everything = list(
        Indicator.objects.filter(template_id__in={r.template_id for r in rounds}).order_by("order", "code")
    )
    return [i for i in everything if i.template_id == rounds[-1].template_id], everything


def indicator_series(rounds: list[CollectionRound], kind: ServiceKind | None) -> list[IndicatorSeries]:
    """One series per indicator across the rounds: pooled values of approved submissions (the engine's; a fixed
    number of queries)."""
    shown, everything = _indicators(rounds)
    if not shown:
        return []
    pools = engine.pooled_values(rounds=rounds, indicators=everything, kind_code=kind.code if kind else None)
    by_key = {(i.template_id, i.code): i for i in everything}
    result = []
    for indicator in shown:
        series = IndicatorSeries(indicator)
        for round_ in rounds:
            definition = by_key.get((round_.template_id, indicator.code))
            pool = pools.get((indicator.code, round_.pk), engine.EMPTY_POOL)
            if definition is None or not pool.services:
                series.points.append(SeriesPoint(round_, None, None, None, 0))
                continue
            value = pool.value(definition.factor)
            series.points.append(SeriesPoint(round_, value, pool.numerator, pool.denominator, pool.services))
        result.append(series)
    return result


# --- services below the minimum form ----------------------------------------------------------------------------


@dataclass
class MinimumBlock:
    available: bool  # False while qmss.needs.minimum is not installed
    year: int | None
    rows: list = field(default_factory=list)  # comparisons with missing needs
    compared: int = 0  # services compared with a minimum form (0: the region has confirmed none)


def minimum_block(filters: Filters, rounds: list[CollectionRound]) -> MinimumBlock:
    """Services below their kind's minimum form (``qmss.needs.minimum.region_report``) in the year of the newest
    round (or the end of the period range)."""
    try:
        from qmss.needs import minimum
    except ImportError:
        return MinimumBlock(available=False, year=None)
    report = getattr(minimum, "region_report", None)
    if report is None:
        return MinimumBlock(available=False, year=None)
    year = rounds[-1].period_end.year if rounds else (filters.year_to or timezone.localdate().year)
    rows = []
    compared = 0
    for comparison in report(region=filters.region, year=year):
        compared += 1
        if not getattr(comparison, "below", bool(getattr(comparison, "missing", None))):
            continue
        service = getattr(comparison, "service", None)
        if filters.kind is not None and service is not None and service.kind_id != filters.kind.pk:
            continue
        rows.append(comparison)
    return MinimumBlock(available=True, year=year, rows=rows, compared=compared)


# --- outliers of the latest closed round ----------------------------------------------------------------------


@dataclass
class OutlierBlock:
    round: CollectionRound | None
    elements: dict[str, str] = field(default_factory=dict)  # code -> name
    rows: list = field(default_factory=list)


def latest_closed(rounds: list[CollectionRound]) -> CollectionRound | None:
    closed = [r for r in rounds if r.state == CollectionRound.State.CLOSED]
    return closed[-1] if closed else None


def outlier_block(rounds: list[CollectionRound], kind: ServiceKind | None) -> OutlierBlock:
    """Outliers of the default elements in the latest closed round (cached under the round's fingerprint)."""
    round_ = latest_closed(rounds)
    if round_ is None:
        return OutlierBlock(round=None)
    codes = [code for code, _cat in outliers_module.DEFAULT_ELEMENTS]
    names = dict(DataElement.objects.filter(template_id=round_.template_id, code__in=codes).values_list("code", "name"))
    fingerprint = engine.round_fingerprints([round_.pk], outliers_module.STATES).get(round_.pk)
    if fingerprint is None:
        return OutlierBlock(round=round_, elements=names)
    key = engine.cache_key(
        "dashboard:outliers", round_.pk, fingerprint, outliers_module.DEFAULT_ELEMENTS, sorted(names)
    )
    cache = page_cache()
    found = cache.get(key)
    if found is None:
        groups = outliers_module.peer_groups(round_)
        found = []
        for code, category in outliers_module.DEFAULT_ELEMENTS:
            if code in names:
                found += outliers_module.outliers(round=round_, element_code=code, category=category, groups=groups)
        cache.set(key, found, engine.CACHE_TIMEOUT)
    rows = [o for o in found if kind is None or o.group[0] == kind.code]
    return OutlierBlock(round=round_, elements=names, rows=rows)


# --- the whole page ---------------------------------------------------------------------------------------------


@dataclass
class Dashboard:
    filters: Filters
    rounds: list[CollectionRound]
    completeness: list[Completeness]
    indicators: list[IndicatorSeries]
    minimum: MinimumBlock
    outliers: OutlierBlock


def dashboard(filters: Filters) -> Dashboard:
    rounds = region_rounds(filters)
    return Dashboard(
        filters=filters,
        rounds=rounds,
        completeness=completeness(rounds, filters.kind),
        indicators=indicator_series(rounds, filters.kind),
        minimum=minimum_block(filters, rounds),
        outliers=outlier_block(rounds, filters.kind),
    )
