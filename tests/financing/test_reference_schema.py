"""The one row schema of reference values (pure, no database): numbers, shares, revenue ≤ cost, codes, duplicates."""

from __future__ import annotations

from decimal import Decimal

from qmss.financing.reference_schema import MAX_ROWS, check_rows, validate_row

CODES = {"kinds": {"13", "4"}, "forms": {"pob", "ter", "amb"}, "units": {"luzka", "klienti"}}


def _row(**changes):
    row = {"kind": "13", "form": "pob", "unit": "luzka", "usual_cost": 620000, "usual_revenue": 380000,
           "max_public_share": 0.45}  # fmt: skip
    row.update(changes)
    return row


def test_row_reads_numbers_as_cells_and_yaml_give_them():
    row, problems = validate_row(_row(kind=13, form="", usual_cost="620 000,50", direct_share_min=0.6), 2)
    assert not problems
    assert row.kind == "13" and row.form is None
    assert row.usual_cost == Decimal("620000.50") and row.max_public_share == Decimal("0.45")
    assert row.direct_share_min == Decimal("0.6") and row.direct_fte_per_unit is None


def test_row_problems_name_the_field():
    cases = {
        "usual_cost": _row(usual_cost=-1),
        "usual_revenue": _row(usual_revenue=700000),
        "max_public_share": _row(max_public_share=1.2),
        "kind": _row(kind=None),
        "direct_share_min": _row(direct_share_min="hodně"),
    }
    for field, raw in cases.items():
        row, problems = validate_row(raw, 7)
        assert row is None, field
        assert [(p.row, p.field) for p in problems] == [(7, field)], (field, problems)


def test_money_is_bounded_and_has_two_places():
    assert validate_row(_row(usual_cost=100_000_001), 1)[1]
    assert validate_row(_row(usual_cost=Decimal("1.005")), 1)[1]
    assert validate_row(_row(usual_cost=True), 1)[1]


def test_check_rows_codes_and_duplicates():
    rows = [
        (2, _row()),
        (3, _row(kind="99")),
        (4, _row(form="xyz")),
        (5, _row(kind="4", unit="kusy")),
        (6, _row()),
    ]
    checked, problems = check_rows(rows, **CODES)
    assert checked == []
    assert [(p.row, p.field) for p in problems] == [(3, "kind"), (4, "form"), (5, "unit"), (6, "form")]
    assert "2" in problems[-1].message  # the first row of the pair is named


def test_check_rows_any_form_row_is_distinct_from_a_form_row():
    checked, problems = check_rows([(1, _row()), (2, _row(form=None))], **CODES)
    assert not problems and len(checked) == 2


def test_check_rows_bounds_the_count():
    _checked, problems = check_rows([(n, _row()) for n in range(MAX_ROWS + 1)], **CODES)
    assert len(problems) == 1 and problems[0].row is None
    _checked, problems = check_rows([], **CODES)
    assert problems
