"""Builders of the kind-card tests and the URL matrix: the registry reference data, the needs taxonomy and the QMSS
model cards loaded from ``libraries/``, region cards in every state, consultations with comments."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from qmss.core.models import Organisation
from qmss.core.roles import OrganisationKind
from qmss.needs.models import CardComment, Consultation, ConsultationMeeting, KindCard, KindCardNeed
from qmss.registry.models import ServiceKind


def load_card_libraries() -> None:
    """Registry reference data, the needs taxonomy and the model cards (idempotent)."""
    from qmss.needs.library_cards import load_model_cards
    from qmss.needs.testing_taxonomy import make_taxonomy_and_template
    from qmss.registry.models import BasicActivity
    from qmss.registry.reference import load_reference

    if not BasicActivity.objects.filter(code="PVO").exists() or not ServiceKind.objects.filter(code="29").exists():
        load_reference()
    make_taxonomy_and_template()
    load_model_cards()


def region_authority(region) -> Organisation:
    return Organisation.objects.filter(kind=OrganisationKind.REGION, region=region).order_by("pk").first()


def make_card(
    region,
    kind_code: str = "13",
    *,
    state: str = KindCard.State.DRAFT,
    version: int | None = None,
    purpose: str | None = None,
    organisation: Organisation | None = None,
) -> KindCard:
    """A region card copied from the QMSS model card of the kind (libraries loaded on demand)."""
    load_card_libraries()
    kind = ServiceKind.objects.get(code=kind_code)
    model = KindCard.objects.get(region__isnull=True, kind=kind, state=KindCard.State.PUBLISHED)
    if version is None:
        version = KindCard.objects.filter(region=region, kind=kind).count() + 1
    now = timezone.now()
    published = state in (KindCard.State.PUBLISHED, KindCard.State.SUPERSEDED)
    card = KindCard.objects.create(
        region=region,
        organisation=organisation or region_authority(region),
        kind=kind,
        version=version,
        state=state,
        taxonomy=model.taxonomy,
        purpose=purpose if purpose is not None else model.purpose,
        public_expectations=model.public_expectations,
        capacity_type=model.capacity_type,
        source=model.source,
        verified=model.verified,
        based_on=model,
        valid_from=now.date() if published else None,
        published_at=now if published else None,
    )
    card.activities.set(model.activities.all())
    for line in model.needs.all():
        copied = KindCardNeed.objects.create(card=card, need=line.need, note=line.note, order=line.order)
        copied.activities.set(line.activities.all())
    return card


def make_consultation(card: KindCard, recipients, *, message: str = "Prosíme o připomínky.", deadline=None):
    card.state = KindCard.State.CONSULTATION
    card.save(update_fields=["state"])
    consultation = Consultation.objects.create(
        card=card,
        organisation=card.organisation,
        message=message,
        deadline=deadline or timezone.localdate() + timedelta(days=14),
    )
    consultation.recipients.set(recipients)
    return consultation


def make_comment(consultation: Consultation, organisation: Organisation, text: str, **extra) -> CardComment:
    return CardComment.objects.create(consultation=consultation, organisation=organisation, text=text, **extra)


def matrix_kwargs(tenant) -> dict:
    """Tenant A's region card of kind 13: published version 1 (the model text, no tenant secret – the public may see
    it) and version 2 in consultation with A's provider asked, a comment and a meeting, carrying A's secrets."""
    from qmss.needs import selectors_cards

    provider = tenant.orgs[OrganisationKind.PROVIDER]
    region_org = tenant.orgs[OrganisationKind.REGION]
    load_card_libraries()
    if (
        not selectors_cards.consultation_candidates(tenant.region, ServiceKind.objects.get(code="13"))
        .filter(pk=provider.pk)
        .exists()
    ):  # the assessments' builder links A's provider to a home for the elderly in A's region already
        _link_provider_service(provider, tenant.region, name=f"Domov karty {provider.ico}", kind="13")
    published = make_card(tenant.region, "13", state=KindCard.State.PUBLISHED, organisation=region_org)
    draft = make_card(tenant.region, "13", purpose=f"Návrh karty {region_org.name}", organisation=region_org)
    consultation = make_consultation(draft, [provider], message=f"Připomínky prosím – {region_org.name}")
    comment = make_comment(consultation, provider, f"Připomínka {provider.name}")
    ConsultationMeeting.objects.create(
        consultation=consultation,
        date=timezone.localdate(),
        place=f"Krajský úřad {region_org.name}",
        attendees=f"Zástupci {provider.name}",
        outcome="Dohodnuto",
    )
    return {
        "kind_card_pk": draft.pk,
        "consultation_pk": consultation.pk,
        "comment_pk": comment.pk,
        "card_kind_code": "13",
        "kind_card_id": published.pk,
    }


def _link_provider_service(organisation: Organisation, region, *, name: str, kind: str):
    """A registry provider verified as ``organisation``'s, with one service of ``kind`` in ``region`` (the needs app
    may not import the assessments' builder of the same shape: layers)."""
    from qmss.registry.models import Provider
    from qmss.registry.testing import link_verified, make_provider, make_service

    provider = Provider.objects.filter(ico=organisation.ico).first() if organisation.ico else None
    if provider is None:
        provider = make_provider(f"Poskytovatel IČO {organisation.ico}", ico=organisation.ico or None)
    link_verified(organisation, provider)
    return make_service(provider, name=name, facilities=[{"region": region, "name": name}], kind=kind)
