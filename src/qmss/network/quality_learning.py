"""The data-quality panel of a network: per data source feeding the scores its completeness (share of the
network's services with data), its age (the date of the data) and its validity (synthetic demo data, data older
than a year, no data at all), each with a plain explanation. The network is only as good as its data.

One or two queries per source whatever the number of services.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Exists, Max, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qmss.network.models import Network

STALE_AFTER = timedelta(days=365)

# Flags of validity (code → label shown as text, never by colour only)
FLAGS = {
    "synthetic": _("synthetic demo data"),
    "stale": _("older than a year"),
    "missing": _("no data"),
    "partial": _("incomplete"),
}


@dataclass
class SourceQuality:
    code: str
    name: str
    explanation: str
    with_data: int
    total: int
    day: date | None = None
    flags: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def share(self) -> Decimal | None:
        if not self.total:
            return None
        return (Decimal(self.with_data) * 100 / Decimal(self.total)).quantize(Decimal("0.1"))

    @property
    def flag_labels(self) -> list[str]:
        return [str(FLAGS[code]) for code in self.flags]

    @property
    def valid(self) -> bool:
        return not self.flags


def _day(value) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


def _finish(source: SourceQuality, today: date, *, synthetic: bool = False) -> SourceQuality:
    if synthetic:
        source.flags.append("synthetic")
    if source.with_data == 0:
        source.flags.append("missing")
    elif source.with_data < source.total:
        source.flags.append("partial")
    if source.day is not None and today - source.day > STALE_AFTER:
        source.flags.append("stale")
    return source


def network_service_ids(network: Network) -> list[int]:
    from qmss.network.models import NetworkEntry
    from qmss.network.selectors_networks import current_version

    version = current_version(network)
    if version is None:
        return []
    return sorted(set(NetworkEntry.objects.filter(version=version).values_list("service_id", flat=True)))


def _registry(network: Network, ids: list[int], today: date) -> SourceQuality:
    from qmss.registry.models import RegistryImport, Service

    last = (
        RegistryImport.objects.filter(status=RegistryImport.Status.DONE, dry_run=False)
        .order_by("-finished_at", "-pk")
        .values("finished_at", "source")
        .first()
    )
    active = Service.objects.active(today).filter(pk__in=ids).count()
    source = SourceQuality(
        code="registry",
        name=str(_("Registry of social services")),
        explanation=str(
            _(
                "Kind, forms, capacity and facilities of every service come from the national registry. Services "
                "with data are those still registered today; a service no longer registered should leave the "
                "network."
            )
        ),
        with_data=active,
        total=len(ids),
        day=_day(last["finished_at"]) if last else None,
    )
    if last is None:
        source.note = str(_("No registry import is recorded: the services were loaded another way (e.g. demo data)."))
    synthetic = network.is_demo or (bool(last) and "synthet" in (last["source"] or "").lower())
    return _finish(source, today, synthetic=synthetic)


def _facility_municipalities(ids: list[int]):
    from qmss.registry.models import Facility

    return Facility.objects.filter(service_id__in=ids, municipality__isnull=False)


def _territory(ids: list[int], today: date) -> SourceQuality:
    from qmss.territory.models import Population
    from qmss.territory.selectors import latest_reference_date, territory_is_synthetic

    with_figures = (
        _facility_municipalities(ids)
        .filter(Exists(Population.objects.filter(municipality=OuterRef("municipality"), age_65_plus__isnull=False)))
        .values("service_id")
        .distinct()
        .count()
    )
    source = SourceQuality(
        code="territory",
        name=str(_("Territory and population")),
        explanation=str(
            _(
                "The target population of each ORP (all residents, or people aged 65 and over) drives the need "
                "score. Services with data have a facility in a municipality with population figures by age."
            )
        ),
        with_data=with_figures,
        total=len(ids),
        day=latest_reference_date(),
    )
    return _finish(source, today, synthetic=territory_is_synthetic())


def _exclusion(ids: list[int], today: date) -> SourceQuality:
    from qmss.territory.models import ExclusionIndex

    latest = ExclusionIndex.objects.aggregate(year=Max("year"))["year"]
    with_index = (
        _facility_municipalities(ids)
        .filter(Exists(ExclusionIndex.objects.filter(municipality=OuterRef("municipality"))))
        .values("service_id")
        .distinct()
        .count()
    )
    source = SourceQuality(
        code="exclusion",
        name=str(_("Social exclusion index (MMR)")),
        explanation=str(
            _(
                "The share of an ORP's people living in socially excluded municipalities raises the demand for "
                "kinds with an exclusion weight. Services with data have a facility in a municipality with the "
                "index."
            )
        ),
        with_data=with_index,
        total=len(ids),
        day=date(latest, 12, 31) if latest else None,
    )
    return _finish(source, today)


def _assessments(ids: list[int], today: date) -> SourceQuality:
    from qmss.assessments.models import Assessment

    published = Assessment.objects.filter(
        service_id__in=ids,
        kind__in=(Assessment.Kind.AUDIT, Assessment.Kind.INSPECTION),
        state__in=(Assessment.State.PUBLISHED, Assessment.State.CLOSED),
    )
    latest = dict(published.order_by().values_list("service_id").annotate(last=Max("published_at")))
    days = [_day(value) for value in latest.values() if value is not None]
    source = SourceQuality(
        code="assessments",
        name=str(_("Audits and inspections")),
        explanation=str(
            _(
                "The quality score reads the latest published audit and inspection record of each service and "
                "their open findings. Services with data have at least one published audit or inspection."
            )
        ),
        with_data=len(latest),
        total=len(ids),
        day=max(days) if days else None,
    )
    old = sum(1 for day in days if today - day > STALE_AFTER)
    if old:
        source.note = str(_("{count} of them have their latest result older than a year.")).format(count=old)
    return _finish(source, today)


def _rounds(network: Network, ids: list[int], today: date) -> SourceQuality:
    from qmss.needs.models import Submission
    from qmss.network.selectors_learning import learning_round

    round_obj = learning_round(network, None)
    approved = 0
    if round_obj is not None:
        approved = (
            Submission.objects.filter(round=round_obj, state=Submission.State.APPROVED, service_id__in=ids)
            .values("service_id")
            .distinct()
            .count()
        )
    source = SourceQuality(
        code="rounds",
        name=str(_("Data-collection rounds")),
        explanation=str(
            _(
                "Users, waiting lists, refusals and costs come from the approved reports of the region's latest "
                "round; they feed the need and cost scores and the learning of the parameters."
            )
        ),
        with_data=approved,
        total=len(ids),
        day=round_obj.period_end if round_obj else None,
    )
    if round_obj is not None:
        source.note = str(_("Round “{name}”.")).format(name=round_obj.name)
    return _finish(source, today, synthetic=bool(round_obj and round_obj.synthetic))


def _cards(network: Network, ids: list[int], today: date) -> SourceQuality:
    from qmss.needs.models import MinimumForm, ServiceCard
    from qmss.registry.models import Service

    confirmed = ServiceCard.objects.filter(service_id__in=ids, state=ServiceCard.State.CONFIRMED)
    minimum = MinimumForm.objects.filter(region_id=network.region_id, kind=OuterRef("kind"))
    with_both = (
        Service.objects.filter(pk__in=ids)
        .filter(Exists(confirmed.filter(service=OuterRef("pk"))), Exists(minimum))
        .count()
    )
    last = confirmed.aggregate(last=Max("confirmed_at"))["last"]
    source = SourceQuality(
        code="cards",
        name=str(_("Service cards and minimum form")),
        explanation=str(
            _(
                "Whether a service meets its kind's minimum form needs its confirmed service card and the "
                "region's minimum form of the kind. Services with data have both."
            )
        ),
        with_data=with_both,
        total=len(ids),
        day=_day(last),
    )
    return _finish(source, today)


def _coordinates(ids: list[int], today: date) -> SourceQuality:
    from qmss.registry.models import Facility

    located = Facility.objects.filter(service_id__in=ids, latitude__isnull=False, longitude__isnull=False)
    with_any = located.values("service_id").distinct().count()
    exact = located.filter(coordinates_approximate=False).values("service_id").distinct().count()
    source = SourceQuality(
        code="coordinates",
        name=str(_("Coordinates of facilities")),
        explanation=str(
            _(
                "The availability score measures distances from every municipality to the nearest facility. "
                "Services with data have a facility with coordinates; approximate ones are those of the "
                "municipality, not of the address."
            )
        ),
        with_data=with_any,
        total=len(ids),
    )
    source.note = str(_("Exact address coordinates: {exact} of {total}.")).format(exact=exact, total=len(ids))
    return _finish(source, today)


def data_quality(network: Network, *, today: date | None = None) -> list[SourceQuality]:
    """Every data source of the network's scores with its completeness, age and validity."""
    today = today or timezone.localdate()
    ids = network_service_ids(network)
    return [
        _registry(network, ids, today),
        _territory(ids, today),
        _exclusion(ids, today),
        _assessments(ids, today),
        _rounds(network, ids, today),
        _cards(network, ids, today),
        _coordinates(ids, today),
    ]
