"""Settlement actions: starting (pre-fill, refusals), editing, submitting (results and parameters stored), the
manager's check – each with its permission rule."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qmss.core.roles import OrganisationKind, Role
from qmss.financing import actions_settlement as actions
from qmss.financing.error_codes import FinancingErrorCode as Code
from qmss.financing.models import Settlement, SubsidyApplication
from qmss.financing.testing_settlement import accepted_application, award, make_settlement

pytestmark = pytest.mark.django_db

EDITOR = (OrganisationKind.PROVIDER, Role.EDITOR)
MANAGER = (OrganisationKind.REGION, Role.NETWORK_MANAGER)


def _codes(exc: ValidationError) -> set[str]:
    return {error.code for error in exc.error_list} if hasattr(exc, "error_list") else set()


def _all_codes(exc: ValidationError) -> set[str]:
    if hasattr(exc, "error_dict"):
        return {e.code for errors in exc.error_dict.values() for e in errors}
    return _codes(exc)


def test_start_prefills_the_budget_and_the_awarded_compensation(tenant_a):
    application = accepted_application(tenant_a)
    award(application, D("2750000"))
    settlement = actions.start_settlement(user=tenant_a.user(*EDITOR), application=application)
    assert settlement.state == Settlement.State.DRAFT
    assert settlement.organisation == application.organisation
    assert D(settlement.actual_costs["staff"]) == D("6000000")
    # own revenues only: the application's other public money goes to the public sources
    assert "other_public" not in settlement.actual_revenues
    assert D(settlement.actual_revenues["user_payments"]) == D("2500000")
    assert D(settlement.public_money["compensation"]) == D("2750000")
    assert D(settlement.public_money["other_public"]) == D("400000")
    assert D(settlement.public_money["state"]) == 0


def test_start_refusals(tenant_a, tenant_b):
    application = accepted_application(tenant_a)
    # another tenant's provider editor, and the manager (no editor of the provider) may not start it
    for user in (tenant_b.user(*EDITOR), tenant_a.user(*MANAGER)):
        with pytest.raises(PermissionDenied):
            actions.start_settlement(user=user, application=application)
    application.state = SubsidyApplication.State.SUBMITTED
    application.save(update_fields=["state"])
    with pytest.raises(ValidationError) as exc:
        actions.start_settlement(user=tenant_a.user(*EDITOR), application=application)
    assert Code.INVALID_STATE.value in _all_codes(exc.value)
    application.state = SubsidyApplication.State.ACCEPTED
    application.save(update_fields=["state"])
    actions.start_settlement(user=tenant_a.user(*EDITOR), application=application)
    with pytest.raises(ValidationError) as exc:
        actions.start_settlement(user=tenant_a.user(*EDITOR), application=application)
    assert Code.DUPLICATE.value in _all_codes(exc.value)
    assert Settlement.objects.filter(application=application).count() == 1


def test_start_needs_the_verified_link(tenant_a):
    from qmss.registry.models import ProviderLink

    application = accepted_application(tenant_a)
    ProviderLink.objects.filter(organisation=application.organisation).delete()
    with pytest.raises(ValidationError) as exc:
        actions.start_settlement(user=tenant_a.user(*EDITOR), application=application)
    assert Code.NOT_VERIFIED.value in _all_codes(exc.value)


def test_submit_stores_results_and_parameters_then_the_manager_returns_and_accepts(tenant_a, tenant_b):
    application = accepted_application(tenant_a)
    award(application, D("3000000"))
    editor, manager = tenant_a.user(*EDITOR), tenant_a.user(*MANAGER)
    settlement = make_settlement(application)
    actions.update_settlement(
        user=editor,
        settlement=settlement,
        units=D("40"),
        actual_costs={"staff": "6000000", "operating": "2000000"},
        actual_revenues={
            "user_payments": "2500000",
            "care_allowance": "1500000",
            "health_insurance": "300000",
            "other_own": "100000",
        },
        public_money={"compensation": "3000000", "state": "800000", "municipalities": "0", "other_public": "400000"},
        note="Skutečnost roku",
    )
    with pytest.raises(PermissionDenied):  # another tenant's editor
        actions.submit_settlement(user=tenant_b.user(*EDITOR), settlement=settlement)
    settlement = actions.submit_settlement(user=editor, settlement=settlement)
    # costs 6 000 000 + 2 000 000 = 8 000 000; own revenues 2 500 000 + 1 500 000 + 300 000 + 100 000 = 4 400 000
    # net cost 8 000 000 − 4 400 000 = 3 600 000; profit 0.02 × 8 000 000 = 160 000 → allowed 3 760 000
    # public money 3 000 000 + 800 000 + 0 + 400 000 = 4 200 000 → overcompensation 440 000
    # carry cap 0.10 × 3 000 000 = 300 000 → carried over 300 000; to return min(140 000, 3 000 000) = 140 000
    settlement.refresh_from_db()
    assert settlement.state == Settlement.State.SUBMITTED
    assert (settlement.net_cost, settlement.reasonable_profit) == (D("3600000"), D("160000"))
    assert (settlement.overcompensation, settlement.carry_over, settlement.to_return) == (
        D("440000"),
        D("300000"),
        D("140000"),
    )
    assert settlement.parameters["reasonable_profit_rate"] == "0.02"
    assert settlement.parameters["carry_over_max_share"] == "0.1"
    assert settlement.parameters["verified"] is False and settlement.parameters["library_source"]
    assert settlement.parameters["awarded_compensation"] == "3000000.00"
    assert settlement.submitted_by == editor
    # a submitted settlement is no longer the provider's to change
    with pytest.raises(ValidationError):
        actions.update_settlement(
            user=editor, settlement=settlement, units=None, actual_costs={}, actual_revenues={}, public_money={}
        )
    # only the programme's manager checks; returning needs a note
    for user in (editor, tenant_b.user(*MANAGER)):
        with pytest.raises(PermissionDenied):
            actions.check_settlement(user=user, settlement=settlement, decision="accept")
    with pytest.raises(ValidationError):
        actions.check_settlement(user=manager, settlement=settlement, decision="return", note=" ")
    actions.check_settlement(user=manager, settlement=settlement, decision="return", note="Doložte státní dotaci.")
    settlement.refresh_from_db()
    assert (settlement.state, settlement.reviewer_note) == (Settlement.State.RETURNED, "Doložte státní dotaci.")
    # corrected (state subsidy 500 000 → overcompensation 140 000, all carried over) and accepted
    actions.update_settlement(
        user=editor,
        settlement=settlement,
        units=D("40"),
        actual_costs=settlement.actual_costs,
        actual_revenues=settlement.actual_revenues,
        public_money={**settlement.public_money, "state": "500000"},
    )
    actions.submit_settlement(user=editor, settlement=settlement)
    actions.check_settlement(user=manager, settlement=settlement, decision="accept")
    settlement.refresh_from_db()
    assert settlement.state == Settlement.State.ACCEPTED and settlement.checked_by == manager
    assert (settlement.overcompensation, settlement.carry_over, settlement.to_return) == (
        D("140000"),
        D("140000"),
        D("0"),
    )


def test_update_refuses_bad_amounts_and_saves_nothing(tenant_a):
    settlement = make_settlement(accepted_application(tenant_a))
    before = dict(settlement.actual_costs)
    for bad in ("-1", "NaN", "1e20", "abc"):
        with pytest.raises(ValidationError) as exc:
            actions.update_settlement(
                user=tenant_a.user(*EDITOR),
                settlement=settlement,
                units=D("1"),
                actual_costs={"staff": bad},
                actual_revenues={},
                public_money={},
            )
        assert "cost_staff" in exc.value.error_dict
    settlement.refresh_from_db()
    assert settlement.actual_costs == before
