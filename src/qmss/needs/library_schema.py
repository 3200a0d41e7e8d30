"""Schemas of the needs libraries (taxonomy and collection template): the body each YAML file must have, with
Czech messages; read by :mod:`qmss.needs.library` through the core library loader."""

from __future__ import annotations

import keyword
import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from pydantic import BeforeValidator, ConfigDict, model_validator

from qmss.core import libraries as lib
from qmss.needs import expressions
from qmss.needs.models import (
    DataElement,
    Disaggregation,
    Indicator,
    ValidationRule,
)

FORM_KEYS = ("residential", "outpatient", "field")  # keys of libraries/registry/delivery-forms.yaml
MAX_BOUND = Decimal("999999999999.99")
CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
CATEGORY_RE = re.compile(r"^[a-z0-9][a-z0-9_]{0,39}$")


def _code_check(pattern: re.Pattern[str], identifier: bool = False):
    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError(_("must be text (put it in quotes)."))
        value = value.strip()
        if not pattern.match(value):
            raise ValueError(
                _("must be a code of lower-case letters without accents, digits and underscores (at most 40).")
            )
        if identifier and (keyword.iskeyword(value) or value in expressions.FUNCTIONS):
            raise ValueError(_("this word is reserved in the expression language; choose another code."))
        return value

    return check


NeedCode = Annotated[str, BeforeValidator(_code_check(CODE_RE))]
ElementCode = Annotated[str, BeforeValidator(_code_check(CODE_RE, identifier=True))]
CategoryCode = Annotated[str, BeforeValidator(_code_check(CATEGORY_RE))]


def _bound(value: Any) -> Decimal | None:
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise ValueError(_("must be a number."))
    number = Decimal(str(value))
    if not number.is_finite() or abs(number) > MAX_BOUND or number != round(number, 2):
        raise ValueError(_("must be a number with at most two decimal places."))
    return number


def _form_keys(value: Any) -> list[str]:
    codes = lib._codes(value)
    unknown = [code for code in codes if code not in FORM_KEYS]
    if unknown:
        raise ValueError(
            _("unknown delivery form “{form}”; allowed: {forms}.").format(form=unknown[0], forms=", ".join(FORM_KEYS))
        )
    return codes


Bound = Annotated[Decimal | None, BeforeValidator(_bound)]
FormKeys = Annotated[list[str], BeforeValidator(_form_keys)]


class NeedIn(lib.Schema):
    code: NeedCode
    name: lib.text(200)
    public_wording: lib.text(1000)
    description: lib.text(blank=True) = ""
    basic_life_need: lib.Flag = False
    verified: lib.Flag
    source: lib.text(500)


class AreaIn(lib.Schema):
    code: NeedCode
    name: lib.text(200)
    description: lib.text(blank=True) = ""
    verified: lib.Flag
    source: lib.text(500)
    needs: lib.NonEmptyList[NeedIn]


class TaxonomyIn(lib.Envelope):
    areas: lib.NonEmptyList[AreaIn]


class CategoryIn(lib.Schema):
    code: CategoryCode
    name: lib.text(200)


class DisaggregationIn(lib.Schema):
    code: NeedCode
    name: lib.text(200)
    dynamic: Literal[tuple(Disaggregation.Dynamic.values)] = ""  # type: ignore[valid-type]
    categories: list[CategoryIn] = []
    verified: lib.Flag = False
    source: lib.text(500, blank=True) = ""

    @model_validator(mode="after")
    def _categories(self):
        if self.dynamic and self.categories:
            raise ValueError(_("a breakdown with categories from other data (dynamic) lists no categories."))
        if not self.dynamic and not self.categories:
            raise ValueError(_("a breakdown needs at least one category (or “dynamic”)."))
        return self


class ElementIn(lib.Schema):
    code: ElementCode
    name: lib.text(200)
    section: lib.text(200)
    help: lib.text(blank=True) = ""
    value_type: Literal[tuple(DataElement.ValueType.values)]  # type: ignore[valid-type]
    unit: lib.text(60, blank=True) = ""
    unit_of_kind: lib.Flag = False
    disaggregation: NeedCode | None = None
    min: Bound = None
    max: Bound = None
    prefill: Literal[tuple(DataElement.Prefill.values)] = ""  # type: ignore[valid-type]
    locked: lib.Flag = False
    required: lib.Flag = True
    forms: FormKeys = []
    verified: lib.Flag = False
    source: lib.text(500, blank=True) = ""

    @model_validator(mode="after")
    def _consistent(self):
        if self.min is not None and self.max is not None and self.max < self.min:
            raise ValueError(_("the maximum must not be lower than the minimum."))
        if self.locked and not self.prefill:
            raise ValueError(_("only a pre-filled element can be locked (set “prefill”)."))
        if not self.unit and not self.unit_of_kind:
            raise ValueError(_("give a unit, or set “unit_of_kind” for the kind's capacity unit."))
        return self


class RuleIn(lib.Schema):
    code: NeedCode
    severity: Literal[tuple(ValidationRule.Severity.values)]  # type: ignore[valid-type]
    expression: lib.text(500)
    message: lib.text(1000)
    source: lib.text(500, blank=True) = ""


class IndicatorIn(lib.Schema):
    code: NeedCode
    name: lib.text(200)
    description: lib.text(blank=True) = ""
    numerator: lib.text(500)
    denominator: lib.text(500, blank=True) = ""
    factor: lib.Number = Decimal(1)
    unit: lib.text(60, blank=True) = ""
    decimals: lib.Whole = 1
    direction: Literal[tuple(Indicator.Direction.values)] = "neutral"  # type: ignore[valid-type]
    kinds: lib.Codes = []
    forms: FormKeys = []
    verified: lib.Flag = False
    source: lib.text(500, blank=True) = ""

    @model_validator(mode="after")
    def _decimals(self):
        if not 0 <= self.decimals <= 6:
            raise ValueError(_("decimal places must be between 0 and 6."))
        return self


class TemplateIn(lib.Envelope):
    disaggregations: list[DisaggregationIn] = []
    elements: lib.NonEmptyList[ElementIn]
    rules: list[RuleIn] = []
    indicators: list[IndicatorIn] = []


class _HeaderIn(lib.Envelope):
    """Only the envelope, to tell which library a file is."""

    model_config = ConfigDict(extra="ignore", frozen=True)
