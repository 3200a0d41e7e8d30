"""build_inputs reads the database into the engine's arrays in a constant number of queries; the explanation and
the snapshot of a scored application."""

from __future__ import annotations

import json
from decimal import Decimal

import numpy as np
import pytest

from qmss.assessments.models import Assessment, Finding
from qmss.assessments.testing import make_assessment, make_finding, make_framework, make_result
from qmss.core.roles import OrganisationKind
from qmss.network import scoring_engine, scoring_explain, scoring_inputs, selectors_rules
from qmss.network.testing_applications import make_application, provider_service
from qmss.network.testing_networks import make_network
from qmss.testing.queries import count_queries

pytestmark = pytest.mark.django_db


def _located(tenant):
    municipality = tenant.municipality
    municipality.latitude, municipality.longitude = Decimal("50.0"), Decimal("15.0")
    municipality.save(update_fields=["latitude", "longitude"])
    population = municipality.population.first()
    population.age_65_plus = 200
    population.save(update_fields=["age_65_plus"])
    return municipality


def _service(tenant, **extra):
    service = provider_service(tenant, **extra)
    service.facilities.update(latitude=Decimal("50.05"), longitude=Decimal("15.0"))
    return service


def _score(network, inputs):
    rules = selectors_rules.rule_values(selectors_rules.current_rule_set(network))
    demand = selectors_rules.demand_values(selectors_rules.current_parameters(network))
    return scoring_engine.score(inputs, rules=rules, demand=demand)


def test_inputs_from_the_database(tenant_a):
    _located(tenant_a)
    service = _service(tenant_a)
    framework = make_framework()
    audit = make_assessment(
        tenant_a.orgs[OrganisationKind.PROVIDER],
        kind=Assessment.Kind.AUDIT,
        state=Assessment.State.PUBLISHED,
        service=service,
        framework=framework,
        fill="3",
    )
    make_finding(make_result(audit, "1a", "3"), kind=Finding.Kind.MAJOR)
    network = make_network(tenant_a, services=[service])
    other = _service(tenant_a)
    application = make_application(network, other, capacity=20)
    inputs = scoring_inputs.build_inputs(network=network)
    entry_key = next(k for k in inputs.keys if k.startswith("e"))
    assert inputs.keys == [entry_key, f"a{application.pk}"]
    assert inputs.is_entry.tolist() == [True, False]
    assert inputs.kind_codes == ["13", "13"]
    assert inputs.capacity[1] == 20
    # the audit: every criterion 3 of 3 → 100 %; one open major nonconformity
    e = inputs.index(entry_key)
    assert inputs.audit_pct[e] == pytest.approx(100)
    assert inputs.nc_major[e] == 1 and inputs.nc_minor[e] == 0
    assert np.isnan(inputs.audit_pct[1]) and np.isnan(inputs.inspection_pct[e])
    # territory: the tenant's municipality (its ORP), located facilities
    assert tenant_a.municipality.code in inputs.muni_codes
    assert len(inputs.fac_cand) == 2
    table = _score(network, inputs)
    # 100 − 25 = 75 for the nonconformities; distance 0.05° ≈ 5.56 km → just under 100
    assert table.parts["quality.nonconformities"][table.index(entry_key)] == pytest.approx(75)
    assert 95 < table.parts["availability.distance"][table.index(entry_key)] < 100
    assert "13" in inputs.demand_kinds


def test_constant_queries_in_the_number_of_candidates(tenant_a):
    _located(tenant_a)
    few = [_service(tenant_a) for _ in range(2)]
    network = make_network(tenant_a, services=few)
    small, _sql = count_queries(lambda: scoring_inputs.build_inputs(network=network))
    many = [_service(tenant_a) for _ in range(6)]
    bigger = make_network(tenant_a, services=few + many)
    for service in many[:3]:
        make_application(bigger, service, capacity=5)
    large, _sql = count_queries(lambda: scoring_inputs.build_inputs(network=bigger))
    assert len(scoring_inputs.build_inputs(network=bigger).keys) == 11
    assert large == small


def test_cached_inputs_follow_changes(tenant_a):
    _located(tenant_a)
    network = make_network(tenant_a, services=[_service(tenant_a)])
    first = scoring_inputs.cached_inputs(network)
    assert scoring_inputs.cached_inputs(network).keys == first.keys
    application = make_application(network, _service(tenant_a))
    assert f"a{application.pk}" in scoring_inputs.cached_inputs(network).keys


def test_explanation_and_snapshot(tenant_a):
    _located(tenant_a)
    network = make_network(tenant_a, services=[_service(tenant_a)])
    application = make_application(network, _service(tenant_a), capacity=20)
    inputs = scoring_inputs.build_inputs(network=network)
    table = _score(network, inputs)
    key = f"a{application.pk}"
    explanation = scoring_explain.explain(inputs, table, key)
    assert [c.key for c in explanation.criteria] == ["quality", "availability", "need", "cost"]
    quality = explanation.criteria[0]
    assert quality.no_data and all(p.no_data for p in quality.parts)
    assert quality.points == pytest.approx(50)
    assert explanation.rule_set_version == 1 and explanation.parameter_set_version == 1
    assert explanation.total == pytest.approx(float(table.total[table.index(key)]))
    # the weighted total recomputed from the explanation's own numbers
    weights = sum(c.weight for c in explanation.criteria)
    assert explanation.total == pytest.approx(sum(c.weight * c.points for c in explanation.criteria) / weights)
    data = scoring_explain.snapshot(inputs, table, key)
    json.dumps(data, allow_nan=False)
    assert data["key"] == key and data["rule_set_version"] == 1
    assert data["criteria"][2]["parts"][0]["key"] == "need.gap"
