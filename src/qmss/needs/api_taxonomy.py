"""Needs API, taxonomy part: the published needs taxonomy and the current collection template. Public
reference data (no login), read only."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from qmss.needs import selectors_taxonomy

router = Router(tags=["needs"])


class NeedOut(Schema):
    code: str
    name: str
    public_wording: str = Field(description="Plain-language Czech wording for the public")
    description: str
    basic_life_need: bool = Field(description="One of the 10 basic life needs of decree 505/2006, annex 1")
    verified: bool = Field(description="True: the cited source confirms it; False: a QMSS proposal")
    source: str


class NeedAreaOut(Schema):
    code: str
    name: str
    description: str
    verified: bool
    source: str
    needs: list[NeedOut]


class LibraryOut(Schema):
    urn: str
    version: int
    title: str
    source: str
    valid_from: date | None = None
    valid_to: date | None = None
    published_at: datetime | None = None


class TaxonomyOut(LibraryOut):
    current: bool = Field(description="The newest published version")
    versions: list[int] = Field(description="All published versions")
    areas: list[NeedAreaOut]


class TaxonomyQuery(Schema):
    version: int | None = Field(None, ge=1, le=999999, description="A published version; default: the current one")


class CategoryOut(Schema):
    code: str
    name: str


class DisaggregationOut(Schema):
    code: str
    name: str
    dynamic: str = Field(description='"orp": categories are the ORPs of the round\'s region; "" = fixed categories')
    verified: bool
    categories: list[CategoryOut]


class ElementOut(Schema):
    code: str
    name: str
    help: str
    section: str
    value_type: str = Field(description="integer / decimal / money")
    unit: str
    unit_of_kind: bool = Field(description="The unit is the capacity unit of the service's kind")
    disaggregation: str | None = None
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    prefill: str
    locked: bool
    required: bool
    forms: list[str] = Field(description="Delivery form keys the element applies to; empty = all")


class RuleOut(Schema):
    code: str
    severity: str = Field(description="blocking / warning")
    expression: str
    message: str


class IndicatorOut(Schema):
    code: str
    name: str
    description: str
    numerator: str
    denominator: str
    factor: Decimal
    unit: str
    decimals: int
    direction: str
    kinds: list[str]
    forms: list[str]
    verified: bool


class TemplateOut(LibraryOut):
    disaggregations: list[DisaggregationOut]
    elements: list[ElementOut]
    rules: list[RuleOut]
    indicators: list[IndicatorOut]


def _library(version) -> dict:
    return {
        "urn": version.urn,
        "version": version.version,
        "title": version.title,
        "source": version.source,
        "valid_from": version.valid_from,
        "valid_to": version.valid_to,
        "published_at": version.published_at,
    }


@router.get("/taxonomy", response=TaxonomyOut, summary="The needs taxonomy (current published or ?version=)")
def taxonomy(request, filters: Query[TaxonomyQuery]):
    shown = selectors_taxonomy.taxonomy_version(filters.version)
    if shown is None:
        raise HttpError(404, _("No such published version of the needs taxonomy."))
    versions = list(selectors_taxonomy.published_taxonomies().values_list("version", flat=True))
    areas = [
        {
            "code": area.code,
            "name": area.name,
            "description": area.description,
            "verified": area.verified,
            "source": area.source_note,
            "needs": [
                {
                    "code": need.code,
                    "name": need.name,
                    "public_wording": need.public_wording,
                    "description": need.description,
                    "basic_life_need": need.basic_life_need,
                    "verified": need.verified,
                    "source": need.source_note,
                }
                for need in area.needs.all()
            ],
        }
        for area in selectors_taxonomy.taxonomy_areas(shown)
    ]
    return {**_library(shown), "current": bool(versions) and shown.version == versions[0], "versions": versions,
            "areas": areas}  # fmt: skip


@router.get("/templates/current", response=TemplateOut, summary="The current collection template")
def current_template(request):
    shown = selectors_taxonomy.template_version()
    if shown is None:
        raise HttpError(404, _("The collection template has not been loaded yet."))
    content = selectors_taxonomy.template_content(shown)
    return {
        **_library(shown),
        "disaggregations": [
            {
                "code": item.code,
                "name": item.name,
                "dynamic": item.dynamic,
                "verified": item.verified,
                "categories": [{"code": c.code, "name": c.name} for c in item.categories.all()],
            }
            for item in content.disaggregations
        ],
        "elements": [
            {
                "code": e.code,
                "name": e.name,
                "help": e.help_text,
                "section": e.section,
                "value_type": e.value_type,
                "unit": e.unit,
                "unit_of_kind": e.unit_of_kind,
                "disaggregation": e.breakdown.code if e.breakdown else None,
                "min_value": e.min_value,
                "max_value": e.max_value,
                "prefill": e.prefill,
                "locked": e.locked,
                "required": e.required,
                "forms": list(e.forms),
            }
            for e in content.elements
        ],
        "rules": [
            {"code": r.code, "severity": r.severity, "expression": r.expression, "message": r.message}
            for r in content.rules
        ],
        "indicators": [
            {
                "code": i.code,
                "name": i.name,
                "description": i.description,
                "numerator": i.numerator,
                "denominator": i.denominator,
                "factor": i.factor,
                "unit": i.unit,
                "decimals": i.decimals,
                "direction": i.direction,
                "kinds": list(i.kinds),
                "forms": list(i.forms),
                "verified": i.verified,
            }
            for i in content.indicators
        ],
    }
