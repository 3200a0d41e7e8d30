"""API of the kind cards: published versions only (anonymous allowed) – never a draft or a consultation."""

from __future__ import annotations

from datetime import date

from django.http import Http404
from ninja import Router, Schema

from qmss.needs import selectors_cards as selectors

router = Router(tags=["needs"])


class CardNeedOut(Schema):
    code: str
    name: str
    area: str
    activities: list[str]
    note: str


class KindCardOut(Schema):
    id: int
    region: str
    region_name: str
    kind: str
    kind_name: str
    version: int
    valid_from: date | None
    purpose: str
    public_expectations: str
    capacity_type: str | None
    activities: list[str]
    needs: list[CardNeedOut]
    source: str
    verified: bool


def _out(card) -> KindCardOut:
    return KindCardOut(
        id=card.pk,
        region=card.region.code,
        region_name=card.region.name,
        kind=card.kind.code,
        kind_name=card.kind.name,
        version=card.version,
        valid_from=card.valid_from,
        purpose=card.purpose,
        public_expectations=card.public_expectations,
        capacity_type=card.capacity_type.code if card.capacity_type else None,
        activities=[a.code for a in card.activities.all()],
        needs=[
            CardNeedOut(
                code=line.need.code,
                name=line.need.name,
                area=line.need.area.code,
                activities=[a.code for a in line.activities.all()],
                note=line.note,
            )
            for line in card.needs.all()
        ],
        source=card.source,
        verified=card.verified,
    )


@router.get("kind-cards", response=list[KindCardOut], summary="Published kind cards")
def kind_cards(request, region: str = "", kind: str = ""):
    """The latest published card of each region and kind (filter by region NUTS code and kind code)."""
    cards = selectors.published_cards(region_code=region[:10] or None, kind_code=kind[:10] or None).prefetch_related(
        *selectors.content_prefetch()
    )
    return [_out(card) for card in cards[:500]]


@router.get("kind-cards/{kind_card_id}", response=KindCardOut, summary="One published kind card")
def kind_card(request, kind_card_id: int):
    card = selectors.published_cards().prefetch_related(*selectors.content_prefetch()).filter(pk=kind_card_id).first()
    if card is None:
        raise Http404
    return _out(card)
