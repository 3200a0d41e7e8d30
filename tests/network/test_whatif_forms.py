"""Parsing of the what-if form: known keys only, bounded numbers, Czech messages naming the field."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.http import QueryDict
from django.utils import translation
from django.utils.translation import gettext as _

from qmss.network.forms_whatif import Known, WhatIf, from_scenario, parse

KNOWN = Known(
    weights={
        "quality": Decimal(30),
        "quality.audit": Decimal(30),
        "quality.inspection": Decimal(30),
        "need": Decimal(30),
        "need.gap": Decimal(70),
    },
    candidates={"e1": "13", "e2": "13", "a7": "13", "e3": "4"},
    kinds=("4", "13"),
    capacities={"e1": Decimal(40), "e2": Decimal(20), "a7": Decimal(10), "e3": Decimal(100)},
    criteria=("quality", "need"),
)


def post(**lists) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, values in lists.items():
        for value in values if isinstance(values, list) else [values]:
            data.appendlist(name.replace("__", "-").replace("_dot_", "."), value)
    return data


@pytest.fixture(autouse=True)
def _czech():
    with translation.override("cs"):
        yield


def test_baseline_form_is_no_change():
    parsed = parse(post(druh="13", vaha__quality="30", kapacita__e1="40"), KNOWN)
    assert parsed.ok
    assert parsed.whatif == WhatIf(kind="13")
    assert parsed.whatif.is_baseline


def test_changes_are_read_with_czech_decimal_comma():
    parsed = parse(
        post(
            druh="13",
            vaha__quality="12,5",
            vaha__need_dot_gap="70",
            odebrat=["e1"],
            pridat=["a7"],
            kapacita__e2="25,25",
            kapacita__e3="90",  # another kind's change carried in a hidden field
        ),
        KNOWN,
    )
    assert parsed.ok, parsed.errors
    whatif = parsed.whatif
    assert whatif.weights == {"quality": Decimal("12.5")}
    assert whatif.removed == {"e1"} and whatif.added == {"a7"}
    assert whatif.capacity == {"e2": Decimal("25.25"), "e3": Decimal(90)}
    assert whatif.change_count() == 5


def test_unknown_criterion_is_refused():
    parsed = parse(post(druh="13", **{"vaha__quality_dot_bribe": "100"}), KNOWN)
    assert not parsed.ok
    assert parsed.errors == [_("Unknown criterion “%(value)s”.") % {"value": "quality.bribe"}]
    assert parsed.whatif.weights == {}


RANGE = "%(field)s: enter a number from 0 to %(max)s."
NOT_A_NUMBER = "%(field)s: “%(value)s” is not a number."


@pytest.mark.parametrize(
    ("value", "message", "extra"),
    [
        ("101", RANGE, {"max": "100"}),
        ("-1", RANGE, {"max": "100"}),
        ("1e9", RANGE, {"max": "100"}),
        ("NaN", NOT_A_NUMBER, {"value": "NaN"}),
        ("abc", NOT_A_NUMBER, {"value": "abc"}),
        ("", "%(field)s: enter a number.", {}),
        ("1,234", "%(field)s: at most two decimal places.", {}),
    ],
)
def test_weight_out_of_range_is_refused(value, message, extra):
    parsed = parse(post(druh="13", vaha__quality=value), KNOWN, labels={"quality": "Kvalita"})
    field = _("Weight of %(criterion)s") % {"criterion": "Kvalita"}
    assert parsed.errors == [_(message) % {"field": field, **extra}]
    assert "quality" not in parsed.whatif.weights


def test_all_weights_zero_is_refused():
    parsed = parse(post(druh="13", vaha__quality="0", vaha__need="0"), KNOWN)
    assert parsed.errors == [_("At least one of the criteria must have a weight above zero.")]


def test_unknown_candidates_kind_and_fields_are_refused():
    parsed = parse(
        post(druh="99", odebrat=["a7", "e999"], pridat=["e1"], kapacita__e404="5", hacker="1"),
        KNOWN,
    )
    assert not parsed.ok
    assert parsed.whatif.kind == "4"  # back to the default kind
    assert parsed.whatif.removed == frozenset() and parsed.whatif.added == frozenset()
    text = " ".join(parsed.errors)
    for fragment in ("99", "a7", "e999", "e1", "e404", "hacker"):
        assert f"{fragment}\u201c" in text or f"{fragment}\u201d" in text  # each named (Czech or English quotes)


def test_capacity_is_bounded():
    parsed = parse(post(druh="13", kapacita__e1="100001"), KNOWN, labels={"e1": "Domov Lipa"})
    field = _("Capacity of %(name)s") % {"name": "Domov Lipa"}
    assert parsed.errors == [_(RANGE) % {"field": field, "max": "100 000"}]


def test_too_many_fields_are_refused():
    data = post(druh="13", odebrat=[f"e{i}" for i in range(4000)])
    data.update({f"x{i}": "1" for i in range(3001)})
    assert parse(data, KNOWN).errors == [_("The form has too many fields.")]


def test_scenario_reapplied_and_stale_changes_counted():
    scenario = SimpleNamespace(
        weights={"quality": "10", "availability.gone": "5", "need": "30"},
        removed_entries=[1, 555],
        added_applications=[7],
        capacity_changes={"e2": "15", "e3": "999999"},
    )
    whatif, stale = from_scenario(scenario, KNOWN)
    assert whatif == WhatIf(
        kind="13", weights={"quality": Decimal(10)}, removed=frozenset({"e1"}), added=frozenset({"a7"}),
        capacity={"e2": Decimal(15)},
    )  # fmt: skip
    assert stale == 3
