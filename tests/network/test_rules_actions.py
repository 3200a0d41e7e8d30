"""Rule sets and parameter sets of a network: the initial copy of the library, new versions, publication,
parameter sets in force / proposed, permissions and the immutability of used versions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qmss.core.roles import OrganisationKind, Role
from qmss.network import actions_rules as actions
from qmss.network import selectors_rules as selectors
from qmss.network.library import Demand, RuleValues, default_rules
from qmss.network.models import ParameterSet, RuleSet
from qmss.network.testing_networks import make_network, manager_of
from qmss.network.testing_rules import rule_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(tenant_a):
    return make_network(tenant_a)


@pytest.fixture
def manager(network):
    return manager_of(network.organisation)


def test_initial_rules_copy_the_library(network):
    rule_set = selectors.current_rule_set(network)
    parameters = selectors.current_parameters(network)
    assert rule_set.version == 1 and rule_set.published_at is not None
    assert parameters.version == 1 and parameters.state == ParameterSet.State.CURRENT
    values = selectors.rule_values(rule_set)
    library = default_rules()
    assert isinstance(values, RuleValues)
    assert values.criteria["quality"].weight == library.criteria["quality"].weight == Decimal(30)
    assert values.criteria["need"].parts["gap"].weight == Decimal(70)
    assert values.criteria["quality"].name == "Kvalita"
    assert values.thresholds == library.thresholds
    assert values.parameters == library.parameters
    assert values.reference_costs["13"].value == Decimal(620000)
    demand = selectors.demand_values(parameters)
    assert demand["13"] == Demand("domovy pro seniory", "65+", Decimal("0.017"), Decimal(0), "luzka")


def test_initial_rules_refused_twice(network, manager):
    with pytest.raises(ValidationError):
        actions.create_initial_rules(user=manager, network=network)


def test_new_rule_set_and_publish(network, manager):
    payload = rule_payload()
    payload["criteria"]["cost"]["weight"] = "0"
    rule_set = actions.new_rule_set(user=manager, network=network, name="Pravidla 2027", **payload)
    assert rule_set.version == 2 and rule_set.published_at is None
    assert selectors.current_rule_set(network).version == 1
    actions.publish_rule_set(user=manager, rule_set=rule_set)
    current = selectors.current_rule_set(network)
    assert current.version == 2
    assert selectors.rule_values(current).criteria["cost"].weight == 0
    with pytest.raises(ValidationError):
        actions.publish_rule_set(user=manager, rule_set=current)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda p: p["criteria"]["quality"].update(weight="-1"), "criteria.quality.weight"),
        (lambda p: p["criteria"]["quality"].update(weight="abc"), "criteria.quality.weight"),
        (lambda p: p["criteria"]["quality"]["parts"].update(audit="1e9"), "criteria.quality.parts.audit.weight"),
        (lambda p: p["criteria"]["quality"]["parts"].update(bogus="1"), "criteria.quality.parts.bogus"),
        (lambda p: [c.update(weight="0") for c in p["criteria"].values()], "criteria"),
        (lambda p: p["thresholds"].update(min_total="101"), "thresholds.min_total"),
        (lambda p: p["parameters"].update(distance_zero_km="1"), "parameters.distance_zero_km"),
        (lambda p: p["reference_costs"].update({"999": {"unit": "luzka", "value": "1"}}), "reference_costs.999"),
        (lambda p: p["reference_costs"]["13"].update(unit="kila"), "reference_costs.13.unit"),
    ],
)
def test_new_rule_set_validated(network, manager, change, field):
    payload = rule_payload()
    change(payload)
    with pytest.raises(ValidationError) as caught:
        actions.new_rule_set(user=manager, network=network, name="Špatná", **payload)
    assert field in caught.value.message_dict
    assert RuleSet.objects.filter(network=network).count() == 1


def test_other_tenants_manager_cannot_create_a_version(network, tenant_b):
    other = tenant_b.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)
    with pytest.raises(PermissionDenied):
        actions.new_rule_set(user=other, network=network, name="Cizí", **rule_payload())
    with pytest.raises(PermissionDenied):
        actions.new_parameter_set(user=other, network=network, values=actions.library_demand(), source="x")
    assert RuleSet.objects.filter(network=network).count() == 1


def test_parameter_sets_current_and_proposed(network, manager):
    values = actions.library_demand()
    values["13"]["prevalence"] = "0.02"
    second = actions.new_parameter_set(user=manager, network=network, values=values, source="Sběr 2026")
    assert selectors.current_parameters(network) == second
    assert ParameterSet.objects.get(network=network, version=1).state == ParameterSet.State.ACCEPTED
    values["13"]["prevalence"] = "0.03"
    proposed = actions.new_parameter_set(
        user=manager, network=network, values=values, source="odhad", state=ParameterSet.State.PROPOSED
    )
    assert selectors.current_parameters(network) == second
    actions.decide_parameter_set(user=manager, parameter_set=proposed, accept=True)
    assert selectors.current_parameters(network) == proposed
    second.refresh_from_db()
    assert second.state == ParameterSet.State.ACCEPTED
    assert selectors.demand_values(proposed)["13"].prevalence == Decimal("0.03")
    with pytest.raises(ValidationError):
        actions.decide_parameter_set(user=manager, parameter_set=proposed, accept=False)
    third = actions.new_parameter_set(
        user=manager, network=network, values=values, source="odhad", state=ParameterSet.State.PROPOSED
    )
    actions.decide_parameter_set(user=manager, parameter_set=third, accept=False)
    third.refresh_from_db()
    assert third.state == ParameterSet.State.KEPT
    assert selectors.current_parameters(network) == proposed


def test_parameter_set_validated(network, manager):
    values = actions.library_demand()
    values["13"]["prevalence"] = "1.5"
    values["4"]["target"] = "kids"
    with pytest.raises(ValidationError) as caught:
        actions.new_parameter_set(user=manager, network=network, values=values, source="x")
    assert {"13.prevalence", "4.target"} <= set(caught.value.message_dict)
    assert ParameterSet.objects.filter(network=network).count() == 1


def _decision(network, rule_set, parameter_set=None):
    """An application decided with ``rule_set`` (the applications part stores the versions at the decision)."""
    from qmss.network.models import Application
    from qmss.registry.testing import make_service

    service = make_service()
    return Application.objects.create(
        network=network,
        organisation=network.organisation,
        kind=Application.Kind.NEW,
        state=Application.State.APPROVED,
        service=service,
        capacity=Decimal(10),
        unit="luzka",
        justification="Potřeba",
        rule_set=rule_set,
        parameter_set=parameter_set,
    )


def test_used_version_is_never_changed(network, manager):
    draft = actions.new_rule_set(user=manager, network=network, name="Koncept", **rule_payload())
    draft.criteria["quality"]["weight"] = "99"
    draft.save()  # an unused draft may still be corrected in place
    _decision(network, draft)
    assert selectors.is_used_rule_set(draft)
    draft.criteria["quality"]["weight"] = "50"
    with pytest.raises(ValidationError) as caught:
        draft.save()
    assert caught.value.code == "used_version"
    draft.refresh_from_db()
    assert draft.criteria["quality"]["weight"] == "99"
    draft.note = "Jen poznámka"
    draft.save()  # the note is no value of the rules


def test_published_version_is_never_changed(network):
    published = selectors.current_rule_set(network)
    published.thresholds = {"min_quality": "0", "min_total": "0"}
    with pytest.raises(ValidationError):
        published.save()


def test_parameter_set_values_never_change(network):
    parameter_set = selectors.current_parameters(network)
    parameter_set.values["13"]["prevalence"] = "0.5"
    with pytest.raises(ValidationError):
        parameter_set.save()
    parameter_set.refresh_from_db()
    parameter_set.state = ParameterSet.State.ACCEPTED
    parameter_set.save()  # the state may change


def test_used_by_decisions_counted(network, manager):
    rule_set = selectors.current_rule_set(network)
    parameter_set = selectors.current_parameters(network)
    _decision(network, rule_set, parameter_set)
    _decision(network, rule_set)
    history = {rs.version: rs.used_count for rs in selectors.rule_set_history(network)}
    assert history == {1: 2}
    assert [ps.used_count for ps in selectors.parameter_set_history(network)] == [1]
    assert selectors.used_count(rule_set) == 2
