"""Hand-computed settlements (qmss.financing.settlement_engine): no database, each computation in the comments."""

from decimal import Decimal as D

from qmss.financing.settlement_engine import settle

RATE = D("0.02")  # reasonable profit: 2 % of the costs (the library's default)
SHARE = D("0.10")  # carry-over: up to 10 % of the compensation


def test_no_overcompensation():
    # costs 1 000 000, own revenues 400 000 → net cost 600 000
    # profit 0.02 × 1 000 000 = 20 000; allowed public money 600 000 + 20 000 = 620 000
    # public money 550 000 ≤ 620 000 → overcompensation max(0, 550 000 − 620 000) = 0; nothing carried, nothing back
    r = settle(
        costs=D("1000000"),
        own_revenues=D("400000"),
        public_money=D("550000"),
        compensation=D("500000"),
        profit_rate=RATE,
        carry_share=SHARE,
    )
    assert r.net_cost == D("600000.00")
    assert r.reasonable_profit == D("20000.00")
    assert r.overcompensation == D("0.00")
    assert r.carry_over == D("0.00")
    assert r.to_return == D("0.00")
    assert r.carry_cap == D("50000.00")  # 0.10 × 500 000


def test_overcompensation_within_the_carry_over_share():
    # net cost 1 000 000 − 400 000 = 600 000; profit 20 000 → allowed 620 000
    # public money 650 000 → overcompensation 650 000 − 620 000 = 30 000
    # carry cap 0.10 × 500 000 = 50 000 ≥ 30 000 → carried over 30 000, to return min(30 000 − 30 000, 500 000) = 0
    r = settle(
        costs=D("1000000"),
        own_revenues=D("400000"),
        public_money=D("650000"),
        compensation=D("500000"),
        profit_rate=RATE,
        carry_share=SHARE,
    )
    assert (r.overcompensation, r.carry_over, r.to_return) == (D("30000.00"), D("30000.00"), D("0.00"))
    assert r.other_sources == D("0.00")


def test_overcompensation_above_the_carry_over_share_is_returned():
    # allowed 620 000 as above; public money 700 000 → overcompensation 80 000
    # carry cap 0.10 × 500 000 = 50 000 → carried over 50 000; to return min(80 000 − 50 000, 500 000) = 30 000
    r = settle(
        costs=D("1000000"),
        own_revenues=D("400000"),
        public_money=D("700000"),
        compensation=D("500000"),
        profit_rate=RATE,
        carry_share=SHARE,
    )
    assert (r.overcompensation, r.carry_over, r.to_return) == (D("80000.00"), D("50000.00"), D("30000.00"))


def test_return_capped_by_the_compensation_paid():
    # costs 100 000, own revenues 90 000 → net cost 10 000; profit 0.02 × 100 000 = 2 000 → allowed 12 000
    # public money 212 000 (compensation 50 000 + state 162 000) → overcompensation 212 000 − 12 000 = 200 000
    # carry cap 0.10 × 50 000 = 5 000 → carried 5 000; 200 000 − 5 000 = 195 000 > compensation 50 000
    # → to return min(195 000, 50 000) = 50 000; the remaining 145 000 is overcompensation from other sources
    r = settle(
        costs=D("100000"),
        own_revenues=D("90000"),
        public_money=D("212000"),
        compensation=D("50000"),
        profit_rate=RATE,
        carry_share=SHARE,
    )
    assert r.overcompensation == D("200000.00")
    assert r.carry_over == D("5000.00")
    assert r.to_return == D("50000.00")
    assert r.other_sources == D("145000.00")


def test_reasonable_profit_keeps_public_money_up_to_net_cost_plus_profit():
    # costs 1 234 567.89, own revenues 234 567.89 → net cost 1 000 000.00
    # profit 0.05 × 1 234 567.89 = 61 728.3945 → rounded to haléře 61 728.39 → allowed 1 061 728.39
    # public money exactly 1 061 728.39 → no overcompensation; one haléř more → 0.01 carried over
    kwargs = {
        "costs": D("1234567.89"),
        "own_revenues": D("234567.89"),
        "compensation": D("900000"),
        "profit_rate": D("0.05"),
    }
    r = settle(public_money=D("1061728.39"), carry_share=SHARE, **kwargs)
    assert r.net_cost == D("1000000.00")
    assert r.reasonable_profit == D("61728.39")
    assert r.overcompensation == D("0.00")
    r = settle(public_money=D("1061728.40"), carry_share=SHARE, **kwargs)
    assert (r.overcompensation, r.carry_over, r.to_return) == (D("0.01"), D("0.01"), D("0.00"))


def test_zero_costs():
    # no costs, no own revenues → net cost 0, profit 0.02 × 0 = 0, allowed 0
    # public money 100 000 (all compensation) → overcompensation 100 000
    # carry cap 0.10 × 100 000 = 10 000 → carried 10 000; to return min(90 000, 100 000) = 90 000
    r = settle(
        costs=D("0"),
        own_revenues=D("0"),
        public_money=D("100000"),
        compensation=D("100000"),
        profit_rate=RATE,
        carry_share=SHARE,
    )
    assert (r.net_cost, r.reasonable_profit) == (D("0.00"), D("0.00"))
    assert (r.overcompensation, r.carry_over, r.to_return) == (D("100000.00"), D("10000.00"), D("90000.00"))


def test_no_carry_over_share_returns_everything_up_to_the_compensation():
    # carry share 0 → carry cap 0; net cost 500 − 100 = 400, profit 0 (rate 0) → allowed 400
    # public money 450.555 → 450.56 (haléře) → overcompensation 50.56, returned 50.56 (≤ compensation 450.56)
    r = settle(
        costs=D("500"),
        own_revenues=D("100"),
        public_money=D("450.555"),
        compensation=D("450.555"),
        profit_rate=D("0"),
        carry_share=D("0"),
    )
    assert (r.overcompensation, r.carry_over, r.to_return) == (D("50.56"), D("0.00"), D("50.56"))
