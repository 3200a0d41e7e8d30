"""Hand-computed examples of the compensation rule (qmss.financing.compensation_engine) – pure, no database.

Every test writes the computation out in comments; amounts in CZK."""

from __future__ import annotations

from decimal import Decimal as D

from qmss.financing.compensation_engine import LineInput, adjustment_percent, compute

BANDS = [
    {"from_score": "0", "to_score": "40", "percent": "-10"},
    {"from_score": "40", "to_score": "75", "percent": "0"},
    {"from_score": "75", "to_score": "100", "percent": "10"},
]
PARAMETERS = {"max_public_share": "0.9", "adjustment_enabled": True, "adjustment_bands": BANDS}
PLENTY = D("1000000000")


def line(
    key="x",
    *,
    units="10",
    unit="luzka",
    cost="500000",
    revenue="100000",
    share="0.9",
    need=None,
    score=None,
    reference_unit="luzka",
):
    return LineInput(
        key=key,
        units=D(units),
        unit=unit,
        usual_cost=None if cost is None else D(cost),
        usual_revenue=None if revenue is None else D(revenue),
        max_public_share=None if share is None else D(share),
        public_need=None if need is None else D(need),
        score=None if score is None else D(score),
        reference_unit=reference_unit,
    )


def one(item, *, parameters=PARAMETERS, budget=PLENTY):
    results, coefficient = compute([item], parameters=parameters, budget=budget)
    return results[0], coefficient


def test_cap_by_the_maximum_public_share():
    # optimal   = 10 × (500 000 − 100 000)            = 4 000 000
    # cap share = 0.5 × 10 × 500 000                   = 2 500 000  ← the lowest
    # cap need  = budgeted public need                 = 10 000 000
    # capped    = min(4 000 000, 2 500 000, 10 000 000) = 2 500 000; budget plenty → coefficient 1 → real 2 500 000
    result, coefficient = one(line(share="0.5", need="10000000"))
    assert result.optimal == D("4000000")
    assert result.cap_public_share == D("2500000")
    assert result.cap_net_cost == D("10000000")
    assert result.capped == D("2500000")
    assert coefficient == D("1")
    assert result.real == D("2500000")
    assert result.problem == ""


def test_cap_by_the_budgeted_net_cost():
    # optimal   = 20 × (400 000 − 150 000) = 5 000 000
    # cap share = 0.9 × 20 × 400 000       = 7 200 000
    # cap need  = 3 000 000                              ← the lowest
    # capped = 3 000 000 = real
    result, _ = one(line(units="20", cost="400000", revenue="150000", need="3000000"))
    assert (result.optimal, result.cap_public_share, result.cap_net_cost) == (D("5000000"), D("7200000"), D("3000000"))
    assert result.capped == result.real == D("3000000")


def test_negative_public_need_and_revenue_above_cost_give_zero():
    # need −50 000 (other public money exceeds the net cost) → cap 0 → capped 0
    result, _ = one(line(need="-50000"))
    assert result.cap_net_cost == D("0")
    assert result.capped == result.real == D("0")
    # revenue 600 000 > cost 500 000: optimal = 10 × (−100 000) → never below 0 → 0
    result, _ = one(line(revenue="600000"))
    assert result.optimal == result.capped == D("0")


def test_without_a_reference_share_the_programme_share_applies():
    # share from the programme: 0.9 × 10 × 500 000 = 4 500 000 > optimal 4 000 000 → capped 4 000 000
    result, _ = one(line(share=None))
    assert result.cap_public_share == D("4500000")
    assert result.capped == D("4000000")
    # the programme sets 0.7: cap = 0.7 × 10 × 500 000 = 3 500 000 → capped 3 500 000
    result, _ = one(line(share=None), parameters={**PARAMETERS, "max_public_share": "0.7"})
    assert result.capped == D("3500000")


def test_scaling_with_a_coefficient_below_one():
    # A: capped = 10 × (400 000 − 100 000) = 3 000 000 (caps 0.9 × 10 × 400 000 = 3 600 000, no need cap)
    # B: capped = 5 × (300 000 − 100 000)  = 1 000 000 (cap 0.9 × 5 × 300 000 = 1 350 000)
    # Σ capped = 4 000 000; budget 2 000 000 → coefficient = 2 000 000 / 4 000 000 = 0.5
    # real A = 1 500 000, real B = 500 000
    a = line("A", cost="400000")
    b = line("B", units="5", cost="300000")
    results, coefficient = compute([a, b], parameters=PARAMETERS, budget=D("2000000"))
    assert coefficient == D("0.500000")
    assert [r.capped for r in results] == [D("3000000"), D("1000000")]
    assert [r.real for r in results] == [D("1500000"), D("500000")]


def test_scaling_with_a_coefficient_of_one():
    # Σ capped = 3 000 000 + 1 000 000 = 4 000 000 ≤ budget 5 000 000 → coefficient = min(1, 1.25) = 1
    # real = capped
    a = line("A", cost="400000")
    b = line("B", units="5", cost="300000")
    results, coefficient = compute([a, b], parameters=PARAMETERS, budget=D("5000000"))
    assert coefficient == D("1")
    assert [r.real for r in results] == [D("3000000"), D("1000000")]


def test_rounding_keeps_the_sum_within_the_budget():
    # three lines capped 1 000 000 each (10 × (200 000 − 100 000)); budget 1 000 000
    # coefficient = 1 000 000 / 3 000 000 = 0.333333… → 0.333333 (6 places, down)
    # real = 1 000 000 × 0.333333 = 333 333 each → Σ 999 999 ≤ 1 000 000
    items = [line(k, cost="200000") for k in "ABC"]
    results, coefficient = compute(items, parameters=PARAMETERS, budget=D("1000000"))
    assert coefficient == D("0.333333")
    assert [r.real for r in results] == [D("333333")] * 3
    # capped 100 000 and 200 000, budget 299 999.99:
    # coefficient = 299 999.99 / 300 000 = 0.99999996… → 0.999999 (down; rounding to nearest would give 1 and
    # Σ real 300 000 > the budget)
    # real = 99 999.9 → 99 999 and 199 999.8 → 199 999 (whole CZK, down) → Σ 299 998 ≤ 299 999.99
    items = [line("A", units="1", cost="200000"), line("B", units="2", cost="200000")]
    results, coefficient = compute(items, parameters=PARAMETERS, budget=D("299999.99"))
    assert coefficient == D("0.999999")
    assert [r.real for r in results] == [D("99999"), D("199999")]
    assert sum(r.real for r in results) <= D("299999.99")


def test_real_is_rounded_down_to_whole_crowns():
    # optimal = 3 × (100 000.50 − 0.25) = 300 000.75; caps 0.9 × 3 × 100 000.50 = 270 001.35 → capped 270 001.35
    # coefficient 1 → real = 270 001 (whole CZK, down)
    result, _ = one(line(units="3", cost="100000.50", revenue="0.25"))
    assert result.optimal == D("300000.75")
    assert result.capped == D("270001.35")
    assert result.real == D("270001")


def test_adjustment_bands():
    # bands [0, 40) −10 %, [40, 75) 0 %, [75, 100] +10 %; no score → 0 %
    cases = [("0", "-10"), ("39.99", "-10"), ("40", "0"), ("74.99", "0"), ("75", "10"), ("100", "10"), (None, "0")]
    for score, percent in cases:
        assert adjustment_percent(None if score is None else D(score), PARAMETERS) == D(percent), score


def test_adjustment_applies_before_the_caps():
    # optimal = 10 × (500 000 − 100 000) = 4 000 000
    # score 80 → +10 % → adjusted = 4 000 000 × 1.10 = 4 400 000 (cap 0.9 × 10 × 500 000 = 4 500 000) → 4 400 000
    result, _ = one(line(score="80"))
    assert (result.adjustment_percent, result.adjusted, result.capped) == (D("10"), D("4400000"), D("4400000"))
    # score 90 with share 0.85: cap = 0.85 × 10 × 500 000 = 4 250 000 < 4 400 000 → capped 4 250 000
    result, _ = one(line(score="90", share="0.85"))
    assert result.capped == D("4250000")
    # score 20 → −10 % → adjusted = 4 000 000 × 0.90 = 3 600 000
    result, _ = one(line(score="20"))
    assert (result.adjustment_percent, result.adjusted, result.capped) == (D("-10"), D("3600000"), D("3600000"))
    # no score → 0 % → adjusted = optimal = 4 000 000
    result, _ = one(line(score=None))
    assert (result.adjustment_percent, result.adjusted) == (D("0"), D("4000000"))


def test_adjustment_disabled():
    # the programme turns the adjustment off: score 90 gives 0 % → adjusted = optimal = 4 000 000
    parameters = {**PARAMETERS, "adjustment_enabled": False}
    assert adjustment_percent(D("90"), parameters) == D("0")
    result, _ = one(line(score="90"), parameters=parameters)
    assert (result.adjustment_percent, result.adjusted, result.capped) == (D("0"), D("4000000"), D("4000000"))


def test_problems_get_zero_and_stay_out_of_the_sum():
    # A: no reference value → problem, 0; B: unit "hodiny" but the reference value is per "luzka" → problem, 0
    # C: capped = 10 × (200 000 − 100 000) = 1 000 000; Σ capped = 1 000 000 (A and B count 0)
    # budget 500 000 → coefficient 0.5 → real C = 500 000
    a = line("A", cost=None, revenue=None, share=None, reference_unit=None)
    b = line("B", unit="hodiny", reference_unit="luzka")
    c = line("C", cost="200000")
    results, coefficient = compute([a, b, c], parameters=PARAMETERS, budget=D("500000"))
    assert [r.problem for r in results] == ["no_reference_value", "unit_mismatch", ""]
    assert [(r.optimal, r.capped, r.real) for r in results[:2]] == [(D(0), D(0), D(0))] * 2
    assert coefficient == D("0.500000")
    assert results[2].real == D("500000")


def test_no_lines_or_zero_budget():
    # nothing capped → coefficient 1; budget 0 → coefficient 0 and every real 0
    assert compute([], parameters=PARAMETERS, budget=D("1000")) == ([], D("1"))
    results, coefficient = compute([line()], parameters=PARAMETERS, budget=D("0"))
    assert coefficient == D("0") and results[0].real == D("0")
