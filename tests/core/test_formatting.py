"""One formatting rule for numbers, percentages and dates on pages, in PDFs and in XLSX cells."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.template import Context, Template
from django.utils import translation

from qmss.core import cells
from qmss.core.formatting import format_date, format_datetime, format_decimal, format_number, format_percent

NBSP = "\u00a0"


@pytest.fixture(autouse=True)
def czech():
    with translation.override("cs"):
        yield


def test_numbers_in_czech_format():
    assert format_number(12345) == f"12{NBSP}345"
    assert format_number(Decimal("12345.50")) == f"12{NBSP}345,5"
    assert format_number(Decimal("1.50")) == "1,5"
    assert format_number(2 / 3, 2) == "0,67"
    assert format_number(Decimal("0.125"), 2) == "0,13", "half up, not to even"
    assert format_number(Decimal("-0.01"), 1) == "0,0", "no minus zero"
    assert format_number(None) == ""
    assert format_number("není číslo") == "není číslo"
    assert format_decimal(Decimal("92.50")) == "92,5"


def test_one_percentage_rule_for_web_and_pdf():
    # The issue: the web said 67 %, the PDF 66,7 % for the same 2 of 3 points.
    assert format_percent(2, 3) == f"66,7{NBSP}%"
    assert format_percent(ratio=2 / 3) == f"66,7{NBSP}%"
    assert format_percent(ratio=Decimal("0.5")) == f"50{NBSP}%", "a trailing ,0 is dropped"
    assert format_percent(1, 1) == f"100{NBSP}%"
    assert format_percent(1, 8) == f"12,5{NBSP}%"
    assert format_percent(1, 1000) == f"0,1{NBSP}%"
    assert format_percent(2, 3, places=0) == f"67{NBSP}%"
    assert format_percent(ratio=0.5, trim=False) == f"50,0{NBSP}%"


@pytest.mark.parametrize("part, whole, ratio", [(0, 0, None), (None, 5, None), (3, None, None), (None, None, None)])
def test_percentage_of_nothing_is_empty(part, whole, ratio):
    # never "0 %" of nothing nor "( %)"
    assert format_percent(part, whole, ratio=ratio) == ""


def test_dates_without_leading_zeros():
    assert format_date(date(2026, 12, 7)) == "7. 12. 2026"
    assert format_date(date(2026, 1, 5)) == "5. 1. 2026"
    # an aware datetime is shown as its local (Prague) date: 23:30 UTC on 31 Dec is already 1 January
    assert format_date(datetime(2025, 12, 31, 23, 30, tzinfo=UTC)) == "1. 1. 2026"
    assert format_datetime(datetime(2026, 12, 7, 8, 5, tzinfo=UTC)) == "7. 12. 2026 9:05"
    assert format_datetime(date(2026, 12, 7)) == "7. 12. 2026"
    assert format_date(None) == "" and format_datetime(None) == ""


def test_english_dates_are_unambiguous():
    with translation.override("en"):
        assert format_date(date(2026, 12, 7)) == "7 Dec 2026"
        assert format_percent(2, 3) == f"66.7{NBSP}%"


def test_template_filters():
    template = Template(
        "{% load qmss_format %}{{ n|number }}|{{ d|number:1 }}|{{ share|percent }}|{{ part|percent_of:whole }}|"
        "{{ day|cz_date }}|{{ moment|cz_datetime }}|{{ nothing|cz_date|default:'–' }}|{{ nothing|percent|default:'–' }}"
    )
    text = template.render(
        Context(
            {
                "n": 1234567,
                "d": Decimal("2.25"),
                "share": 0.6667,
                "part": 1,
                "whole": 3,
                "day": date(2026, 12, 7),
                "moment": datetime(2026, 12, 7, 8, 5, tzinfo=UTC),
                "nothing": None,
            }
        )
    )
    assert text == (f"1{NBSP}234{NBSP}567|2,3|66,7{NBSP}%|33,3{NBSP}%|7. 12. 2026|7. 12. 2026 9:05|–|–")


def test_territory_percent_filter_follows_the_same_rule():
    text = Template("{% load territory_format %}{{ share|percent }}").render(Context({"share": 0.25}))
    assert text == f"25{NBSP}%"


def test_xlsx_cells_are_real_numbers_and_dates_with_czech_formats():
    from openpyxl import Workbook, load_workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("List")
    cells.append(
        sheet,
        [
            cells.number_cell(sheet, 12345),
            cells.number_cell(sheet, Decimal("2.5")),
            cells.percent_cell(sheet, 2 / 3),
            cells.date_cell(sheet, date(2026, 12, 7)),
            cells.number_cell(sheet, Decimal("7.125"), places=1),
        ],
    )
    buffer = BytesIO()
    workbook.save(buffer)
    row = next(load_workbook(BytesIO(buffer.getvalue())).active.iter_rows(min_row=1, max_row=1))
    number, decimal, percent, day, rounded = row
    assert number.value == 12345 and number.number_format == cells.INTEGER_FORMAT
    assert decimal.value == 2.5 and decimal.number_format == cells.DECIMAL_FORMAT
    assert abs(percent.value - 2 / 3) < 1e-9 and percent.number_format == cells.PERCENT_FORMAT
    assert percent.data_type == "n", "a percentage is a number cell, not text"
    assert day.value.date() == date(2026, 12, 7) and day.number_format == "d. m. yyyy"
    assert rounded.value == 7.125 and rounded.number_format == "#,##0.0"
