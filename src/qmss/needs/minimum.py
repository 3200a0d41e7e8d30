"""The minimum form of a service kind (minimální podoba služby): proposal from the service cards, and the
comparison of services with the rule the region confirmed.

- :func:`propose` – the needs that at least ``threshold`` (a share, 0–1) of the kind's services in the region
  address by a basic activity, counting only services with a CONFIRMED card for the year (by its verified
  provider). A need exactly at the threshold is proposed (``n / N >= threshold``, computed exactly in Decimal).
  :func:`proposal_counts` gives the counts behind it (n of N per need) so that the region sees why.
- :func:`comparison` – a service against its kind's latest minimum form in the service's region: covered /
  missing needs by the service's card of the year (any state; ``card.state`` says whether it is confirmed).
- :func:`region_report` – every active service of a kind with a minimum form in the region, the services below
  the minimum first (missing needs, or no card at all).

Needs are matched by their code, so cards and rules made under different taxonomy versions still compare.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from qmss.needs import selectors_service_cards as selectors
from qmss.needs.models import MinimumForm, Need, ServiceCard, ServiceCardResponse
from qmss.registry.models import Service, ServiceKind
from qmss.registry.selectors_links import attributed
from qmss.territory.models import Region

DEFAULT_THRESHOLD = Decimal("0.5")
BASIC = ServiceCardResponse.Response.BASIC_ACTIVITY


@dataclass
class NeedCount:
    need: Need
    count: int  # services addressing the need by a basic activity
    total: int  # services with a confirmed card
    proposed: bool = False

    @property
    def share(self) -> Decimal | None:
        return Decimal(self.count) / Decimal(self.total) if self.total else None


@dataclass
class Proposal:
    region: Region
    kind: ServiceKind
    year: int
    threshold: Decimal
    total: int  # N: services of the kind in the region with a confirmed card for the year
    rows: list[NeedCount] = field(default_factory=list)

    @property
    def needs(self) -> list[Need]:
        return [row.need for row in self.rows if row.proposed]


@dataclass
class Comparison:
    minimum_form: MinimumForm | None
    covered: list[Need] = field(default_factory=list)
    missing: list[Need] = field(default_factory=list)
    service: Service | None = None
    card: ServiceCard | None = None

    @property
    def total(self) -> int:
        return len(self.covered) + len(self.missing)

    @property
    def below(self) -> bool:
        """Below the minimum: a rule exists and the service does not address all its needs."""
        return self.minimum_form is not None and bool(self.missing)


def _order(need: Need) -> tuple:
    return (need.area.order if need.area_id else 0, need.order, need.code)


def _confirmed_cards(region: Region, kind: ServiceKind, year: int):
    return ServiceCard.objects.filter(
        attributed("organisation_id", "service__provider_id"),
        year=year,
        state=ServiceCard.State.CONFIRMED,
        service__in=selectors.region_services(region, kind).values("pk"),
    )


def proposal_counts(*, region: Region, kind: ServiceKind, year: int, threshold: Decimal | float | str) -> Proposal:
    """Per need: how many of the N services with a confirmed card address it by a basic activity; ``proposed``
    marks the needs at or above ``threshold``. Rows: every need the counted cards or the kind's card name."""
    threshold = Decimal(str(threshold))
    cards = _confirmed_cards(region, kind, year)
    card_ids = list(cards.values_list("pk", flat=True))
    total = len(card_ids)
    responses = ServiceCardResponse.objects.filter(card_id__in=card_ids).values_list(
        "card_id", "need_id", "need__code", "response"
    )
    services_by_code: dict[str, set[int]] = defaultdict(set)
    need_id_by_code: dict[str, int] = {}
    for card_id, need_id, code, response in responses:
        # the newest taxonomy's need represents the code (higher pk = loaded later)
        need_id_by_code[code] = max(need_id, need_id_by_code.get(code, 0))
        if response == BASIC:
            services_by_code[code].add(card_id)
    kind_card = selectors.kind_card_for(region.pk, kind)
    if kind_card is not None:
        for code, need_id in kind_card.needs.values_list("need__code", "need_id"):
            need_id_by_code.setdefault(code, need_id)
    needs = {n.pk: n for n in Need.objects.filter(pk__in=need_id_by_code.values()).select_related("area")}
    rows = []
    for code, need_id in need_id_by_code.items():
        count = len(services_by_code.get(code, ()))
        proposed = total > 0 and Decimal(count) >= threshold * Decimal(total)
        rows.append(NeedCount(need=needs[need_id], count=count, total=total, proposed=proposed))
    rows.sort(key=lambda row: _order(row.need))
    return Proposal(region=region, kind=kind, year=year, threshold=threshold, total=total, rows=rows)


def propose(*, region: Region, kind: ServiceKind, year: int, threshold: Decimal | float | str) -> list[Need]:
    """The proposed minimum form: needs addressed by a basic activity by at least ``threshold`` of the kind's
    services in the region with a confirmed card for ``year`` (empty when no such card exists)."""
    return proposal_counts(region=region, kind=kind, year=year, threshold=threshold).needs


def _compare(service: Service, minimum: MinimumForm | None, card: ServiceCard | None, basic_codes: set[str]):
    if minimum is None:
        return Comparison(minimum_form=None, service=service, card=card)
    needs = sorted(minimum.needs.all(), key=_order)
    covered = [need for need in needs if need.code in basic_codes]
    missing = [need for need in needs if need.code not in basic_codes]
    return Comparison(minimum_form=minimum, covered=covered, missing=missing, service=service, card=card)


def _basic_codes(card: ServiceCard | None) -> set[str]:
    if card is None:
        return set()
    return {r.need.code for r in card.responses.all() if r.response == BASIC}


def _responses_prefetch() -> Prefetch:
    responses = ServiceCardResponse.objects.select_related("need").only("card_id", "response", "need__code")
    return Prefetch("responses", queryset=responses)


def comparison(service: Service, *, year: int) -> Comparison:
    """The service against its kind's latest minimum form in the service's region (its first facility's)."""
    region_id = selectors.service_region_id(service)
    card = ServiceCard.objects.filter(service=service, year=year).prefetch_related(_responses_prefetch()).first()
    minimum = None
    if region_id is not None and service.kind_id:
        minimum = selectors.latest_minimum_forms(region_id, [service.kind_id]).get(service.kind_id)
    return _compare(service, minimum, card, _basic_codes(card))


def region_report(*, region: Region, year: int) -> list[Comparison]:
    """Every active service in the region of a kind with a minimum form there, compared with it; services below
    the minimum first, then in Czech order of names."""
    minimums = selectors.latest_minimum_forms(region.pk)
    if not minimums:
        return []
    services = list(selectors.region_services(region).filter(kind_id__in=list(minimums)))
    cards = (
        ServiceCard.objects.filter(service__in=[s.pk for s in services], year=year)
        .select_related("organisation")
        .prefetch_related(_responses_prefetch())
    )
    card_by_service = {card.service_id: card for card in cards}
    result = []
    for service in services:
        card = card_by_service.get(service.pk)
        result.append(_compare(service, minimums[service.kind_id], card, _basic_codes(card)))
    result.sort(key=lambda c: not c.below)  # stable: the Czech order of names stays within each group
    return result
