"""The one row schema of reference values (``ReferenceRowIn``): the YAML demo library and every XLSX import are
validated by it, and by :func:`check_rows` for what needs the database (known kind and form codes, known units,
one row per kind × form, the number of rows).

Columns / keys: ``kind`` (registry kind code), ``form`` (delivery form code or empty = every form of the kind),
``unit`` (network unit code), ``usual_cost`` and ``usual_revenue`` (CZK per unit and year, ≥ 0, revenue ≤ cost),
``max_public_share`` (0–1), ``direct_fte_per_unit`` (optional, ≥ 0), ``direct_share_min`` (optional, 0–1)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import BeforeValidator, ValidationError, model_validator

from qmss.core import libraries as lib

COLUMNS = (
    "kind",
    "form",
    "unit",
    "usual_cost",
    "usual_revenue",
    "max_public_share",
    "direct_fte_per_unit",
    "direct_share_min",
)
REQUIRED_COLUMNS = ("kind", "unit", "usual_cost", "usual_revenue", "max_public_share")
MAX_ROWS = 2000
MAX_MONEY = Decimal("100000000")
MAX_FTE = Decimal("1000")
MAX_ERRORS = 50
NUMBER_TEXT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def _decimal(value: Any) -> Decimal:
    """A number of a cell or a YAML value (a number typed as text with a Czech comma or spaces too)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise ValueError(_("must be a number."))
    if isinstance(value, str):
        text = value.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        if len(text) > 30 or not NUMBER_TEXT.match(text):
            raise ValueError(_("must be a number."))
        value = text
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        raise ValueError(_("must be a number.")) from None
    if not number.is_finite():
        raise ValueError(_("must be a number."))
    return number


def _places(number: Decimal, places: int) -> Decimal:
    quantum = Decimal(1).scaleb(-places)
    rounded = number.quantize(quantum) if abs(number) < MAX_MONEY * 10 else number
    if abs(number - rounded) > Decimal("0.000000001"):
        raise ValueError(_("at most {places} decimal places are allowed.").format(places=places))
    return rounded


def _money(value: Any) -> Decimal:
    number = _decimal(value)
    if number < 0:
        raise ValueError(_("must not be negative."))
    if number > MAX_MONEY:
        raise ValueError(_("must be at most 100,000,000 CZK."))
    return _places(number, 2)


def _share(value: Any) -> Decimal:
    number = _decimal(value)
    if number < 0 or number > 1:
        raise ValueError(_("must be a share between 0 and 1 (e.g. 0.8 for 80 %)."))
    return _places(number, 4)


def _fte(value: Any) -> Decimal:
    number = _decimal(value)
    if number < 0:
        raise ValueError(_("must not be negative."))
    if number > MAX_FTE:
        raise ValueError(_("is out of the allowed range."))
    return _places(number, 4)


def _optional(check):
    def optional(value: Any):
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return check(value)

    return optional


Money = Annotated[Decimal, BeforeValidator(_money)]
Share = Annotated[Decimal, BeforeValidator(_share)]
OptionalShare = Annotated[Decimal | None, BeforeValidator(_optional(_share))]
OptionalFte = Annotated[Decimal | None, BeforeValidator(_optional(_fte))]
OptionalCode = lib.text(40, numbers=True, nullable=True)


class ReferenceRowIn(lib.Schema):
    """One reference value: a kind (and form) with its usual cost and revenue per unit and year."""

    kind: lib.text(40, numbers=True)
    form: OptionalCode = None
    unit: lib.text(40)
    usual_cost: Money
    usual_revenue: Money
    max_public_share: Share
    direct_fte_per_unit: OptionalFte = None
    direct_share_min: OptionalShare = None

    @model_validator(mode="after")
    def _revenue_within_cost(self):
        if self.usual_revenue > self.usual_cost:
            raise RowError("usual_revenue", _("the usual own revenue must not be higher than the usual cost."))
        return self


class RowError(ValueError):
    """A problem of one field found after the fields were validated."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(problem)
        self.key = key
        self.problem = problem


class ReferenceLibrary(lib.Envelope):
    """A YAML file of reference values (the demo library): the envelope, an optional year and the rows."""

    verified: lib.Flag = False
    synthetic: lib.Flag = False
    year: lib.OptionalWhole = None
    values: lib.NonEmptyList[ReferenceRowIn]


@dataclass(frozen=True)
class Problem:
    """One problem of an input: row number (as the file counts it), field (column key) and the sentence."""

    row: int | None
    field: str
    message: str


def field_label(key: str) -> str:
    return {
        "kind": _("kind"),
        "form": _("form"),
        "unit": _("unit"),
        "usual_cost": _("usual cost"),
        "usual_revenue": _("usual own revenue"),
        "max_public_share": _("maximum public share"),
        "direct_fte_per_unit": _("direct-care FTE per unit"),
        "direct_share_min": _("minimum direct-care share"),
    }.get(key, key)


def _pydantic_problem(error: dict[str, Any]) -> tuple[str, str]:
    loc = [part for part in error.get("loc", ()) if isinstance(part, str) and "[" not in part]
    key = loc[0] if loc else ""
    kind = error["type"]
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, RowError):
        return cause.key, cause.problem
    if kind == "value_error":
        return key, str(cause or error["msg"])
    if kind == "missing":
        return key, _("a value is required.")
    if kind == "extra_forbidden":
        return key, _("unknown column.")
    return key, _("invalid value.")


def validate_row(raw: dict[str, Any], row: int | None) -> tuple[ReferenceRowIn | None, list[Problem]]:
    """One row through ``ReferenceRowIn``; every problem of the row (not only the first)."""
    try:
        return ReferenceRowIn.model_validate(raw), []
    except ValidationError as exc:
        return None, [Problem(row, *_pydantic_problem(error)) for error in exc.errors(include_url=False)]


def check_rows(
    raw_rows: list[tuple[int | None, dict[str, Any]]],
    *,
    kinds: set[str],
    forms: set[str],
    units: set[str],
) -> tuple[list[ReferenceRowIn], list[Problem]]:
    """Validate ``raw_rows`` ((row number, mapping) pairs) against the schema and the known codes; the rows are
    returned only when there is no problem."""
    problems: list[Problem] = []
    if not raw_rows:
        return [], [Problem(None, "", _("there are no reference values in it."))]
    if len(raw_rows) > MAX_ROWS:
        return [], [Problem(None, "", _("too many rows (at most {limit}).").format(limit=MAX_ROWS))]
    rows: list[ReferenceRowIn] = []
    seen: dict[tuple[str, str | None], int | None] = {}
    for number, raw in raw_rows:
        row, found = validate_row(raw, number)
        problems += found
        if row is None:
            continue
        if row.kind not in kinds:
            problems.append(Problem(number, "kind", _("unknown kind code “{code}”.").format(code=row.kind)))
        if row.form is not None and row.form not in forms:
            problems.append(Problem(number, "form", _("unknown delivery form code “{code}”.").format(code=row.form)))
        if row.unit not in units:
            problems.append(
                Problem(
                    number,
                    "unit",
                    _("unknown unit code “{code}” (allowed: {units}).").format(
                        code=row.unit, units=", ".join(sorted(units))
                    ),
                )
            )
        key = (row.kind, row.form)
        if key in seen:
            where = seen[key]
            problems.append(
                Problem(
                    number,
                    "form",
                    _("the kind {kind} with this form is there twice (first in row {row}).").format(
                        kind=row.kind, row=where if where is not None else "?"
                    ),
                )
            )
        seen.setdefault(key, number)
        rows.append(row)
        if len(problems) >= MAX_ERRORS:
            break
    return (rows if not problems else []), problems[:MAX_ERRORS]
