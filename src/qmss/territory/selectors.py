"""Reads of territory data. Territory is public reference data: no tenant scoping applies.

The ``*_with_population`` selectors annotate each row with figures for one reference date (by default the
latest one): ``residents`` (population total), ``age_65_plus`` and ``share_65_plus`` (0–1), plus row counts.
They use correlated subqueries, so the number of queries does not depend on the number of rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models import (
    Case,
    Count,
    F,
    FloatField,
    IntegerField,
    Max,
    Model,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from qmss.territory.models import (
    District,
    ExclusionIndex,
    Municipality,
    Orp,
    Population,
    Region,
    TerritoryImport,
    czech_sort_key,
    search_key,
)

SEARCH_MIN_LENGTH = 2


SYNTHETIC_KEY = "territory:is-synthetic"


def _page_cache():
    """The cache of per-page values (``QMSS_PAGE_CACHE``, shared by the server's processes in production)."""
    return caches[getattr(settings, "QMSS_PAGE_CACHE", "default")]


def territory_is_synthetic() -> bool:
    """Whether the latest territory import was synthetic; asked on every page, so cached until the next import."""
    cached = _page_cache().get(SYNTHETIC_KEY)
    if cached is not None:
        return cached
    latest = TerritoryImport.objects.order_by("-started_at").values_list("is_synthetic", flat=True).first()
    _page_cache().set(SYNTHETIC_KEY, bool(latest), None)
    return bool(latest)


def _forget_territory_is_synthetic() -> None:
    _page_cache().delete(SYNTHETIC_KEY)


@receiver(post_save, sender=TerritoryImport, dispatch_uid="territory-synthetic-flag-saved")
@receiver(post_delete, sender=TerritoryImport, dispatch_uid="territory-synthetic-flag-deleted")
def territory_import_changed(sender, using=None, **kwargs) -> None:
    """Forget the cached flag now and when the import's transaction commits (another process may have cached
    the old flag in between)."""
    _forget_territory_is_synthetic()
    transaction.on_commit(_forget_territory_is_synthetic, using=using)


def orp_seat(orp: Orp) -> Municipality | None:
    """The municipality that seats the ORP's office (None when the source names none)."""
    if not orp.seat_code:
        return None
    return Municipality.objects.filter(code=orp.seat_code).only("code", "name").first()


def territory_context(request) -> dict:
    """Template context for every page (the core ``context`` hook): the synthetic-territory banner flag."""
    return {"territory_synthetic": territory_is_synthetic()}


def latest_import() -> TerritoryImport | None:
    return TerritoryImport.objects.order_by("-started_at").first()


def latest_reference_date() -> date | None:
    """The newest date with population figures (one query)."""
    return Population.objects.aggregate(latest=Max("reference_date"))["latest"]


def _population_sum(path: str, field: str, on: date | None) -> Subquery:
    """SUM(Population.<field>) at ``on`` over municipalities whose ``<path>`` is the outer row."""
    rows = (
        Population.objects.filter(**{f"municipality__{path}": OuterRef("pk")}, reference_date=on)
        .order_by()
        .values(f"municipality__{path}")
        .annotate(value=Sum(field))
        .values("value")
    )
    return Subquery(rows[:1], output_field=IntegerField())


def _count(model, fk: str) -> Subquery:
    rows = model.objects.filter(**{fk: OuterRef("pk")}).order_by().values(fk).annotate(n=Count("pk")).values("n")
    return Subquery(rows[:1], output_field=IntegerField())


def _share_65_plus() -> Case:
    return Case(
        When(residents__gt=0, then=Cast(F("age_65_plus"), FloatField()) / Cast(F("residents"), FloatField())),
        default=Value(None),
        output_field=FloatField(),
    )


def _date(on: date | None) -> date | None:
    return on if on is not None else latest_reference_date()


def regions_with_population(on: date | None = None) -> QuerySet[Region]:
    on = _date(on)
    return (
        Region.objects.defer("boundary")
        .annotate(
            residents=_population_sum("region", "total", on),
            age_65_plus=_population_sum("region", "age_65_plus", on),
            orp_count=_count(Orp, "region"),
            district_count=_count(District, "region"),
            municipality_count=_count(Municipality, "region"),
        )
        .annotate(share_65_plus=_share_65_plus())
        .order_by("code")
    )


def districts_with_population(on: date | None = None) -> QuerySet[District]:
    on = _date(on)
    return (
        District.objects.defer("boundary")
        .annotate(
            residents=_population_sum("district", "total", on),
            age_65_plus=_population_sum("district", "age_65_plus", on),
            municipality_count=_count(Municipality, "district"),
        )
        .annotate(share_65_plus=_share_65_plus())
        .order_by("name")
    )


def orps_with_population(on: date | None = None) -> QuerySet[Orp]:
    on = _date(on)
    return (
        Orp.objects.defer("boundary")
        .select_related("region")
        .defer("region__boundary")
        .annotate(
            residents=_population_sum("orp", "total", on),
            age_65_plus=_population_sum("orp", "age_65_plus", on),
            municipality_count=_count(Municipality, "orp"),
        )
        .annotate(share_65_plus=_share_65_plus())
        .order_by("name")
    )


def _figure(field: str, on: date | None) -> Subquery:
    rows = Population.objects.filter(municipality=OuterRef("pk"), reference_date=on).values(field)
    return Subquery(rows[:1], output_field=IntegerField())


def municipalities_with_population(on: date | None = None) -> QuerySet[Municipality]:
    on = _date(on)
    return (
        Municipality.objects.select_related("district", "orp", "region")
        .defer("district__boundary", "orp__boundary", "region__boundary")
        .annotate(residents=_figure("total", on), age_65_plus=_figure("age_65_plus", on))
        .annotate(share_65_plus=_share_65_plus())
        .order_by("search_name", "name", "code")
    )


def search_municipalities(query: str, on: date | None = None) -> QuerySet[Municipality]:
    """Municipalities whose name contains ``query`` (case and diacritics ignored); prefix matches first.

    A query shorter than :data:`SEARCH_MIN_LENGTH` characters matches nothing.
    """
    key = search_key(query or "")
    if len(key) < SEARCH_MIN_LENGTH:
        return Municipality.objects.none()
    return (
        municipalities_with_population(on)
        .filter(search_name__contains=key)
        .annotate(
            match_rank=Case(
                When(search_name__startswith=key, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("match_rank", "search_name", "name", "code")
    )


def in_czech_order(rows: Iterable[Model]) -> list[Model]:
    """Rows sorted by name the Czech way (for short lists; long lists are ordered in the database)."""
    return sorted(rows, key=lambda row: (czech_sort_key(row.name), row.pk))


def population_series(municipality: Municipality) -> list[Population]:
    """All population figures of one municipality, oldest first."""
    return list(Population.objects.filter(municipality=municipality).order_by("reference_date"))


def municipality_by_code(code: str) -> Municipality | None:
    return municipalities_with_population().filter(code=code).first()


# --- home dashboard (core hooks) ---------------------------------------------------------------------


def dashboard_region_figures(region_ids) -> dict[int, dict]:
    """Population, ORPs and municipalities per region in two queries (the core hook ``dashboard_region_figures``)."""
    latest = latest_reference_date()
    rows = (
        Region.objects.filter(pk__in=region_ids)
        .annotate(orp_count=Count("orps", distinct=True), municipality_count=Count("municipalities", distinct=True))
        .values("pk", "name", "code", "orp_count", "municipality_count")
    )
    figures = {row["pk"]: dict(row) for row in rows}
    if latest:
        pops = (
            Population.objects.filter(reference_date=latest, municipality__region_id__in=region_ids)
            .values("municipality__region_id")
            .annotate(total=Sum("total"), senior=Sum("age_65_plus"))
        )
        for row in pops:
            figures[row["municipality__region_id"]].update(
                population=row["total"], population_65=row["senior"], reference_date=latest
            )
    return figures


def dashboard_system_figures() -> dict:
    """Territory counts for the superuser's overview (the core hook ``dashboard_system_figures``)."""
    return {
        "regions": Region.objects.count(),
        "orps": Orp.objects.count(),
        "municipalities": Municipality.objects.count(),
        "last_import": latest_import(),
    }


#: Points of the MMR index from which a municipality counts as one with social exclusion (categories 8–11, 12–30).
EXCLUSION_MIN_POINTS = 8
SHARE_PLACES = Decimal("0.000001")


def exclusion_share_by_orp(orp_ids: Iterable[int], *, min_points: int = EXCLUSION_MIN_POINTS) -> dict[int, Decimal]:
    """Share (0–1, six decimal places) of each ORP's population living in municipalities whose latest social
    exclusion index has at least ``min_points`` points; population = each municipality's latest
    ``Population.total``. ORPs without population figures are left out; municipalities without an index count
    as not excluded. One query."""
    latest_total = (
        Population.objects.filter(municipality=OuterRef("pk")).order_by("-reference_date").values("total")[:1]
    )
    latest_points = ExclusionIndex.objects.filter(municipality=OuterRef("pk")).order_by("-year").values("points")[:1]
    rows = (
        Municipality.objects.filter(orp_id__in=list(orp_ids))
        .order_by()
        .annotate(residents=Subquery(latest_total), points=Subquery(latest_points))
        .values_list("orp_id", "residents", "points")
    )
    totals: dict[int, int] = {}
    excluded: dict[int, int] = {}
    for orp_id, residents, points in rows:
        if not residents:
            continue
        totals[orp_id] = totals.get(orp_id, 0) + residents
        if points is not None and points >= min_points:
            excluded[orp_id] = excluded.get(orp_id, 0) + residents
    return {
        orp_id: (Decimal(excluded.get(orp_id, 0)) / Decimal(total)).quantize(SHARE_PLACES)
        for orp_id, total in totals.items()
    }
