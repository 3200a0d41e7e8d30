"""The scoring engine on small hand-built arrays; every expected number is worked out in the comments.

Rules: the default library's weights and parameters (``testing_scoring.default_rules_values``): quality 30
(audit 30, inspection 30, nonconformities 20, minimum form 10, indicators 10), availability 25 (distance 60,
ORP coverage 25, operation 15), need 30 (gap 70, refused/waiting 30), cost 15 (reference 60, peers 40);
distance 5 → 40 km, nonconformity 25 / 10 points, cost ratio zero 1.5, missing score 50, min quality 40,
min total 50.
"""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest

from qmss.network.scoring_engine import score
from qmss.network.testing_scoring import default_rules_values, demand_params, hand_inputs

RULES = default_rules_values()
SENIORS = demand_params(target="65+", prevalence="0.01", unit="luzka")
KM_PER_DEGREE = 6371.0088 * math.pi / 180  # 111.19508 km along a meridian


def row(table, key):
    return table.index(key)


# --------------------------------------------------------------------------------------------- quality


def test_quality_parts_and_sub_score():
    inputs = hand_inputs(
        candidates=[
            # audit 80, inspection 60, nonconformities 100 − 1×25 − 2×10 = 55, minimum form met 100, indicator 70
            {
                "key": "e1",
                "service": 1,
                "kind": "13",
                "capacity": 10,
                "audit": 80,
                "inspection": 60,
                "major": 1,
                "minor": 2,
                "minimum": 1,
                "indicator": 70,
            },
            # nothing known: every part scores the missing 50 and is marked
            {"key": "e2", "service": 2, "kind": "13", "capacity": 10},
            # 5 major → 100 − 125 floors at 0; minimum form not met → 0; the rest missing (50)
            {"key": "e3", "service": 3, "kind": "13", "capacity": 10, "major": 5, "minimum": 0},
        ]  # fmt: skip
    )
    table = score(inputs, rules=RULES, demand={})
    e1, e2, e3 = row(table, "e1"), row(table, "e2"), row(table, "e3")
    assert table.parts["quality.nonconformities"][e1] == pytest.approx(55)
    assert table.parts["quality.minimum_form"][e1] == pytest.approx(100)
    # (30×80 + 30×60 + 20×55 + 10×100 + 10×70) / 100 = 7000 / 100 = 70
    assert table.sub["quality"][e1] == pytest.approx(70)
    assert not table.no_data["quality"][e1]
    # every part 50 → 50, all marked
    assert table.sub["quality"][e2] == pytest.approx(50)
    assert table.no_data["quality"][e2]
    assert table.no_data["quality.audit"][e2] and table.no_data["quality.nonconformities"][e2]
    # (30×50 + 30×50 + 20×0 + 10×0 + 10×50) / 100 = 3500 / 100 = 35
    assert table.parts["quality.nonconformities"][e3] == 0
    assert table.sub["quality"][e3] == pytest.approx(35)
    assert not table.no_data["quality.nonconformities"][e3]
    assert table.no_data["quality.audit"][e3]


# --------------------------------------------------------------------------------------------- availability


def test_availability_distance_coverage_operation():
    inputs = hand_inputs(
        orp_ids=[101, 102],
        # (lat, lon, ORP index, residents, aged 65+)
        municipalities=[(50.0, 15.0, 0, 1000, 100), (50.1, 15.0, 0, 3000, 300), (50.5, 15.0, 1, 1000, 100)],
        candidates=[
            {
                "key": "e1",
                "service": 1,
                "kind": "13",
                "capacity": 10,
                "munis": [0, 1, 2],
                "orps": [0, 1],
                "facilities": [(50.0, 15.0, 0)],
                "continuous": 1,
            },
            {
                "key": "e2",
                "service": 2,
                "kind": "13",
                "capacity": 10,
                "munis": [0, 1, 2],
                "orps": [0, 1],
                "continuous": 0,
            },
        ],  # fmt: skip
        demand={"13": {"params": SENIORS, "population": [400, 100], "total": [4, 1]}},
    )
    table = score(inputs, rules=RULES, demand={"13": SENIORS})
    e1, e2 = row(table, "e1"), row(table, "e2")
    # distances to the facility at 50.0 N: 0, 0.1° = 11.119508 km, 0.5° = 55.59754 km (same meridian);
    # weights = people aged 65+ (target of kind 13): 100, 300, 100 →
    # (0×100 + 11.119508×300 + 55.59754×100) / 500 = 8895.606 / 500 = 17.791213 km
    km = (0.1 * KM_PER_DEGREE * 300 + 0.5 * KM_PER_DEGREE * 100) / 500
    assert km == pytest.approx(17.791213, abs=1e-5)
    assert table.values["distance_km"][table.rows[e1]] == pytest.approx(km)
    # 100 × (40 − 17.791213) / (40 − 5) = 63.45368
    assert table.parts["availability.distance"][e1] == pytest.approx(63.45368, abs=1e-4)
    # a facility in 1 of the 2 served ORPs → 50; non-stop → 100
    assert table.parts["availability.orp_coverage"][e1] == pytest.approx(50)
    assert table.parts["availability.operation"][e1] == pytest.approx(100)
    # (60×63.45368 + 25×50 + 15×100) / 100 = 65.57221
    assert table.sub["availability"][e1] == pytest.approx(65.57221, abs=1e-4)
    # no located facility: distance missing (50, marked); coverage 0 of 2 ORPs = 0; not non-stop → 50
    assert table.no_data["availability.distance"][e2]
    assert table.parts["availability.orp_coverage"][e2] == 0
    # (60×50 + 25×0 + 15×50) / 100 = 37.5
    assert table.sub["availability"][e2] == pytest.approx(37.5)


def test_distance_weights_follow_the_kinds_target_population():
    everyone = demand_params(target="all", prevalence="0.001", unit="klienti")
    inputs = hand_inputs(
        orp_ids=[101],
        municipalities=[(50.0, 15.0, 0, 1000, 900), (50.1, 15.0, 0, 3000, 100)],
        candidates=[
            {
                "key": "e1",
                "service": 1,
                "kind": "3",
                "unit": "klienti",
                "capacity": 10,
                "munis": [0, 1],
                "orps": [0],
                "facilities": [(50.0, 15.0, 0)],
            }
        ],  # fmt: skip
        demand={"3": {"params": everyone, "population": [4000], "total": [4]}},
    )
    table = score(inputs, rules=RULES, demand={"3": everyone})
    # target "all": weights 1000 and 3000 → (0×1000 + 11.119508×3000) / 4000 = 8.339631 km
    assert table.values["distance_km"][0] == pytest.approx(0.1 * KM_PER_DEGREE * 0.75)


# --------------------------------------------------------------------------------------------- need


def need_inputs():
    # ORP 0: demand 100, 6,000 people aged 65+; ORP 1: demand 50, 2,000 people
    return hand_inputs(
        orp_ids=[101, 102],
        municipalities=[(50.0, 15.0, 0, 30000, 6000), (50.5, 15.0, 1, 10000, 2000)],
        candidates=[
            # entry, 60 beds in ORP 0; refused 3 + waiting 6
            {"key": "e1", "service": 1, "kind": "13", "capacity": 60, "orps": [0], "refused": 3, "waiting": 6},
            # entry, 40 beds split over ORPs 0 and 1 (20 each); refused 10 + waiting 20
            {"key": "e2", "service": 2, "kind": "13", "capacity": 40, "orps": [0, 1], "refused": 10, "waiting": 20},
            # application (not in the network), 30 beds in ORP 1, no round data
            {"key": "a3", "service": 3, "kind": "13", "capacity": 30, "orps": [1], "entry": False},
            # application B of the service of e1 (its own entry is not "other" capacity)
            {"key": "a4", "service": 1, "kind": "13", "capacity": 80, "orps": [0], "entry": False},
        ],
        demand={"13": {"params": SENIORS, "population": [6000, 2000], "total": [100, 50]}},
    )


def test_need_gap_and_refused_waiting():
    table = score(need_inputs(), rules=RULES, demand={"13": SENIORS})
    e1, e2, a3, a4 = (row(table, k) for k in ("e1", "e2", "a3", "a4"))
    # capacity in the network: ORP 0 = 60 + 20 = 80, ORP 1 = 20
    # e1: other in ORP 0 = 80 − 60 = 20 → 100 × (1 − 20/100) = 80
    assert table.parts["need.gap"][e1] == pytest.approx(80)
    # e2: ORP 0 other = 80 − 20 = 60 → 40; ORP 1 other = 20 − 20 = 0 → 100;
    # weighted by 65+: (6000×40 + 2000×100) / 8000 = 55
    assert table.parts["need.gap"][e2] == pytest.approx(55)
    # a3: ORP 1 other = 20 → 100 × (1 − 20/50) = 60
    assert table.parts["need.gap"][a3] == pytest.approx(60)
    # a4 (service of e1): ORP 0 other = 80 − 60 = 20 → 80
    assert table.parts["need.gap"][a4] == pytest.approx(80)
    # refused_waiting: e1 200 × 9 / 60 = 30; e2 200 × 30 / 40 = 150 → capped at 100; a3 no data
    assert table.parts["need.refused_waiting"][e1] == pytest.approx(30)
    assert table.parts["need.refused_waiting"][e2] == pytest.approx(100)
    assert table.no_data["need.refused_waiting"][a3]
    # need: e1 (70×80 + 30×30)/100 = 65; e2 (70×55 + 30×100)/100 = 68.5; a3 (70×60 + 30×50)/100 = 57
    assert table.sub["need"][e1] == pytest.approx(65)
    assert table.sub["need"][e2] == pytest.approx(68.5)
    assert table.sub["need"][a3] == pytest.approx(57)
    # gaps = demand − capacity in the network: ORP 101: 100 − 80 = 20; ORP 102: 50 − 20 = 30
    assert table.gaps == {(101, "13"): Decimal("20.00"), (102, "13"): Decimal("30.00")}


def test_added_removed_and_capacity_change_the_gaps():
    inputs = need_inputs()
    # a3 added to the network: ORP 1 capacity 20 + 30 = 50 → gap 0; e2 in ORP 1: other = 50 − 20 = 30 → 40,
    # ORP 0 stays 40 → (6000×40 + 2000×40) / 8000 = 40; a3 itself: other = 50 − 30 = 20 → 60 (own not counted)
    added = score(inputs, rules=RULES, demand={"13": SENIORS}, added=frozenset({"a3"}))
    assert added.gaps[(102, "13")] == Decimal("0.00")
    assert added.parts["need.gap"][row(added, "e2")] == pytest.approx(40)
    assert added.parts["need.gap"][row(added, "a3")] == pytest.approx(60)
    # e1 at 100 beds: ORP 0 = 120 → gap 100 − 120 = −20; e2: ORP 0 other = 100 → 0; ORP 1 → 100;
    # (6000×0 + 2000×100) / 8000 = 25
    bigger = score(inputs, rules=RULES, demand={"13": SENIORS}, capacity={"e1": Decimal(100)})
    assert bigger.gaps[(101, "13")] == Decimal("-20.00")
    assert bigger.parts["need.gap"][row(bigger, "e2")] == pytest.approx(25)
    # refused/waiting uses the changed capacity: 200 × 9 / 100 = 18
    assert bigger.parts["need.refused_waiting"][row(bigger, "e1")] == pytest.approx(18)
    # e1 removed: it leaves the table; ORP 0 = 20 → gap 80; e2: ORP 0 other 0 → 100, ORP 1 → 100 = 100
    removed = score(inputs, rules=RULES, demand={"13": SENIORS}, removed=frozenset({"e1"}))
    assert "e1" not in removed.keys
    assert removed.gaps[(101, "13")] == Decimal("80.00")
    assert removed.parts["need.gap"][row(removed, "e2")] == pytest.approx(100)


def test_changed_demand_parameters_recompute_the_demand():
    # prevalence 0.01 → 0.02 with the inputs built at 0.01: demand = 65+ × 0.02 (+ refused/waiting 0):
    # ORP 0: 6000 × 0.02 = 120, ORP 1: 2000 × 0.02 = 40; e1: other 20 → 100 × (1 − 20/120) = 83.3333
    doubled = demand_params(target="65+", prevalence="0.02", unit="luzka")
    table = score(need_inputs(), rules=RULES, demand={"13": doubled})
    assert table.gaps[(101, "13")] == Decimal("40.00")  # 120 − 80
    assert table.gaps[(102, "13")] == Decimal("20.00")  # 40 − 20
    assert table.parts["need.gap"][row(table, "e1")] == pytest.approx(100 * (1 - 20 / 120))
    # a kind without demand parameters has no need data
    none = score(need_inputs(), rules=RULES, demand={})
    assert none.no_data["need.gap"].all()
    assert none.gaps == {}


def test_capacity_in_another_unit_is_not_counted():
    inputs = need_inputs()
    inputs.units[0] = "klienti"  # e1 in clients, the demand is in beds: neither counted nor scored on the gap
    table = score(inputs, rules=RULES, demand={"13": SENIORS})
    assert table.gaps[(101, "13")] == Decimal("80.00")  # 100 − e2's 20
    assert table.no_data["need.gap"][row(table, "e1")]


# --------------------------------------------------------------------------------------------- cost


def test_cost_reference_and_peers():
    inputs = hand_inputs(
        candidates=[
            # 31,000,000 / 50 = 620,000 Kč per bed and year = the reference → 100
            {
                "key": "e1",
                "service": 1,
                "kind": "13",
                "capacity": 50,
                "costs": 31_000_000,
                "round_capacity": 50,
                "days": 365,
            },
            # 35,650,000 / 50 = 713,000 → ratio 1.15 → 100 × (1.5 − 1.15) / 0.5 = 70
            {
                "key": "e2",
                "service": 2,
                "kind": "13",
                "capacity": 50,
                "costs": 35_650_000,
                "round_capacity": 50,
                "days": 365,
            },
            # half a year: 6,975,000 / 25 × 365 / 182.5 = 558,000 → ratio 0.9 → 100
            {
                "key": "e3",
                "service": 3,
                "kind": "13",
                "capacity": 25,
                "costs": 6_975_000,
                "round_capacity": 25,
                "days": 182.5,
            },
            # no round → no data
            {"key": "e4", "service": 4, "kind": "13", "capacity": 25},
        ]  # fmt: skip
    )
    table = score(inputs, rules=RULES, demand={})
    e1, e2, e3, e4 = (row(table, k) for k in ("e1", "e2", "e3", "e4"))
    assert table.values["unit_cost"][table.rows[e3]] == pytest.approx(558_000)
    assert table.parts["cost.reference"][e1] == pytest.approx(100)
    assert table.parts["cost.reference"][e2] == pytest.approx(70)
    assert table.parts["cost.reference"][e3] == pytest.approx(100)
    # peers: median of 620,000, 713,000 and 558,000 = 620,000 → the same ratios as against the reference
    assert table.values["peer_median"][table.rows[e2]] == pytest.approx(620_000)
    assert table.parts["cost.peers"][e2] == pytest.approx(70)
    # cost e2 = (60×70 + 40×70) / 100 = 70
    assert table.sub["cost"][e2] == pytest.approx(70)
    assert table.no_data["cost"][e4] and table.sub["cost"][e4] == pytest.approx(50)


# --------------------------------------------------------------------------------------------- total, ranks


def test_weighted_total_thresholds_and_missing_score():
    inputs = hand_inputs(
        candidates=[
            # quality 70 (as in the quality test); availability, need and cost without data: 50 each
            {
                "key": "e1",
                "service": 1,
                "kind": "13",
                "capacity": 10,
                "audit": 80,
                "inspection": 60,
                "major": 1,
                "minor": 2,
                "minimum": 1,
                "indicator": 70,
            },
            # quality 35 (as e3 in the quality test)
            {"key": "e2", "service": 2, "kind": "13", "capacity": 10, "major": 5, "minimum": 0},
        ]  # fmt: skip
    )
    table = score(inputs, rules=RULES, demand={})
    e1, e2 = row(table, "e1"), row(table, "e2")
    # (30×70 + 25×50 + 30×50 + 15×50) / 100 = (2100 + 1250 + 1500 + 750) / 100 = 56
    assert table.total[e1] == pytest.approx(56)
    # (30×35 + 70×50) / 100 = (1050 + 3500) / 100 = 45.5
    assert table.total[e2] == pytest.approx(45.5)
    # e1: quality 70 ≥ 40 and total 56 ≥ 50; e2: quality 35 < 40
    assert table.passes.tolist() == [True, False]
    assert table.rank_in_kind.tolist() == [1, 2]
    # a missing part scoring 0 instead of 50: e1 = (30 × 70) / 100 = 21
    strict = default_rules_values()
    strict.parameters["missing_score"] = 0
    assert score(inputs, rules=strict, demand={}).total[e1] == pytest.approx(21)


def two_applications():
    return hand_inputs(
        candidates=[
            # quality 100 (everything met), nothing else known: total (30×100 + 70×50) / 100 = 65
            {
                "key": "a1",
                "service": 1,
                "kind": "13",
                "capacity": 20,
                "entry": False,
                "audit": 100,
                "inspection": 100,
                "major": 0,
                "minor": 0,
                "minimum": 1,
                "indicator": 100,
            },
            # quality unknown (50); refused 30 on 20 beds → 200 × 30 / 20 = 300 → 100; gap unknown (50):
            # need (70×50 + 30×100) / 100 = 65; total (30×50 + 25×50 + 30×65 + 15×50) / 100 = 54.5
            {"key": "a2", "service": 2, "kind": "13", "capacity": 20, "entry": False, "refused": 30, "waiting": 0},
        ]  # fmt: skip
    )


def test_a_weight_change_reorders_two_applications():
    inputs = two_applications()
    base = score(inputs, rules=RULES, demand={})
    assert base.total.tolist() == pytest.approx([65, 54.5])
    assert base.rank_in_kind.tolist() == [1, 2]
    # quality weight 0: a1 = (25×50 + 30×50 + 15×50) / 70 = 50; a2 = (1250 + 1950 + 750) / 70 = 56.43
    changed = score(inputs, rules=RULES, demand={}, weights={"quality": Decimal(0)})
    assert changed.total.tolist() == pytest.approx([50, 3950 / 70])
    assert changed.rank_in_kind.tolist() == [2, 1]
    # a part weight: gap 0 → a2 need = 100, total (1500 + 1250 + 3000 + 750) / 100 = 65 = a1: a shared first place
    tie = score(inputs, rules=RULES, demand={}, weights={"need.gap": Decimal(0)})
    assert tie.total.tolist() == pytest.approx([65, 65])
    assert tie.rank_in_kind.tolist() == [1, 1]


def test_ranks_are_within_kind():
    inputs = hand_inputs(
        candidates=[
            {"key": "e1", "service": 1, "kind": "13", "capacity": 1, "audit": 90},
            {"key": "e2", "service": 2, "kind": "4", "unit": "klienti", "capacity": 1, "audit": 10},
            {"key": "e3", "service": 3, "kind": "13", "capacity": 1, "audit": 20},
        ]
    )
    table = score(inputs, rules=RULES, demand={})
    assert table.rank_in_kind.tolist() == [1, 1, 2]


def test_empty_inputs():
    table = score(hand_inputs(candidates=[]), rules=RULES, demand={"13": SENIORS})
    assert table.keys == [] and len(table.total) == 0
    assert np.all(table.rank_in_kind == 0)
