"""The default financing rules (``libraries/financing/financing-rules.yaml``), read and checked through the core
library loader :mod:`qmss.core.libraries`.

``default_rules()`` is the validated library (cached by the file's mtime). Its parts are frozen pydantic models:
``cost_categories`` / ``revenue_categories`` / ``public_sources`` (code, name[, public]), ``compensation``
(default_max_public_share, adjustment bands, quality_threshold), ``settlement`` (reasonable_profit_rate,
carry_over_max_share), ``qualifications``, ``personnel`` and ``mts`` per kind code. A programme copies
``programme_parameters()`` when it is created.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from qmss.core import libraries as lib
from qmss.core.errors import QmssImportError
from qmss.network.library import _bounded, decimal_text

RULES_FILE = "financing-rules.yaml"
RULES_URN = "urn:qmss:financing:rules"

Share = _bounded(Decimal(0), Decimal(1), 4)
Percent = _bounded(Decimal(-100), Decimal(100), 2)
Score = _bounded(Decimal(0), Decimal(100), 2)
PerUnit = _bounded(Decimal(0), Decimal(1000), 4)
Persons = _bounded(Decimal(1), Decimal(1000), 0)


class FinancingRulesError(QmssImportError, ValueError):
    """A problem in the financing rules library (file, line and field in the message)."""


class CategoryIn(lib.Schema):
    code: lib.StrictCode
    name: lib.text(200)


class RevenueCategoryIn(CategoryIn):
    public: lib.Flag = False


class BandIn(lib.Schema):
    from_score: Score
    to_score: Score
    percent: Percent


class AdjustmentIn(lib.Schema):
    enabled: lib.Flag = True
    source: lib.text(1000)
    verified: lib.Flag = False
    bands: list[BandIn] = []


class CompensationIn(lib.Schema):
    default_max_public_share: Share
    adjustment: AdjustmentIn
    quality_threshold: Score


class SettlementIn(lib.Schema):
    reasonable_profit_rate: Share
    carry_over_max_share: Share
    source: lib.text(1000)
    verified: lib.Flag = False


class QualificationIn(CategoryIn):
    section: lib.text(100, blank=True) = ""


class PersonnelIn(lib.Schema):
    unit: lib.StrictCode
    direct_fte_per_unit: PerUnit | None = None
    direct_share_min: Share | None = None
    own_rule: lib.Flag = False
    verified: lib.Flag = False
    source: lib.text(1000)


class MtsIn(lib.Schema):
    max_per_household: Persons | None = None
    max_per_building: Persons | None = None
    max_per_room: Persons | None = None
    verified: lib.Flag = False
    source: lib.text(1000)


class FinancingRulesIn(lib.Envelope):
    verified: lib.Flag = False
    cost_categories: lib.NonEmptyList[CategoryIn]
    revenue_categories: lib.NonEmptyList[RevenueCategoryIn]
    public_sources: lib.NonEmptyList[CategoryIn]
    compensation: CompensationIn
    settlement: SettlementIn
    qualifications: lib.NonEmptyList[QualificationIn]
    personnel: dict[str, PersonnelIn] = {}
    mts: dict[str, MtsIn] = {}


FinancingRules = FinancingRulesIn  # the validated library is the schema's frozen instance


def _check(library: lib.Library[FinancingRulesIn]) -> None:
    data = library.data
    for key in ("cost_categories", "revenue_categories", "public_sources", "qualifications"):
        seen: set[str] = set()
        for index, item in enumerate(getattr(data, key)):
            if item.code in seen:
                raise library.error((key, index, "code"), _("the code is repeated."))
            seen.add(item.code)
    bands = data.compensation.adjustment.bands
    for index, band in enumerate(bands):
        if band.to_score <= band.from_score:
            raise library.error(
                ("compensation", "adjustment", "bands", index, "to_score"), _("must be greater than “from_score”.")
            )
        if index and band.from_score != bands[index - 1].to_score:
            raise library.error(
                ("compensation", "adjustment", "bands", index, "from_score"),
                _("must continue where the previous band ends."),
            )
    for kind, norm in data.personnel.items():
        if norm.direct_fte_per_unit is None and norm.direct_share_min is None:
            raise library.error(("personnel", kind), _("sets no minimum."))
    for kind, norm in data.mts.items():
        if norm.max_per_household is None and norm.max_per_building is None and norm.max_per_room is None:
            raise library.error(("mts", kind), _("sets no limit."))


def rules_path() -> Path:
    return Path(settings.BASE_DIR) / "libraries" / "financing" / RULES_FILE


def read_rules(path: Path) -> FinancingRulesIn:
    library = lib.read_library(path, FinancingRulesIn, label=path.name, error=FinancingRulesError, urn=RULES_URN)
    _check(library)
    return library.data


@lru_cache(maxsize=4)
def _cached(path: str, mtime: float) -> FinancingRulesIn:
    return read_rules(Path(path))


def default_rules(path: Path | None = None) -> FinancingRulesIn:
    """The validated default financing rules (read again when the file changes)."""
    path = path or rules_path()
    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = 0.0
    return _cached(str(path), mtime)


def programme_parameters(rules: FinancingRulesIn | None = None) -> dict[str, Any]:
    """The parameters a new programme copies (JSON: decimals as text). Keys:
    ``max_public_share``, ``adjustment_enabled``, ``adjustment_bands`` [{from_score, to_score, percent}],
    ``quality_threshold``, ``reasonable_profit_rate``, ``carry_over_max_share``, ``source``."""
    rules = rules or default_rules()
    c, s = rules.compensation, rules.settlement
    return {
        "max_public_share": decimal_text(c.default_max_public_share),
        "adjustment_enabled": c.adjustment.enabled,
        "adjustment_bands": [
            {
                "from_score": decimal_text(b.from_score),
                "to_score": decimal_text(b.to_score),
                "percent": decimal_text(b.percent),
            }
            for b in c.adjustment.bands
        ],
        "quality_threshold": decimal_text(c.quality_threshold),
        "reasonable_profit_rate": decimal_text(s.reasonable_profit_rate),
        "carry_over_max_share": decimal_text(s.carry_over_max_share),
        "source": f"{rules.urn} v{rules.version}",
    }


def own_revenue_codes(rules: FinancingRulesIn | None = None) -> tuple[str, ...]:
    rules = rules or default_rules()
    return tuple(c.code for c in rules.revenue_categories if not c.public)


def public_revenue_codes(rules: FinancingRulesIn | None = None) -> tuple[str, ...]:
    rules = rules or default_rules()
    return tuple(c.code for c in rules.revenue_categories if c.public)
