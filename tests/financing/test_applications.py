"""Programmes and subsidy applications: the actions (states, pre-fill, validation, review) and who may do what."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from qmss.core.roles import OrganisationKind, Role
from qmss.financing import actions_applications as actions
from qmss.financing.models import Programme, Settlement, SubsidyApplication
from qmss.financing.testing_applications import make_programme, network_with_service, provider_service
from qmss.registry.testing import make_provider, make_service

REGION, PROVIDER = OrganisationKind.REGION, OrganisationKind.PROVIDER


def manager(tenant):
    return tenant.user(REGION, Role.NETWORK_MANAGER)


def editor(tenant):
    return tenant.user(PROVIDER, Role.EDITOR)


def codes(exc: ValidationError) -> set[str]:
    """The error codes of a refusal (the messages are translated; the codes are not)."""
    if hasattr(exc, "error_dict"):
        return {e.code for errors in exc.error_dict.values() for e in errors}
    return {e.code for e in exc.error_list}


def _budget(**changes):
    data = {
        "units": Decimal("40"),
        "costs": {"staff": Decimal("6000000"), "operating": Decimal("2000000")},
        "revenues": {"user_payments": Decimal("3000000"), "care_allowance": Decimal("1000000")},
        "requested": Decimal("3000000"),
        "note": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def programme(tenant_a):
    return make_programme(tenant_a)


@pytest.fixture
def draft(tenant_a, programme):
    """A second programme (2028) with the provider's draft pre-filled from the 2027 application."""
    second = make_programme(tenant_a, year=2028, name="Druhý program")
    second.applications.all().delete()
    service = programme.applications.get().service
    return actions.start_application(user=editor(tenant_a), programme=second, service=service)


def test_create_programme_copies_the_library_parameters_and_the_reference_values(tenant_a, programme):
    network = programme.network
    created = actions.create_programme(
        user=manager(tenant_a),
        organisation=tenant_a.orgs[REGION],
        network=network,
        year=2027,
        name="Nový program",
        budget=Decimal("5000000"),
    )
    assert created.state == Programme.State.PREPARED
    assert created.parameters["max_public_share"] == "0.9"
    assert created.parameters["source"].startswith("urn:qmss:financing:rules")
    assert created.reference_set == programme.reference_set  # the manager's set in force for 2027
    with pytest.raises(ValidationError):  # the same name again
        actions.create_programme(
            user=manager(tenant_a),
            organisation=tenant_a.orgs[REGION],
            network=network,
            year=2027,
            name="Nový program",
            budget=Decimal("5000000"),
        )
    with pytest.raises(PermissionDenied):  # a provider manages no network
        actions.create_programme(
            user=editor(tenant_a),
            organisation=tenant_a.orgs[REGION],
            network=network,
            year=2027,
            name="Cizí",
            budget=Decimal(1),
        )


def test_programme_states_move_only_along_the_allowed_transitions(tenant_a, programme):
    user = manager(tenant_a)
    with pytest.raises(ValidationError):
        actions.change_programme_state(user=user, programme=programme, state="decided")
    actions.change_programme_state(user=user, programme=programme, state="closed")
    with pytest.raises(ValidationError) as info:  # a submitted application still waits for the review
        actions.change_programme_state(user=user, programme=programme, state="decided")
    assert codes(info.value) == {"invalid_state"}
    actions.review_application(user=user, application=programme.applications.get(), decision="accept")
    actions.change_programme_state(user=user, programme=programme, state="decided")
    with pytest.raises(ValidationError):  # parameters are frozen once decided
        actions.update_programme(user=user, programme=programme, name="X", budget=Decimal(1), parameters={})
    actions.change_programme_state(user=user, programme=programme, state="settled")
    with pytest.raises(PermissionDenied):
        actions.change_programme_state(user=editor(tenant_a), programme=programme, state="open")


def test_parameters_are_editable_and_bounded(tenant_a, programme):
    user = manager(tenant_a)
    actions.update_programme(
        user=user,
        programme=programme,
        name=programme.name,
        budget=Decimal("2000000"),
        parameters={"max_public_share": Decimal("0.75"), "adjustment_enabled": False},
    )
    programme.refresh_from_db()
    assert programme.parameters["max_public_share"] == "0.75"
    assert programme.parameters["adjustment_enabled"] is False
    assert programme.parameters["reasonable_profit_rate"] == "0.02"
    with pytest.raises(ValidationError):
        actions.update_programme(
            user=user,
            programme=programme,
            name=programme.name,
            budget=Decimal(1),
            parameters={"max_public_share": Decimal("1.5")},
        )


def test_start_prefills_from_the_latest_application(tenant_a, programme, draft):
    assert draft.state == SubsidyApplication.State.DRAFT
    assert draft.organisation == tenant_a.orgs[PROVIDER]
    assert draft.costs == programme.applications.get().costs
    assert str(programme) in draft.prefilled_from


def test_start_prefills_from_the_latest_accepted_settlement_first(tenant_a, programme):
    earlier = programme.applications.get()
    Settlement.objects.create(
        application=earlier,
        organisation=earlier.organisation,
        state=Settlement.State.ACCEPTED,
        units=Decimal("38"),
        actual_costs={"staff": "6100000.00", "operating": "1900000.00"},
        actual_revenues={"user_payments": "2600000.00"},
    )
    second = make_programme(tenant_a, year=2028, name="Druhý program")
    second.applications.all().delete()
    draft = actions.start_application(user=editor(tenant_a), programme=second, service=earlier.service)
    assert draft.units == Decimal("38")
    assert draft.costs["staff"] == "6100000"
    assert str(programme) in draft.prefilled_from and draft.prefilled_from != ""


def test_start_refuses_an_unlinked_service_one_outside_the_network_and_a_closed_programme(tenant_a, programme):
    user = editor(tenant_a)
    service = programme.applications.get().service
    with pytest.raises(ValidationError) as info:
        actions.start_application(user=user, programme=programme, service=service)
    assert codes(info.value) == {"duplicate"}
    foreign = make_service(make_provider("Cizí poskytovatel"), name="Cizí služba")
    with pytest.raises(PermissionDenied):
        actions.start_application(user=user, programme=programme, service=foreign)
    outside = make_service(service.provider, name="Služba mimo síť")  # linked, but not in the network
    with pytest.raises(ValidationError) as info:
        actions.start_application(user=user, programme=programme, service=outside)
    assert codes(info.value) == {"not_in_scope"}
    with pytest.raises(PermissionDenied):  # the manager files nothing
        actions.start_application(user=manager(tenant_a), programme=programme, service=service)
    programme.applications.all().delete()
    programme.deadline = timezone.localdate() - timedelta(days=1)
    programme.save()
    with pytest.raises(ValidationError) as info:
        actions.start_application(user=user, programme=programme, service=service)
    assert codes(info.value) == {"invalid_state"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"units": Decimal(0)}, "units"),
        ({"costs": {"staff": Decimal(-1)}}, "cost_staff"),
        ({"revenues": {"user_payments": Decimal("1e12")}}, "revenue_user_payments"),
        ({"requested": Decimal("5000000")}, "requested"),  # above the public need of 4 M
    ],
)
def test_update_validates_units_amounts_and_the_requested_amount(tenant_a, draft, changes, field):
    with pytest.raises(ValidationError) as info:
        actions.update_application(user=editor(tenant_a), application=draft, **_budget(**changes))
    assert field in info.value.error_dict
    draft.refresh_from_db()
    assert draft.requested == 0  # nothing written


def test_submit_only_while_open_and_before_the_deadline(tenant_a, draft):
    user = editor(tenant_a)
    actions.update_application(user=user, application=draft, **_budget())
    programme = draft.programme
    programme.deadline = timezone.localdate() - timedelta(days=1)
    programme.save()
    with pytest.raises(ValidationError) as info:
        actions.submit_application(user=user, application=draft)
    assert codes(info.value) == {"invalid_state"}
    programme.deadline = timezone.localdate()
    programme.state = Programme.State.CLOSED
    programme.save()
    with pytest.raises(ValidationError) as info:
        actions.submit_application(user=user, application=draft)
    assert codes(info.value) == {"invalid_state"}
    programme.state = Programme.State.OPEN
    programme.save()
    with pytest.raises(PermissionDenied):
        actions.submit_application(user=tenant_a.user(PROVIDER, Role.READER), application=draft)
    submitted = actions.submit_application(user=user, application=draft)
    assert submitted.state == SubsidyApplication.State.SUBMITTED and submitted.submitted_by == user
    with pytest.raises(ValidationError):  # a submitted application is not changed
        actions.update_application(user=user, application=submitted, **_budget())


def test_review_returns_with_a_reason_and_the_provider_submits_again(tenant_a, programme):
    application = programme.applications.get()
    user = manager(tenant_a)
    with pytest.raises(PermissionDenied):
        actions.review_application(user=editor(tenant_a), application=application, decision="accept")
    with pytest.raises(ValidationError):  # returning needs a reason
        actions.review_application(user=user, application=application, decision="return", reason=" ")
    actions.review_application(user=user, application=application, decision="return", reason="Doplňte úhrady.")
    application.refresh_from_db()
    assert application.state == SubsidyApplication.State.RETURNED
    assert application.decision_reason == "Doplňte úhrady."
    actions.submit_application(user=editor(tenant_a), application=application)
    actions.review_application(user=user, application=application, decision="reject", reason="Mimo zaměření.")
    application.refresh_from_db()
    assert application.state == SubsidyApplication.State.REJECTED
    with pytest.raises(ValidationError):  # decided: no second review
        actions.review_application(user=user, application=application, decision="accept")


def test_tenant_b_cannot_touch_tenant_a(tenant_a, tenant_b, programme):
    application = programme.applications.get()
    with pytest.raises(PermissionDenied):
        actions.review_application(user=manager(tenant_b), application=application, decision="accept")
    with pytest.raises(PermissionDenied):
        actions.update_application(user=editor(tenant_b), application=application, **_budget())
    with pytest.raises(PermissionDenied):
        actions.change_programme_state(user=manager(tenant_b), programme=programme, state="closed")
    # B's provider, linked to its own service, cannot file for A's service
    provider_service(tenant_b)
    with pytest.raises(PermissionDenied):
        actions.start_application(user=editor(tenant_b), programme=programme, service=application.service)


def test_builders_reuse_the_network(tenant_a):
    network, entry = network_with_service(tenant_a)
    assert network_with_service(tenant_a)[0] == network
    assert entry.service == provider_service(tenant_a)
