"""Provider service cards: opening a card (empty rows for every need of the kind card, or pre-filled from the
previous period), answering, validation, confirmation, return to draft, and who sees and changes what."""

from __future__ import annotations

import html

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qmss.core.roles import OrganisationKind, Role
from qmss.needs import actions_service_cards as actions
from qmss.needs import selectors_service_cards as selectors
from qmss.needs.actions_service_cards import ResponseInput
from qmss.needs.error_codes import NeedsErrorCode
from qmss.needs.models import ServiceCard, ServiceCardResponse
from qmss.needs.testing_service_cards import make_card, make_kind_card, need
from qmss.registry.testing import make_kind, make_service
from qmss.testing.queries import assert_constant_queries
from tests.needs.service_cards_world import CARD_NEEDS, build_world

pytestmark = pytest.mark.django_db
BASIC, BROKERING, REFERRAL, NOT_ADDRESSED = ServiceCardResponse.Response.values


@pytest.fixture
def world(tenant_a, tenant_b):
    return build_world(tenant_a, tenant_b)


def text(response) -> str:
    return html.unescape(response.content.decode())


def _create(world, service, year, user=None):
    client = world.client(user or world.editor)
    url = reverse("needs:service_card_create", kwargs={"organisation_pk": world.provider.pk})
    return client.post(url, {"service": service.pk, "year": year})


def _post_card(world, card, data, user=None, confirm=False):
    payload = {}
    for code, value in data.items():
        pk = need(card.taxonomy, code).pk
        response, activity, note = (*value, "", None)[:3] if isinstance(value, tuple) else (value, None, "")
        payload[f"response_{pk}"] = response
        payload[f"activity_{pk}"] = str(activity.pk) if activity else ""
        payload[f"note_{pk}"] = note or ""
    payload["confirm" if confirm else "save"] = "1"
    url = reverse("needs:service_card_detail", kwargs={"service_card_pk": card.pk})
    return world.client(user or world.editor).post(url, payload, follow=True)


# --- opening a card ------------------------------------------------------------------------------------------


def test_new_card_has_an_empty_row_for_every_need_of_the_regions_kind_card(world):
    response = _create(world, world.services[0], 2026)
    card = ServiceCard.objects.get(service=world.services[0], year=2026)
    assert response.status_code == 302 and response["Location"].endswith(f"/karta/{card.pk}/")
    assert card.kind_card == world.kind_card and card.taxonomy == world.taxonomy
    assert card.prefilled_from is None and card.state == ServiceCard.State.DRAFT
    assert card.organisation == world.provider and not card.responses.exists()
    assert [n.code for n in selectors.card_needs(card)] == CARD_NEEDS
    page = world.client(world.editor).get(response["Location"]).content.decode()
    for code in CARD_NEEDS:
        assert f'name="response_{need(card.taxonomy, code).pk}"' in page
    assert 'name="response_' + str(need(card.taxonomy, "money").pk) not in page


def test_kind_card_fallbacks_model_card_then_every_need(world):
    # kind 3: no region card, a QMSS model card (region empty) -> that card
    model = make_kind_card(kind=make_kind("3"), taxonomy=world.taxonomy, needs=["mobility", "household"])
    card = actions.create_card(user=world.editor, organisation=world.provider, service=world.other_kind_service,
                               year=2026)  # fmt: skip
    assert card.kind_card == model
    assert [n.code for n in selectors.card_needs(card)] == ["mobility", "household"]
    # a draft region card is not what a card answers; kind 4 has no card at all -> every need of the taxonomy
    service = make_service(world.services[0].provider, kind="4", facilities=[{"region": world.tenant.region}])
    make_kind_card(kind=make_kind("4"), taxonomy=world.taxonomy, needs=["money"], region=world.tenant.region,
                   state="draft")  # fmt: skip
    card = actions.create_card(user=world.editor, organisation=world.provider, service=service, year=2026)
    assert card.kind_card is None
    assert {n.code for n in selectors.card_needs(card)} == set(world.taxonomy.needs.values_list("code", flat=True))


def test_new_card_is_prefilled_from_the_latest_previous_period(world):
    service = world.services[0]
    make_card(service, world.provider, 2024, {"hygiene": NOT_ADDRESSED}, kind_card=world.kind_card)
    previous = make_card(
        service,
        world.provider,
        2025,
        {
            "hygiene": (BASIC, world.pvo, "Ranní hygiena v koupelně"),
            "eating": (BASIC, world.hyg, ""),
            "mobility": (REFERRAL, None, "Sociální pracovnice obce"),
            "household": NOT_ADDRESSED,
        },
        state=ServiceCard.State.CONFIRMED,
        kind_card=world.kind_card,
        user=world.editor,
    )
    response = _create(world, service, 2026)
    card = ServiceCard.objects.get(service=service, year=2026)
    assert response.status_code == 302
    assert card.prefilled_from == previous and card.state == ServiceCard.State.DRAFT and card.confirmed_at is None
    copied = {r.need.code: (r.response, r.activity, r.note) for r in card.responses.select_related("need", "activity")}
    assert copied == {
        "hygiene": (BASIC, world.pvo, "Ranní hygiena v koupelně"),
        "eating": (BASIC, world.hyg, ""),
        "mobility": (REFERRAL, None, "Sociální pracovnice obce"),
        "household": (NOT_ADDRESSED, None, ""),
    }
    page = world.client(world.editor).get(reverse("needs:service_card_detail", args=[card.pk])).content.decode()
    assert "Ranní hygiena v koupelně" in page and "2025" in page


def test_a_former_providers_card_is_not_copied(world):
    service = world.services[0]
    make_card(service, world.other_provider, 2025, {"hygiene": (BASIC, world.pvo, "Cizí poznámka")})
    card = actions.create_card(user=world.editor, organisation=world.provider, service=service, year=2026)
    assert card.prefilled_from is None and not card.responses.exists()


def test_a_second_card_for_the_same_period_is_refused(world):
    actions.create_card(user=world.editor, organisation=world.provider, service=world.services[0], year=2026)
    with pytest.raises(ValidationError) as exc:
        actions.create_card(user=world.editor, organisation=world.provider, service=world.services[0], year=2026)
    assert exc.value.code == NeedsErrorCode.DUPLICATE.value
    # the list's button for an existing card leads to it instead
    response = _create(world, world.services[0], 2026)
    assert response.status_code == 302 and ServiceCard.objects.filter(service=world.services[0]).count() == 1


# --- answering, validation, confirmation ---------------------------------------------------------------------


def test_save_draft_then_confirm(world):
    card = actions.create_card(user=world.editor, organisation=world.provider, service=world.services[0], year=2026)
    answers = {
        "hygiene": (BASIC, world.pvo, "Koupelna"),
        "eating": (BROKERING, None, ""),
        "mobility": (REFERRAL, None, ""),
    }
    response = _post_card(world, card, answers)
    assert _("The card has been saved as a draft.") in text(response)
    card.refresh_from_db()
    assert card.state == ServiceCard.State.DRAFT and card.responses.count() == 3
    # confirming an incomplete card is refused (two needs without a response)
    response = _post_card(world, card, answers, confirm=True)
    card.refresh_from_db()
    assert card.state == ServiceCard.State.DRAFT
    expected = ngettext(
        "The card can be confirmed only when every need has a response; %(n)s need has none.",
        "The card can be confirmed only when every need has a response; %(n)s needs have none.",
        2,
    ) % {"n": 2}
    assert expected in text(response)
    answers.update({"health_care": (NOT_ADDRESSED, None, ""), "household": (NOT_ADDRESSED, None, "")})
    _post_card(world, card, answers, confirm=True)
    card.refresh_from_db()
    assert card.state == ServiceCard.State.CONFIRMED
    assert card.confirmed_by == world.editor and card.confirmed_at is not None
    assert card.responses.get(need__code="hygiene").activity == world.pvo


def test_a_basic_activity_response_needs_an_activity_of_the_kind(world):
    card = actions.create_card(user=world.editor, organisation=world.provider, service=world.services[0], year=2026)
    hygiene = need(card.taxonomy, "hygiene")
    for activity, message in (
        (None, actions.activity_required_message(hygiene)),
        (world.foreign, actions.activity_not_of_kind_message(hygiene)),
    ):
        with pytest.raises(ValidationError) as exc:
            actions.save_card(
                user=world.editor,
                card=card,
                responses={hygiene.pk: ResponseInput(BASIC, activity.pk if activity else None, "")},
            )
        assert exc.value.error_list[0].code == NeedsErrorCode.INVALID_VALUE.value
        assert exc.value.messages == [message] and hygiene.name in message
    assert not card.responses.exists()
    # the kind's own (registry) activity and the card's activity are both fine
    for activity in (world.pvo, world.hyg):
        actions.save_card(user=world.editor, card=card, responses={hygiene.pk: ResponseInput(BASIC, activity.pk, "")})
    # on the page: the form says it in Czech, nothing saved
    response = _post_card(world, card, {"hygiene": (BASIC, None, "")})
    assert actions.activity_required_message(hygiene) in text(response)
    assert card.responses.get(need=hygiene).activity == world.hyg


def test_other_responses_store_no_activity(world):
    card = actions.create_card(user=world.editor, organisation=world.provider, service=world.services[0], year=2026)
    hygiene = need(card.taxonomy, "hygiene")
    actions.save_card(user=world.editor, card=card, responses={hygiene.pk: ResponseInput(BROKERING, world.pvo.pk)})
    assert card.responses.get(need=hygiene).activity is None


def test_unknown_need_is_refused(world):
    card = actions.create_card(user=world.editor, organisation=world.provider, service=world.services[0], year=2026)
    with pytest.raises(ValidationError) as exc:
        actions.save_card(
            user=world.editor, card=card, responses={need(card.taxonomy, "money").pk: ResponseInput(NOT_ADDRESSED)}
        )
    assert exc.value.code == NeedsErrorCode.UNKNOWN_ELEMENT.value


def test_editing_a_confirmed_card_returns_it_to_draft_with_a_notice(world):
    card = make_card(
        world.services[0],
        world.provider,
        2026,
        dict.fromkeys(CARD_NEEDS, NOT_ADDRESSED),
        state=ServiceCard.State.CONFIRMED,
        kind_card=world.kind_card,
        user=world.editor,
    )
    unchanged = dict.fromkeys(CARD_NEEDS, (NOT_ADDRESSED, None, ""))
    _post_card(world, card, unchanged)  # saving without a change keeps it confirmed
    card.refresh_from_db()
    assert card.state == ServiceCard.State.CONFIRMED
    response = _post_card(world, card, {**unchanged, "eating": (BROKERING, None, "Jídelna obce")})
    card.refresh_from_db()
    assert card.state == ServiceCard.State.DRAFT and card.confirmed_at is None and card.confirmed_by is None
    assert _("The card was confirmed; your changes returned it to draft. Confirm it again when complete.") in text(
        response
    )


# --- who sees and changes what -------------------------------------------------------------------------------


@pytest.fixture
def card(world):
    return make_card(
        world.services[0],
        world.provider,
        2025,
        {"hygiene": (BASIC, world.pvo, "Tajná poznámka poskytovatele A")},
        kind_card=world.kind_card,
    )


def test_provider_members_see_their_cards_readers_do_not_edit(world, card):
    url = reverse("needs:service_card_detail", args=[card.pk])
    for user in (world.user(), world.editor):
        page = world.client(user).get(url).content.decode()
        assert "Tajná poznámka poskytovatele A" in page and 'name="confirm"' in page
    page = world.client(world.reader).get(url)
    assert page.status_code == 200 and "Tajná poznámka poskytovatele A" in page.content.decode()
    assert 'name="confirm"' not in page.content.decode()
    assert world.client(world.reader).post(url, {"save": "1"}).status_code == 403
    with pytest.raises(PermissionDenied):
        actions.save_card(user=world.reader, card=card, responses={})


@pytest.mark.parametrize(
    "who",
    ["other_provider", "tenant_b_provider", "tenant_b_region", "region_of_a_municipality", "audit_body", "anonymous"],
)
def test_others_see_nothing_of_the_card(world, card, who):
    users = {
        "other_provider": world.other_provider_user,
        "tenant_b_provider": world.tenant_b.user(OrganisationKind.PROVIDER),
        "tenant_b_region": world.tenant_b.user(OrganisationKind.REGION, Role.NETWORK_MANAGER),
        "region_of_a_municipality": world.tenant.user(OrganisationKind.MUNICIPALITY),
        "audit_body": world.tenant.user(OrganisationKind.AUDIT_BODY),
        "anonymous": None,
    }
    user = users[who]
    client = world.client(user)
    detail = reverse("needs:service_card_detail", args=[card.pk])
    listing = reverse("needs:service_card_list", args=[world.provider.pk])
    create = reverse("needs:service_card_create", args=[world.provider.pk])
    expected = 302 if user is None else 404
    for url in (detail, listing):
        response = client.get(url)
        assert response.status_code == expected, (who, url)
        assert "Tajná poznámka" not in response.content.decode()
    assert client.post(detail, {"save": "1"}).status_code == expected
    assert client.post(create, {"service": world.services[1].pk, "year": 2026}).status_code == expected
    assert not ServiceCard.objects.filter(service=world.services[1]).exists()
    if user is not None:
        with pytest.raises(PermissionDenied):
            actions.save_card(user=user, card=card, responses={})
        with pytest.raises(PermissionDenied):
            actions.create_card(user=user, organisation=world.provider, service=world.services[1], year=2026)


def test_region_staff_read_cards_of_their_region_only(world, card):
    url = reverse("needs:service_card_detail", args=[card.pk])
    for role in (Role.READER, Role.NETWORK_MANAGER, Role.ADMIN):
        client = world.client(world.user(OrganisationKind.REGION, role))
        page = client.get(url)
        assert page.status_code == 200 and "Tajná poznámka poskytovatele A" in page.content.decode()
        assert 'name="confirm"' not in page.content.decode() and "<textarea" not in page.content.decode()
        assert client.post(url, {"save": "1"}).status_code == 403
    # a card of a service outside the region (B's region only) is not theirs
    outside = make_card(world.other_region_service, world.provider, 2025, {"hygiene": NOT_ADDRESSED})
    client = world.client(world.manager)
    assert client.get(reverse("needs:service_card_detail", args=[outside.pk])).status_code == 404
    b_manager = world.tenant_b.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)
    assert world.client(b_manager).get(reverse("needs:service_card_detail", args=[outside.pk])).status_code == 200


def test_a_card_of_a_provider_no_longer_verified_is_hidden_from_it(world, card):
    from qmss.registry.models import ProviderLink

    ProviderLink.objects.filter(organisation=world.provider).delete()
    assert world.client(world.editor).get(reverse("needs:service_card_detail", args=[card.pk])).status_code == 404
    page = world.client(world.editor).get(reverse("needs:service_card_list", args=[world.provider.pk]))
    assert "Domov 1" not in page.content.decode()


def test_a_provider_cannot_open_a_card_for_someone_elses_service(world):
    b_service = make_service(name="Služba B", facilities=[{"region": world.tenant_b.region}])
    with pytest.raises(ValidationError) as exc:
        actions.create_card(user=world.editor, organisation=world.provider, service=b_service, year=2026)
    assert exc.value.code == NeedsErrorCode.NOT_IN_SCOPE.value
    assert _create(world, b_service, 2026).status_code == 404


# --- list, dashboard, service pages --------------------------------------------------------------------------


def test_card_list_shows_states_per_period(world, card):
    make_card(world.services[1], world.provider, 2026, {}, state=ServiceCard.State.CONFIRMED)
    page = world.client(world.reader).get(reverse("needs:service_card_list", args=[world.provider.pk]) + "?year=2026")
    content = text(page)
    assert page.status_code == 200 and "Domov 1" in content and _("confirmed") in content
    assert f"/karta/{card.pk}/" in content  # 2025 under other periods
    assert _("Fill in the card") not in content  # a reader gets no create button
    page = world.client(world.editor).get(reverse("needs:service_card_list", args=[world.provider.pk]))
    assert _("Fill in the card") in text(page)


def test_card_list_query_budget(world):
    provider = world.services[0].provider

    def grow(n):
        while len(world.services) < n:
            service = make_service(provider, name=f"Další domov {len(world.services)}",
                                   facilities=[{"region": world.tenant.region}])  # fmt: skip
            make_card(service, world.provider, 2025, {"hygiene": NOT_ADDRESSED})
            world.services.append(service)

    client = world.client(world.editor)
    url = reverse("needs:service_card_list", args=[world.provider.pk])
    assert_constant_queries(
        lambda: client.get(url),
        grow,
        count=lambda: len(world.services),
        small=5,
        large=25,
        max_queries=12,
    )


def test_provider_dashboard_lists_cards_to_fill_and_confirm(world):
    year = selectors.current_year()
    make_card(world.services[1], world.provider, year, {"hygiene": NOT_ADDRESSED})
    page = text(world.client(world.editor).get(reverse("home")))
    assert _("Service cards") in page
    assert "/karta/" in page and reverse("needs:service_card_list", args=[world.provider.pk]) in page
    other = world.client(world.tenant_b.user(OrganisationKind.PROVIDER)).get(reverse("home")).content.decode()
    assert "Domov 1" not in other


def test_service_pages_show_the_card_to_the_provider_and_region_staff_only(world, card):
    from qmss.needs.testing_service_cards import make_minimum_form

    make_minimum_form(region=world.tenant.region, organisation=world.region_org, kind=world.kind,
                      needs=["hygiene", "eating"], year=2025)  # fmt: skip
    service = world.services[0]
    url = reverse("registry:service", kwargs={"service_portal_id": service.portal_id})
    for user in (world.reader, world.user(OrganisationKind.REGION, Role.READER)):
        page = text(world.client(user).get(url))
        assert _("Service card and minimum form") in page, user
        assert "⚠" in page and need(world.taxonomy, "eating").name in page
    for user in (None, world.other_provider_user, world.tenant_b.user(OrganisationKind.REGION, Role.ADMIN),
                 world.tenant.user(OrganisationKind.MUNICIPALITY)):  # fmt: skip
        page = text(world.client(user).get(url))
        assert _("Service card and minimum form") not in page, user
    workspace = reverse("assessments:service_workspace", kwargs={"service_portal_id": service.portal_id})
    page = text(world.client(world.reader).get(workspace))
    assert _("Service card and minimum form") in page and f"/karta/{card.pk}/" in page
