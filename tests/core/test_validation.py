"""The one date-range rule of QMSS (qmss.core.validation): refusals on the right field, with Czech messages."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from qmss.core.validation import (
    DATE_OUTSIDE_RANGE_CODE,
    DATE_RANGE_CODE,
    validate_date_range,
    validate_date_within,
)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2026, 1, 1), date(2026, 12, 31)),
        (date(2026, 5, 5), date(2026, 5, 5)),  # one day
        (None, date(2026, 1, 1)),  # open start
        (date(2026, 1, 1), None),  # open end
        (None, None),
        (datetime(2026, 1, 1, 18, 0), date(2026, 1, 1)),  # a datetime counts by its day
    ],
)
def test_valid_ranges_pass(start, end):
    validate_date_range(start, end)


def test_a_range_ending_before_it_starts_is_refused_on_the_end_field_in_czech():
    with translation.override("cs"), pytest.raises(ValidationError) as caught:
        validate_date_range(date(2026, 3, 1), date(2026, 2, 28), start_field="period_start", end_field="period_end")
    errors = caught.value.error_dict
    assert list(errors) == ["period_end"]
    error = errors["period_end"][0]
    assert error.code == DATE_RANGE_CODE
    message = error.messages[0]
    # the dates as Czech readers write them (the wording itself comes from the Czech catalogue)
    assert "28. 2. 2026" in message and "1. 3. 2026" in message


def test_the_field_names_are_the_callers():
    with pytest.raises(ValidationError) as caught:
        validate_date_range(date(2026, 3, 1), date(2026, 1, 1), start_field="od", end_field="do")
    assert list(caught.value.error_dict) == ["do"]


@pytest.mark.parametrize("day", [date(2026, 1, 1), date(2026, 6, 1), date(2026, 12, 31), None])
def test_dates_inside_the_range_pass(day):
    validate_date_within(day, date(2026, 1, 1), date(2026, 12, 31), field="deadline")


@pytest.mark.parametrize("day", [date(2025, 12, 31), date(2027, 1, 1)])
def test_dates_outside_the_range_are_refused_naming_the_period(day):
    with translation.override("cs"), pytest.raises(ValidationError) as caught:
        validate_date_within(day, date(2026, 1, 1), date(2026, 12, 31), field="deadline")
    error = caught.value.error_dict["deadline"][0]
    assert error.code == DATE_OUTSIDE_RANGE_CODE
    assert "1. 1. 2026 – 31. 12. 2026" in error.messages[0]


def test_open_bounds_of_the_range():
    validate_date_within(date(2000, 1, 1), None, date(2026, 1, 1), field="deadline")
    with pytest.raises(ValidationError):
        validate_date_within(date(2027, 1, 1), None, date(2026, 1, 1), field="deadline")
