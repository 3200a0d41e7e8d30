"""Compensation runs from the database: inputs (reference values, budgets, network scores), the actions (compute,
approve) with their permission and state rules, and the selectors used by other parts."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qmss.core.roles import OrganisationKind, Role
from qmss.financing import compensation_inputs
from qmss.financing.actions_compensation import approve_run, compute_run
from qmss.financing.models import CompensationRun, Programme, ReferenceValue
from qmss.financing.selectors_compensation import awarded_line, latest_run
from qmss.financing.testing_compensation import add_application, closed_programme, make_run

pytestmark = pytest.mark.django_db

SECOND_BUDGET = {"staff": D("2000000")}


def two_lines(tenant, *, budget=D("2600000")):
    """The shared programme's application plus a second one (10 beds, budget 2 000 000 of staff costs only)."""
    programme = closed_programme(tenant, budget=budget)
    second = add_application(programme, tenant, units=D("10"), costs=SECOND_BUDGET, revenues={})
    return programme, programme.applications.exclude(pk=second.pk).get(), second


def test_inputs_and_a_hand_computed_run(tenant_a):
    programme, first, second = two_lines(tenant_a)
    lines = {line.key: line for line in compensation_inputs.build(programme)}
    # first: 40 beds; reference value (kind 13, any form) 500 000 cost, 250 000 own revenue, share 0.9;
    # budget: costs 6 000 000 + 2 000 000 = 8 000 000; own revenues 2 500 000 + 1 500 000 + 300 000 + 100 000 =
    # 4 400 000; other public money 400 000 → public need = 8 000 000 − 4 400 000 − 400 000 = 3 200 000;
    # the service is an entry of the network (key e…): its total score 50 points
    assert (lines[first.pk].usual_cost, lines[first.pk].usual_revenue) == (D("500000"), D("250000"))
    assert lines[first.pk].public_need == D("3200000")
    assert lines[first.pk].score is not None
    # second: not in the network → no score; public need = 2 000 000 − 0 − 0
    assert lines[second.pk].score is None and lines[second.pk].public_need == D("2000000")

    run = make_run(programme)
    # first:  optimal = 40 × (500 000 − 250 000) = 10 000 000; band of its score (0 %) → 10 000 000;
    #         caps 0.9 × 40 × 500 000 = 18 000 000 and 3 200 000 → capped 3 200 000
    # second: optimal = 10 × 250 000 = 2 500 000; caps 4 500 000 and 2 000 000 → capped 2 000 000
    # Σ capped 5 200 000; budget 2 600 000 → coefficient 0.5 → 1 600 000 and 1 000 000
    assert (run.number, run.state, run.coefficient) == (1, CompensationRun.State.DRAFT, D("0.5"))
    assert (run.total_capped, run.total_real) == (D("5200000"), D("2600000"))
    line = run.lines.get(application=first)
    assert (line.optimal, line.cap_public_share, line.cap_net_cost, line.capped, line.real) == (
        D("10000000"),
        D("18000000"),
        D("3200000"),
        D("3200000"),
        D("1600000"),
    )
    assert run.lines.get(application=second).real == D("1000000")
    assert line.inputs["reference_set"]["version"] == programme.reference_set.version
    assert line.inputs["budget"]["public_need"] == "3200000"
    assert line.inputs["score"]["key"].startswith("e")
    assert make_run(programme).number == 2


def test_form_value_wins_and_problems(tenant_a):
    programme, first, second = two_lines(tenant_a)
    service_form = first.service.forms.select_related("form").first()
    # a value for the service's own delivery form beats the kind's any-form value: optimal = 40 × (400 000 − 0)
    ReferenceValue.objects.create(
        reference_set=programme.reference_set,
        kind=first.service.kind,
        form=service_form.form,
        unit="luzka",
        usual_cost=D("400000"),
        usual_revenue=D("0"),
        max_public_share=D("1"),
    )
    second.unit = "hodiny"  # the reference value counts beds
    second.save(update_fields=["unit"])
    third = add_application(programme, tenant_a, kind="14")  # no reference value for kind 14
    run = make_run(programme)
    assert run.lines.get(application=first).optimal == D("16000000")
    assert run.lines.get(application=second).problem == "unit_mismatch"
    assert run.lines.get(application=third).problem == "no_reference_value"
    assert run.lines.get(application=third).real == 0


def test_compute_refusals(tenant_a, tenant_b):
    programme = closed_programme(tenant_a)
    for user in (tenant_a.user(OrganisationKind.PROVIDER, Role.ADMIN), tenant_b.user(OrganisationKind.REGION)):
        with pytest.raises(PermissionDenied):
            compute_run(user=user, programme=programme)
    manager = tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)
    Programme.objects.filter(pk=programme.pk).update(state=Programme.State.OPEN)
    programme.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        compute_run(user=manager, programme=programme)
    assert exc.value.code == "invalid_state"
    Programme.objects.filter(pk=programme.pk).update(state=Programme.State.CLOSED)
    programme.applications.update(state="draft")
    with pytest.raises(ValidationError) as exc:
        compute_run(user=manager, programme=programme)
    assert exc.value.code == "no_applications"
    assert not CompensationRun.objects.exists()


def test_approve_the_newest_draft_only(tenant_a):
    programme = closed_programme(tenant_a)
    application = programme.applications.get()
    manager = tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)
    first = make_run(programme)
    second = make_run(programme)
    assert awarded_line(application) is None
    with pytest.raises(PermissionDenied):
        approve_run(user=tenant_a.user(OrganisationKind.PROVIDER, Role.ADMIN), run=second)
    with pytest.raises(ValidationError) as exc:
        approve_run(user=manager, run=first)
    assert exc.value.code == "not_newest_run"
    approve_run(user=manager, run=second)
    second.refresh_from_db()
    programme.refresh_from_db()
    assert second.state == CompensationRun.State.APPROVED and second.approved_by == manager
    assert programme.state == Programme.State.DECIDED
    with pytest.raises(ValidationError) as exc:
        approve_run(user=manager, run=second)
    assert exc.value.code == "invalid_state"
    # a later draft does not replace the awarded line until it is approved
    make_run(programme)
    assert latest_run(programme).number == 3
    assert latest_run(programme, approved_only=True) == second
    assert awarded_line(application).run == second
