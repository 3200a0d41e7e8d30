"""The indicator engine against values computed by hand (see tests/needs/indicators_world.py for the data)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qmss.core.roles import OrganisationKind
from qmss.core.scoping import Scope
from qmss.needs import indicators as engine
from qmss.testing.factories import make_user
from tests.needs.indicators_world import build, make_peer_group

pytestmark = pytest.mark.django_db


def q(value, places=4):
    return None if value is None else Decimal(value).quantize(Decimal(1).scaleb(-places))


@pytest.fixture
def world(tenant_a, tenant_b):
    return build(tenant_a, tenant_b)


def test_service_values_equal_hand_computed_values(world):
    refusal = world.indicator("refusal_capacity_rate")
    values = engine.service_values(round=world.round, indicator=refusal)
    # refused["capacity"] / (new_users + refused) × 100; refused = the sum of its categories
    assert q(values[world.s1.pk]) == q(Decimal(3) / 15 * 100)  # 3 / (10 + 5) = 20 %
    assert q(values[world.s2.pk]) == Decimal("40.0000")  # 4 / (6 + 4)
    assert values[world.s3.pk] is None  # 0 / (0 + 0): the denominator is zero → "–"
    assert q(values[world.s4.pk]) == Decimal("20.0000")  # 2 / (8 + 2)
    assert world.s5.pk not in values  # only submitted, not approved

    occupancy = engine.service_values(round=world.round, indicator=world.indicator("occupancy"))
    assert set(occupancy) == {world.s1.pk, world.s2.pk, world.s3.pk}  # residential only: S4 (field) left out
    assert q(occupancy[world.s1.pk], 2) == Decimal("82.19")  # 12000 / (40 × 365) × 100
    assert q(occupancy[world.s2.pk], 2) == Decimal("91.32")  # 20000 / (60 × 365) × 100
    assert q(occupancy[world.s3.pk], 2) == Decimal("95.89")  # 10500 / (30 × 365) × 100

    codes = ("users_per_direct_fte", "needs_basic_share", "cost_per_unit", "waiting_per_capacity")
    s1 = {c: engine.service_values(round=world.round, indicator=world.indicator(c))[world.s1.pk] for c in codes}
    assert s1["users_per_direct_fte"] == Decimal(5)  # 50 / (2 + 8); management is not direct care
    assert s1["needs_basic_share"] == Decimal(60)  # 6 / (6 + 2 + 2) × 100
    assert q(s1["cost_per_unit"], 2) == Decimal("416.67")  # 5 000 000 / (12000 + 0)
    assert s1["waiting_per_capacity"] == Decimal("0.5")  # 20 / 40
    s2_fte = engine.service_values(round=world.round, indicator=world.indicator("users_per_direct_fte"))[world.s2.pk]
    assert s2_fte == Decimal(5)  # 70 / (10 + 4)


def test_region_value_is_the_pooled_ratio(world):
    [point] = engine.series(indicator_code="refusal_capacity_rate", rounds=[world.round])
    # Σ numerators / Σ denominators over S1, S2, S4 (S3 has no value): (3 + 4 + 2) / (15 + 10 + 10) × 100
    assert (point.numerator, point.denominator, point.services) == (9, 35, 3)
    assert q(point.value) == q(Decimal(9) / 35 * 100)  # 25.7143 – not the mean of 20, 40, 20
    [occupancy] = engine.series(indicator_code="occupancy", rounds=[world.round])
    assert q(occupancy.value, 2) == Decimal("89.57")  # 42500 / 47450 × 100


def test_series_over_rounds_and_services(world):
    points = engine.series(
        indicator_code="refusal_capacity_rate", rounds=[world.round_2024, world.round], service_ids=[world.s1.pk]
    )
    assert [p.round for p in points] == [world.round_2024, world.round]
    assert [q(p.value) for p in points] == [Decimal("50.0000"), Decimal("20.0000")]  # 5 / 10, 3 / 15
    own_ids = [world.s1.pk, world.s2.pk]
    [own] = engine.series(indicator_code="refusal_capacity_rate", rounds=[world.round], service_ids=own_ids)
    assert q(own.value) == Decimal("28.0000")  # (3 + 4) / (15 + 10)


def test_kind_and_form_filters(world):
    refusal = world.indicator("refusal_capacity_rate")
    refusal.kinds = ["13"]
    refusal.save()
    assert set(engine.service_values(round=world.round, indicator=refusal)) == {world.s1.pk, world.s2.pk, world.s3.pk}
    [point] = engine.series(indicator_code="refusal_capacity_rate", rounds=[world.round])
    assert q(point.value) == Decimal("28.0000")  # (3 + 4) / (15 + 10): S4 is kind 3
    refusal.kinds, refusal.forms = [], ["field"]
    refusal.save()
    assert set(engine.service_values(round=world.round, indicator=refusal)) == {world.s4.pk}


def test_values_are_read_in_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    rounds = [world.round, world.round_2024]
    with django_assert_max_num_queries(5):  # indicators, fingerprints, elements, values, facts (none per service)
        cold = engine.series(indicator_code="refusal_capacity_rate", rounds=rounds)
    with django_assert_max_num_queries(2):  # indicators, fingerprints: the rounds' figures come from the cache
        assert engine.series(indicator_code="refusal_capacity_rate", rounds=rounds) == cold


def test_a_round_is_recomputed_when_its_submissions_change(world):
    """The per-round cache never serves stale values: a decision or a save in a round gives it a new key."""
    from django.utils import timezone

    from qmss.needs.models import Submission

    def refusal():
        return engine.series(indicator_code="refusal_capacity_rate", rounds=[world.round])[0]

    assert (refusal().numerator, refusal().denominator) == (9, 35)
    assert (
        q(engine.service_values(round=world.round, indicator=world.indicator("refusal_capacity_rate"))[world.s2.pk])
        == 40
    )
    submission = Submission.objects.get(round=world.round, service=world.s2)
    submission.state = Submission.State.RETURNED
    submission.decided_at = timezone.now()
    submission.save()
    assert (refusal().numerator, refusal().denominator, refusal().services) == (5, 25, 2)  # S1 and S4 only
    assert world.s2.pk not in engine.service_values(
        round=world.round, indicator=world.indicator("refusal_capacity_rate")
    )
    [kpi_round] = engine.series(indicator_code="refusal_capacity_rate", rounds=[world.round], service_ids=[world.s2.pk])
    assert kpi_round.value is None and kpi_round.services == 0


def test_pooled_values_of_many_indicators_and_rounds_with_a_kind_filter(world):
    rounds = [world.round_2024, world.round]
    definitions = list(world.round.template.indicators.all())
    pools = engine.pooled_values(rounds=rounds, indicators=definitions)
    for indicator in definitions:
        for point in engine.series(indicator_code=indicator.code, rounds=rounds):
            pool = pools.get((indicator.code, point.round.pk), engine.EMPTY_POOL)
            assert pool.point(point.round, indicator) == point
    refusal = pools[("refusal_capacity_rate", world.round.pk)]
    assert (refusal.numerator, refusal.denominator, refusal.services, refusal.applicable) == (9, 35, 3, 4)
    kind_13 = engine.pooled_values(rounds=rounds, indicators=definitions, kind_code="13")
    refusal = kind_13[("refusal_capacity_rate", world.round.pk)]
    assert (refusal.numerator, refusal.denominator, refusal.services, refusal.applicable) == (7, 25, 2, 3)
    assert kind_13[("refusal_capacity_rate", world.round_2024.pk)].value(Decimal(100)) == 50  # S1: 5 / 10


@pytest.mark.parametrize(
    "text",
    [
        "users", 'refused["capacity"] + 1.5', "new_users + refused", "bed_days / (capacity * period_days)",
        "nz(fte[\"social_worker\"]) + nz(fte[\"care_worker\"])", "-users", "+users", "users / 0",
        "not users > 0 or fte > 0", "new_users <= users", "0 < users < 100 == users", "users != users and nz(x)",
        "users == 3 or x > 1", "not x", "nz(users > 2) + 1", "(users > 2) * 3", "users * 1e999 - 1e999",
        "nz(x) / nz(y)",
    ],
)  # fmt: skip
def test_compiled_expressions_equal_the_evaluator(text):
    from qmss.needs.expressions import compiled, evaluate

    worlds = [
        {},
        {"users": {"": Decimal(3)}, "new_users": {"": Decimal(0)}},
        {"users": {"a": Decimal(2), "b": Decimal("1.5")}, "refused": {"capacity": Decimal(4), "x": Decimal(1)}},
        {"users": {"": Decimal(0)}, "fte": {"social_worker": Decimal("0.5")}, "bed_days": {"": Decimal(10)},
         "capacity": {"": Decimal(2)}, "period_days": {"": Decimal(0)}, "x": {"": Decimal(-1)}, "y": {"": 2}},
        {"users": {"": Decimal(150)}, "fte": {"care_worker": Decimal(0)}, "new_users": {"": Decimal(151)},
         "x": {"": Decimal(7)}, "y": {}},
    ]  # fmt: skip
    function = compiled(text)
    for values in worlds:
        assert function(values) == evaluate(text, values), values
        assert type(function(values)) is type(evaluate(text, values)), values


def test_benchmark_position_in_the_peer_group(tenant_a):
    region_org = tenant_a.orgs[OrganisationKind.REGION]
    round_, services = make_peer_group(region_org, tenant_a.region)
    refusal = round_.template.indicators.get(code="refusal_capacity_rate")
    provider_scope = Scope.for_user(tenant_a.user(OrganisationKind.PROVIDER))
    bench = engine.benchmark(round=round_, indicator=refusal, service=services[1], scope=provider_scope)
    assert not bench.suppressed and bench.size == 5
    assert q(bench.value) == Decimal("20.0000")
    assert bench.rank == 2  # lower is better: only 10 % is better
    assert bench.percentile == Decimal(40)  # 2 of 5 values are ≤ 20
    assert (bench.group.median, bench.group.q1, bench.group.q3) == (Decimal(30), Decimal(20), Decimal(40))
    assert q(bench.group.value) == Decimal("30.0000")  # 15 / 50 × 100


def test_small_groups_are_suppressed_for_providers_and_the_public_not_for_the_region(tenant_a, tenant_b):
    region_org = tenant_a.orgs[OrganisationKind.REGION]
    round_, services = make_peer_group(region_org, tenant_a.region, values=(10, 20, 30, 40))
    refusal = round_.template.indicators.get(code="refusal_capacity_rate")

    def bench(scope):
        return engine.benchmark(round=round_, indicator=refusal, service=services[1], scope=scope)

    for scope in (
        Scope.anonymous(),
        Scope.for_user(tenant_a.user(OrganisationKind.PROVIDER)),
        Scope.for_user(tenant_b.user(OrganisationKind.REGION)),  # another region's staff
    ):
        hidden = bench(scope)
        assert hidden.suppressed and hidden.group.median is None and hidden.rank is None
        assert hidden.group.value is None and hidden.group.values == []
        assert "too small" in hidden.group.note or "příliš malá" in hidden.group.note
        assert hidden.value is not None  # the service's own value stays
    for scope in (Scope.for_user(tenant_a.user(OrganisationKind.REGION)), Scope.for_user(make_user(is_superuser=True))):
        shown = bench(scope)
        assert not shown.suppressed and shown.group.median == Decimal(25) and shown.rank == 2


def test_size_bands_are_data(tmp_path):
    bands = engine.size_bands()
    assert [b.code for b in bands.bands] == ["xs", "s", "m", "l"] and bands.verified is False
    assert bands.band_for(Decimal(20)).code == "xs" and bands.band_for(Decimal(21)).code == "s"
    assert bands.band_for(Decimal(500)).code == "l" and bands.band_for(None) is None
    bad = tmp_path / "size-bands.yaml"
    text = engine.size_bands_path().read_text(encoding="utf-8").replace("min: 21", "min: 25")
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(engine.SizeBandsError) as exc:
        engine.read_size_bands(bad)
    assert "size-bands.yaml" in str(exc.value) and "min" in str(exc.value)
