"""The pure checks of the personnel standard and the MTS (no database): the issue's limits, the ratios."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from qmss.financing.standards_checks import (
    MTS,
    PERSONNEL,
    BuildingFacts,
    HouseholdFacts,
    PersonnelNorm,
    PositionFacts,
    RoomFacts,
    library_norm,
    mts_findings,
    mts_rule,
    personnel_findings,
    summarise,
    verification_label,
)


def building(*households, name="B"):
    return BuildingFacts(
        name,
        tuple(
            HouseholdFacts(f"H{i}", tuple(RoomFacts(f"R{j}", beds) for j, beds in enumerate(rooms)))
            for i, rooms in enumerate(households)
        ),
    )


def by_code(findings):
    return {f.code: f for f in findings}


def test_protected_housing_household_of_five_fails_four_passes():
    rule = mts_rule("15")
    assert (rule.max_per_household, rule.max_per_building, rule.max_per_room) == (4, 12, None)
    assert by_code(mts_findings(rule, [building((2, 2))]))["mts_household"].passed
    failed = by_code(mts_findings(rule, [building((2, 2, 1))]))["mts_household"]
    assert not failed.passed
    assert "B / H0: 5" in failed.message


def test_protected_housing_building_of_thirteen_fails_twelve_passes():
    rule = mts_rule("15")
    assert by_code(mts_findings(rule, [building((4,), (4,), (4,))]))["mts_building"].passed
    found = by_code(mts_findings(rule, [building((4,), (4,), (4,), (1,))]))
    assert not found["mts_building"].passed
    assert found["mts_household"].passed  # every household is within its limit


@pytest.mark.parametrize("kind", ["12", "11"])
def test_dozp_and_weekly_stays_six_per_household_eighteen_per_building(kind):
    rule = mts_rule(kind)
    ok = by_code(mts_findings(rule, [building((2, 2, 2), (2, 2, 2), (3, 3))]))
    assert ok["mts_household"].passed and ok["mts_building"].passed
    over = by_code(mts_findings(rule, [building((2, 2, 2, 1), (6,), (3, 3))]))
    assert not over["mts_household"].passed  # 7 in a household
    assert not over["mts_building"].passed  # 19 in the building


@pytest.mark.parametrize("kind", ["13", "14"])
def test_homes_for_the_elderly_three_beds_in_a_room_fail(kind):
    rule = mts_rule(kind)
    assert (rule.max_per_household, rule.max_per_building, rule.max_per_room) == (None, None, 2)
    assert [f.code for f in mts_findings(rule, [building((2, 2, 1))])] == ["mts_room"]
    assert mts_findings(rule, [building((2, 2, 1))])[0].passed
    failed = mts_findings(rule, [building((2, 3))])[0]
    assert not failed.passed and failed.verified
    with translation.override("en"):
        assert failed.label == "verified"


def test_no_rule_or_no_building_no_finding():
    assert mts_rule("4") is None
    assert mts_findings(None, [building((9,))]) == []
    assert mts_findings(mts_rule("15"), []) == []


NORM = PersonnelNorm(
    unit="luzka",
    direct_fte_per_unit=Decimal("0.45"),
    direct_share_min=Decimal("0.6"),
    source="test",
    verified=False,
    own_rule=True,
)


def staff(direct, other):
    return [PositionFacts(Decimal(direct), True), PositionFacts(Decimal(other), False)]


def test_direct_care_fte_per_unit_at_the_minimum_passes_below_fails():
    ok = by_code(personnel_findings(NORM, staff("18", "12"), Decimal(40)))
    assert ok["direct_fte_per_unit"].passed  # 18 / 40 = 0.45
    assert ok["direct_share"].passed  # 18 / 30 = 0.6
    low = by_code(personnel_findings(NORM, staff("17.9", "11"), Decimal(40)))
    assert not low["direct_fte_per_unit"].passed
    assert low["direct_share"].passed
    with translation.override("en"):
        assert low["direct_fte_per_unit"].label == "manager's own rule"


def test_direct_share_below_the_minimum_fails():
    found = by_code(personnel_findings(NORM, staff("18", "12.1"), Decimal(40)))
    assert found["direct_fte_per_unit"].passed
    assert not found["direct_share"].passed


def test_no_capacity_cannot_pass_and_no_positions_no_findings():
    found = by_code(personnel_findings(NORM, staff("18", "2"), Decimal(0)))
    assert not found["direct_fte_per_unit"].passed
    assert personnel_findings(NORM, [], Decimal(40)) == []
    assert personnel_findings(None, staff("1", "1"), Decimal(40)) == []


def test_library_norms_and_labels():
    praha = library_norm("20")
    assert praha.direct_fte_per_unit is None and praha.direct_share_min == Decimal("0.6") and praha.verified
    assert library_norm("13").own_rule and not library_norm("13").verified
    assert library_norm("4") is None
    with translation.override("en"):
        assert verification_label(verified=False, own_rule=False) == "not verified"


def test_summary_per_standard():
    findings = personnel_findings(NORM, staff("1", "1"), Decimal(40)) + mts_findings(mts_rule("13"), [building((2,))])
    assert summarise(findings, {PERSONNEL: True, MTS: True}) == {PERSONNEL: False, MTS: True}
    assert summarise([], {PERSONNEL: False, MTS: False}) == {PERSONNEL: None, MTS: None}
