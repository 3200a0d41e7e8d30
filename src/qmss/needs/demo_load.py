"""The needs demo of ``make run`` (:func:`load_needs_demo`): a closed round of the previous year for the demo region,
an open round of this year for the demo providers, published kind cards, confirmed service cards and a minimum form,
all built on :func:`qmss.needs.demo.generate_round`; idempotent, labelled synthetic."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from qmss.needs.demo import (  # the generator and its helpers
    _template_and_taxonomy,
    generate_round,
)
from qmss.needs.models import (
    CollectionRound,
    ServiceCardResponse,
    Submission,
)

# --- the demo of `make run` -------------------------------------------------------------------------------------------
DEMO_SEED = "qmss-needs-demo"
MIN_FORM_THRESHOLD = Decimal("0.5")
MAIN_KINDS = 4
RETURN_COMMENTS = (
    (
        "Počet nových uživatelů nesouhlasí s evidencí z minulého roku, prosíme o kontrolu.",
        "Opraveno, v evidenci byl započten i přechod z odlehčovací služby.",
    ),
    (
        "Chybí vysvětlení k vyšším nákladům na služby, doplňte prosím komentář.",
        "Doplněno: v roce proběhla revize elektroinstalace, náklady jsou jednorázové.",
    ),
    (
        "Úvazky pracovníků v přímé péči se zdají nízké vzhledem ke kapacitě, ověřte je prosím.",
        "Ověřeno, část péče zajišťují pracovníci na dohody; údaje ponecháváme.",
    ),
)


def _demo_organisations():
    """The demo regional authority (with its region) and the demo providers verified as registry providers."""
    from qmss.core.models import Organisation
    from qmss.core.roles import OrganisationKind

    region_org = (
        Organisation.objects.filter(kind=OrganisationKind.REGION, is_demo=True, region__isnull=False)
        .order_by("pk")
        .first()
    )
    providers = list(
        Organisation.objects.filter(kind=OrganisationKind.PROVIDER, is_demo=True, provider_link__isnull=False).order_by(
            "pk"
        )
    )
    return region_org, providers


def _member(organisation, roles: Sequence[str]):
    from django.contrib.auth import get_user_model

    for role in roles:
        user = (
            get_user_model()
            .objects.filter(memberships__organisation=organisation, memberships__role=role, is_active=True)
            .order_by("pk")
            .first()
        )
        if user is not None:
            return user
    return None


def _region_services(region, year: int) -> list[int]:
    """Ids of the services with a facility in ``region`` registered during ``year``."""
    from django.db.models import Q

    from qmss.registry.models import Service
    from qmss.registry.selectors import in_regions_condition

    start, end = date(year, 1, 1), date(year, 12, 31)
    return list(
        Service.objects.filter(in_regions_condition([region.pk]))
        .filter(Q(date_from__isnull=True) | Q(date_from__lte=end), Q(date_to__isnull=True) | Q(date_to__gte=start))
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )


def _service_cards(providers, region, year: int, created: dict[str, int]) -> None:
    """Confirmed service cards of ``year`` for the demo providers' services in the region (H3's actions)."""
    try:
        from qmss.needs import actions_service_cards as card_actions
        from qmss.needs import selectors_service_cards as card_selectors
    except ModuleNotFoundError:
        return
    from qmss.needs.models import KindCardNeed, ServiceCard
    from qmss.registry.selectors_links import linked_services

    region_ids = set(_region_services(region, year))
    responses = ServiceCardResponse.Response
    for organisation in providers:
        user = _member(organisation, ("admin", "editor"))
        if user is None:
            continue
        for service in linked_services(organisation).filter(pk__in=region_ids).order_by("pk"):
            if ServiceCard.objects.filter(service=service, year=year).exists():
                continue
            card = card_actions.create_card(user=user, organisation=organisation, service=service, year=year)
            allowed = list(card_selectors.kind_activities(service, card.kind_card).values_list("pk", flat=True))
            card_activities: dict[int, list[int]] = {}
            if card.kind_card_id:
                for need_id, activity_id in KindCardNeed.objects.filter(card_id=card.kind_card_id).values_list(
                    "need_id", "activities"
                ):
                    if activity_id in allowed:
                        card_activities.setdefault(need_id, []).append(activity_id)
            rng = random.Random(f"{DEMO_SEED}:card:{service.pk}:{year}")
            rows = {}
            for need in card_selectors.card_needs(card):
                activities = card_activities.get(need.pk) or allowed
                draw = rng.random()
                if activities and (draw < 0.75 or (card.kind_card_id is None and draw < 0.35)):
                    rows[need.pk] = card_actions.ResponseInput(responses.BASIC_ACTIVITY, rng.choice(activities))
                elif draw < 0.88:
                    rows[need.pk] = card_actions.ResponseInput(responses.BROKERING)
                elif draw < 0.95:
                    rows[need.pk] = card_actions.ResponseInput(responses.REFERRAL)
                else:
                    rows[need.pk] = card_actions.ResponseInput(responses.NOT_ADDRESSED)
            card_actions.save_card(user=user, card=card, responses=rows, confirm=True)
            created["service_cards"] += 1


def _minimum_form(region_org, providers, year: int, created: dict[str, int]) -> None:
    """A confirmed minimum form for the kind most of the demo providers' confirmed cards belong to (H3)."""
    try:
        from qmss.needs import actions_service_cards as card_actions
        from qmss.needs import minimum
    except ModuleNotFoundError:
        return
    from django.db.models import Count

    from qmss.needs.models import MinimumForm, ServiceCard
    from qmss.registry.models import ServiceKind

    region = region_org.region
    if MinimumForm.objects.filter(region=region).exists():
        return
    user = _member(region_org, ("network_manager", "admin"))
    top = (
        ServiceCard.objects.filter(
            organisation__in=providers, year=year, state=ServiceCard.State.CONFIRMED, service__kind__isnull=False
        )
        .values("service__kind")
        .annotate(n=Count("pk"))
        .order_by("-n", "service__kind")
        .first()
    )
    if user is None or top is None:
        return
    kind = ServiceKind.objects.get(pk=top["service__kind"])
    needs = minimum.propose(region=region, kind=kind, year=year, threshold=MIN_FORM_THRESHOLD)
    if not needs:
        return
    card_actions.confirm_minimum_form(
        user=user,
        region=region,
        kind=kind,
        year=year,
        threshold=MIN_FORM_THRESHOLD,
        needs=needs,
        note="Ukázková data: minimální podoba navržená z karet služeb ukázkových poskytovatelů.",
    )
    created["minimum_forms"] += 1


def _returned_then_approved(collection_round: CollectionRound, region_user, providers) -> None:
    """A few submissions of a closed round went through a return with comments before approval."""
    from qmss.needs.models import SubmissionComment

    provider_users = {}
    for organisation in providers:
        user = _member(organisation, ("admin", "editor"))
        if user is not None:
            for service_id in organisation.provider_link.provider.services.values_list("pk", flat=True):
                provider_users[service_id] = user
    submissions = list(collection_round.submissions.order_by("service__name_sort", "pk"))
    chosen = [s for s in submissions if s.service_id in provider_users][:1]
    rng = random.Random(f"{DEMO_SEED}:returned:{collection_round.pk}")
    others = [s for s in submissions if s not in chosen]
    chosen += rng.sample(others, k=min(len(others), len(RETURN_COMMENTS) - len(chosen)))
    for submission, (question, answer) in zip(chosen, RETURN_COMMENTS, strict=False):
        submitted = submission.submitted_at or timezone.now()
        steps = (
            (SubmissionComment.Kind.RETURN, question, region_user, 2),
            (SubmissionComment.Kind.REPLY, answer, provider_users.get(submission.service_id), 4),
            (SubmissionComment.Kind.APPROVAL, "Děkujeme za opravu, hlášení schvalujeme.", region_user, 6),
        )
        for kind, text, author, days in steps:
            comment = SubmissionComment.objects.create(submission=submission, kind=kind, text=text, author=author)
            SubmissionComment.objects.filter(pk=comment.pk).update(created_at=submitted + timedelta(days=days))
        Submission.objects.filter(pk=submission.pk).update(
            decided_by=region_user, decided_at=submitted + timedelta(days=6)
        )


@transaction.atomic
def load_needs_demo(*, today: date | None = None) -> dict[str, int]:
    """The needs demo for the demo region (idempotent; every figure synthetic): published kind cards of the main
    kinds, confirmed service cards of the demo providers' services for the previous year, a closed round of the
    previous year with every service of the region approved (a few returned first), an open round of this year
    with the demo providers' services as drafts (some filled) and a confirmed minimum form for one kind.

    Returns what was created now (all zeros on a second run)."""
    created = {"kind_cards": 0, "service_cards": 0, "rounds": 0, "submissions": 0, "minimum_forms": 0}
    region_org, providers = _demo_organisations()
    template, taxonomy = None, None
    try:
        template, taxonomy = _template_and_taxonomy(None, None)
    except RuntimeError:
        return created
    if region_org is None:
        return created
    region = region_org.region
    today = today or timezone.localdate()
    previous, current = today.year - 1, today.year
    region_user = _member(region_org, ("network_manager", "admin"))

    created["kind_cards"] += _kind_cards(region_org, region_user)
    _service_cards(providers, region, previous, created)

    rounds = CollectionRound.objects.filter(organisation=region_org, region=region, synthetic=True)
    region_services = _region_services(region, previous)
    if region_services and not rounds.filter(period_start=date(previous, 1, 1)).exists():
        closed = generate_round(
            organisation=region_org,
            region=region,
            services=region_services,
            period_start=date(previous, 1, 1),
            period_end=date(previous, 12, 31),
            deadline=date(current, 1, 31),
            state=CollectionRound.State.CLOSED,
            seed=DEMO_SEED,
            name=f"Sběr dat o sociálních službách za rok {previous}",
            template=template,
            taxonomy=taxonomy,
            created_by=region_user,
        )
        Submission.objects.filter(round=closed).update(decided_by=region_user)
        _returned_then_approved(closed, region_user, providers)
        created["rounds"] += 1
        created["submissions"] += closed.submissions.count()
    if not rounds.filter(period_start=date(current, 1, 1)).exists():
        ids = set(_region_services(region, current))
        own = [
            pk
            for organisation in providers
            for pk in organisation.provider_link.provider.services.values_list("pk", flat=True)
            if pk in ids
        ]
        if own:
            opened = generate_round(
                organisation=region_org,
                region=region,
                services=own,
                period_start=date(current, 1, 1),
                period_end=date(current, 12, 31),
                deadline=date(current + 1, 1, 31),
                state=CollectionRound.State.OPEN,
                filled=0.5,
                seed=DEMO_SEED,
                name=f"Sběr dat o sociálních službách za rok {current}",
                template=template,
                taxonomy=taxonomy,
                created_by=region_user,
            )
            created["rounds"] += 1
            created["submissions"] += opened.submissions.count()
    _minimum_form(region_org, providers, previous, created)
    return created


def _kind_cards(region_org, region_user) -> int:
    """Published kind cards of the region's main kinds (those with the most services, at most
    :data:`MAIN_KINDS`), each a copy of the QMSS model card published through H2's actions; a kind the region
    already has a card of is left alone. Returns how many were published now."""
    try:
        from qmss.needs import actions_cards
        from qmss.needs import selectors_cards as card_selectors
    except ModuleNotFoundError:
        return 0
    from django.db.models import Count

    from qmss.core.scoping import Scope
    from qmss.needs.models import KindCard
    from qmss.registry.models import Service, ServiceKind
    from qmss.registry.selectors import in_regions_condition

    if region_user is None:
        return 0
    region = region_org.region
    scope = Scope.for_user(region_user)
    ranked = (
        Service.objects.filter(in_regions_condition([region.pk]), kind__isnull=False)
        .values("kind")
        .annotate(n=Count("pk", distinct=True))
        .order_by("-n", "kind")
    )
    published = 0
    for row in ranked[:MAIN_KINDS]:
        kind = ServiceKind.objects.get(pk=row["kind"])
        if card_selectors.model_card(kind) is None or KindCard.objects.filter(region=region, kind=kind).exists():
            continue
        draft = actions_cards.create_draft(scope=scope, region=region, kind=kind)
        if actions_cards.publish_refusal(draft) is None:
            actions_cards.publish_card(scope=scope, card=draft)
            published += 1
    return published
