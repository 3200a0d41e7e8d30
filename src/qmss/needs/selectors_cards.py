"""Reads of the kind cards and their consultation, scoped through :class:`~qmss.core.scoping.Scope`.

Who sees what:
- staff of a regional authority: every card of their region (drafts, consultations, published versions), every
  comment and meeting;
- a provider organisation asked in a consultation: that card (draft content included), its own comments with
  their settlement, never another provider's comments;
- everybody, anonymous included: the published versions only (:func:`public_card`, :func:`published_cards`) –
  never a draft or the content of a consultation.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from qmss.core.collation import sort_key
from qmss.core.models import Organisation
from qmss.core.roles import OrganisationKind, Perm
from qmss.core.scoping import Scope, get_object_or_404_scoped
from qmss.needs.models import CardComment, Consultation, KindCard, KindCardNeed, Taxonomy
from qmss.registry.models import Service, ServiceKind
from qmss.registry.selectors import active_condition, in_regions_condition
from qmss.territory.models import Region

WORKING_STATES = (KindCard.State.DRAFT, KindCard.State.CONSULTATION)
PUBLIC_STATES = (KindCard.State.PUBLISHED, KindCard.State.SUPERSEDED)


def current_taxonomy() -> Taxonomy | None:
    try:
        from qmss.needs.library import current_taxonomy as from_library
    except ImportError:
        return Taxonomy.objects.filter(published_at__isnull=False).order_by("-version").first()
    return from_library()


# --- regions and permissions -----------------------------------------------------------------------------


def can_edit_region(scope: Scope, region_id: int | None) -> bool:
    return region_id is not None and (scope.is_superuser or region_id in scope.region_ids(Perm.EDIT))


def can_view_region(scope: Scope, region_id: int | None) -> bool:
    return region_id is not None and (scope.is_superuser or region_id in scope.region_ids(Perm.VIEW))


def staff_regions(scope: Scope) -> list[Region]:
    """Regions the user works for as regional staff (every region with an authority for a superuser)."""
    if scope.is_superuser:
        ids = Organisation.objects.filter(kind=OrganisationKind.REGION, region__isnull=False).values("region_id")
        regions = Region.objects.filter(pk__in=ids)
    else:
        regions = Region.objects.filter(pk__in=scope.region_ids(Perm.VIEW))
    return sorted(regions.only("pk", "code", "name"), key=lambda region: sort_key(region.name))


# --- cards of a region -----------------------------------------------------------------------------------


def region_cards(region: Region) -> QuerySet[KindCard]:
    return KindCard.objects.filter(region=region)


def published_card(region: Region, kind: ServiceKind) -> KindCard | None:
    return region_cards(region).filter(kind=kind, state=KindCard.State.PUBLISHED).order_by("-version").first()


def model_card(kind: ServiceKind) -> KindCard | None:
    return (
        KindCard.objects.filter(region__isnull=True, kind=kind, state=KindCard.State.PUBLISHED)
        .order_by("-version")
        .first()
    )


@dataclass
class KindRow:
    kind: ServiceKind
    model: KindCard | None = None
    published: KindCard | None = None
    working: KindCard | None = None  # the draft or the card in consultation
    open_comments: int = 0


def kind_rows(region: Region) -> list[KindRow]:
    """Every service kind with the QMSS model card and the region's published and working card (3 queries)."""
    rows = {kind.pk: KindRow(kind) for kind in ServiceKind.objects.filter(valid_to__isnull=True).order_by("order")}
    models = KindCard.objects.filter(region__isnull=True, state=KindCard.State.PUBLISHED).order_by("version")
    for card in models.only("pk", "kind_id", "version", "state"):
        if card.kind_id in rows:
            rows[card.kind_id].model = card
    cards = (
        region_cards(region)
        .filter(state__in=(KindCard.State.PUBLISHED, *WORKING_STATES))
        .select_related("organisation")
        .annotate(open_comments=Count("consultation__comments", filter=Q(consultation__comments__status="open")))
        .order_by("version")
    )
    for card in cards:
        row = rows.get(card.kind_id)
        if row is None:
            continue
        if card.state == KindCard.State.PUBLISHED:
            row.published = card
        else:
            row.working = card
            row.open_comments = card.open_comments
    return list(rows.values())


def consultation_candidates(region: Region, kind: ServiceKind) -> QuerySet[Organisation]:
    """Provider organisations whose VERIFIED registry provider has a registered (not ended) service of ``kind``
    in ``region``."""
    services = Service.objects.filter(in_regions_condition([region.pk]), active_condition(), kind=kind)
    return Organisation.objects.filter(
        kind=OrganisationKind.PROVIDER,
        provider_link__provider_id__in=services.values("provider_id"),
    ).order_by("name")


# --- what a user may open --------------------------------------------------------------------------------


def visible_cards(scope: Scope) -> QuerySet[KindCard]:
    """Region cards the user may open: their region's, or a consultation their organisation was asked in."""
    cards = KindCard.objects.filter(region__isnull=False)
    if scope.is_superuser:
        return cards
    asked = Consultation.objects.filter(card=OuterRef("pk"), recipients__in=scope.organisation_ids(Perm.VIEW))
    return cards.filter(Q(region_id__in=scope.region_ids(Perm.VIEW)) | Q(Exists(asked)))


def get_card(scope: Scope, kind_card_pk: int) -> KindCard:
    qs = (
        visible_cards(scope)
        .select_related("region", "kind", "organisation", "capacity_type", "taxonomy")
        .defer("region__boundary")
    )
    return get_object_or_404_scoped(qs, pk=kind_card_pk)


def get_consultation(scope: Scope, consultation_pk: int) -> Consultation:
    qs = (
        Consultation.objects.filter(card__in=visible_cards(scope))
        .select_related("card", "card__region", "card__kind", "organisation")
        .defer("card__region__boundary")
    )
    return get_object_or_404_scoped(qs, pk=consultation_pk)


def get_comment(scope: Scope, comment_pk: int) -> CardComment:
    """A comment the user may see: region staff all of their region's, a provider its own."""
    qs = CardComment.objects.select_related(
        "consultation", "consultation__card", "consultation__card__kind", "consultation__card__region", "need"
    ).defer("consultation__card__region__boundary")
    if not scope.is_superuser:
        qs = qs.filter(
            Q(consultation__card__region_id__in=scope.region_ids(Perm.VIEW))
            | Q(organisation_id__in=scope.organisation_ids(Perm.VIEW))
        )
    return get_object_or_404_scoped(qs, pk=comment_pk)


def card_content(card: KindCard) -> list[KindCardNeed]:
    """The needs of a card with their areas and activities (2 queries)."""
    return list(card.needs.select_related("need", "need__area").prefetch_related("activities").order_by("order", "pk"))


def card_activities(card: KindCard) -> list:
    return list(card.activities.order_by("order", "code"))


def consultation_of(card: KindCard) -> Consultation | None:
    return Consultation.objects.filter(card=card).select_related("organisation").first()


def recipients(consultation: Consultation) -> list[Organisation]:
    return sorted(consultation.recipients.all(), key=lambda org: sort_key(org.name))


def meetings(consultation: Consultation) -> list:
    return list(consultation.meetings.order_by("date", "pk"))


def visible_comments(scope: Scope, consultation: Consultation) -> list[CardComment]:
    """All comments for the region's staff; the user's own organisations' comments for a provider."""
    qs = consultation.comments.select_related("organisation", "need", "author", "settled_by").order_by(
        "created_at", "pk"
    )
    if not (scope.is_superuser or consultation.card.region_id in scope.region_ids(Perm.VIEW)):
        qs = qs.filter(organisation_id__in=scope.organisation_ids(Perm.VIEW))
    return list(qs)


def commenting_organisations(scope: Scope, consultation: Consultation) -> list[Organisation]:
    """The user's provider organisations that were asked and in which the user may write."""
    if consultation.closed_at is not None or consultation.card.state != KindCard.State.CONSULTATION:
        return []
    orgs = consultation.recipients.all()
    if not scope.is_superuser:
        orgs = orgs.filter(pk__in=scope.organisation_ids(Perm.EDIT))
    return list(orgs.order_by("name"))


# --- dashboard -------------------------------------------------------------------------------------------


def region_consultations(region_ids) -> dict[int, list[KindCard]]:
    """Cards in consultation per region, with ``open_comments`` (comments awaiting settlement) – one query."""
    cards = (
        KindCard.objects.filter(region_id__in=list(region_ids), state=KindCard.State.CONSULTATION)
        .select_related("kind", "consultation")
        .annotate(open_comments=Count("consultation__comments", filter=Q(consultation__comments__status="open")))
        .order_by("kind__order")
    )
    grouped: dict[int, list[KindCard]] = defaultdict(list)
    for card in cards:
        grouped[card.region_id].append(card)
    return dict(grouped)


def provider_consultations(organisation_ids) -> dict[int, list[Consultation]]:
    """Open consultations each provider organisation was asked to comment on – one query."""
    through = Consultation.recipients.through
    rows = (
        through.objects.filter(
            organisation_id__in=list(organisation_ids),
            consultation__closed_at__isnull=True,
            consultation__card__state=KindCard.State.CONSULTATION,
        )
        .select_related("consultation", "consultation__card", "consultation__card__kind", "consultation__card__region")
        .defer("consultation__card__region__boundary")
        .order_by("consultation__deadline", "pk")
    )
    grouped: dict[int, list[Consultation]] = defaultdict(list)
    for row in rows:
        grouped[row.organisation_id].append(row.consultation)
    return dict(grouped)


# --- public ----------------------------------------------------------------------------------------------


def published_cards(*, region_code: str | None = None, kind_code: str | None = None) -> QuerySet[KindCard]:
    """The latest published version of each region card (never a draft, a consultation or a superseded one)."""
    qs = KindCard.objects.filter(region__isnull=False, state=KindCard.State.PUBLISHED)
    if region_code:
        qs = qs.filter(region__code=region_code)
    if kind_code:
        qs = qs.filter(kind__code=kind_code)
    return (
        qs.select_related("region", "kind", "capacity_type")
        .defer("region__boundary")
        .order_by("region__name", "kind__order")
    )


def public_card(region_code: str, kind_code: str, version: int | None = None) -> KindCard | None:
    """The region's published card of the kind; ``version`` picks an older published (now superseded) one."""
    qs = (
        KindCard.objects.filter(region__code=region_code, kind__code=kind_code)
        .select_related("region", "kind", "capacity_type")
        .defer("region__boundary")
    )
    if version is None:
        return qs.filter(state=KindCard.State.PUBLISHED).order_by("-version").first()
    return qs.filter(state__in=PUBLIC_STATES, version=version).first()


def public_versions(card: KindCard) -> list[KindCard]:
    return list(
        KindCard.objects.filter(region_id=card.region_id, kind_id=card.kind_id, state__in=PUBLIC_STATES)
        .only("pk", "version", "state", "valid_from", "valid_to")
        .order_by("-version")
    )


def get_published(kind_card_pk: int) -> KindCard | None:
    return published_cards().filter(pk=kind_card_pk).first()


def content_prefetch() -> list[Prefetch]:
    """Prefetches of a card's content for lists of cards (API)."""
    return [
        Prefetch("activities"),
        Prefetch(
            "needs",
            queryset=KindCardNeed.objects.select_related("need", "need__area")
            .prefetch_related("activities")
            .order_by("order", "pk"),
        ),
    ]
