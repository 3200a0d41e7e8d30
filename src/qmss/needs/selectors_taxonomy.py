"""Reads of the taxonomy part: the needs taxonomy and collection template versions (public reference data, so
not scoped to an organisation) and the loaded library versions for the superuser's library page."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from qmss.needs.library import TAXONOMY_URN, TEMPLATE_URN, current_taxonomy, current_template, in_use
from qmss.needs.models import (
    CollectionTemplate,
    DataElement,
    Disaggregation,
    DisaggregationCategory,
    Need,
    NeedArea,
    Taxonomy,
)

FORM_NAMES = {"residential": _("residential"), "outpatient": _("outpatient"), "field": _("field")}

# URL slug of each library kind → model (the slugs are part of the publish URL)
LIBRARY_KINDS: dict[str, type[Taxonomy] | type[CollectionTemplate]] = {
    "taxonomie": Taxonomy,
    "sablona": CollectionTemplate,
}


def published_taxonomies() -> QuerySet[Taxonomy]:
    return Taxonomy.objects.filter(urn=TAXONOMY_URN, published_at__isnull=False).order_by("-version")


def published_templates() -> QuerySet[CollectionTemplate]:
    return CollectionTemplate.objects.filter(urn=TEMPLATE_URN, published_at__isnull=False).order_by("-version")


def taxonomy_version(version: int | None = None) -> Taxonomy | None:
    """The published taxonomy of ``version`` (None: the current one); None when there is no such version."""
    if version is None:
        return current_taxonomy()
    return published_taxonomies().filter(version=version).first()


def template_version(version: int | None = None) -> CollectionTemplate | None:
    if version is None:
        return current_template()
    return published_templates().filter(version=version).first()


def taxonomy_areas(taxonomy: Taxonomy) -> list[NeedArea]:
    """The areas of a taxonomy in order, each with its needs prefetched (``area.needs.all()``): two queries."""
    needs = Prefetch("needs", queryset=Need.objects.order_by("order", "code"))
    return list(NeedArea.objects.filter(taxonomy=taxonomy).order_by("order", "code").prefetch_related(needs))


@dataclass(frozen=True)
class TemplateContent:
    template: CollectionTemplate
    elements: list[DataElement]
    sections: list[tuple[str, list[DataElement]]]
    disaggregations: list[Disaggregation]
    rules: list
    indicators: list


def template_content(template: CollectionTemplate) -> TemplateContent:
    """Elements (grouped by section in their order, each with its breakdown and categories), breakdowns, rules
    and indicators of a template version: a fixed number of queries."""
    categories = Prefetch("categories", queryset=DisaggregationCategory.objects.order_by("order", "code"))
    disaggregations = list(template.disaggregations.order_by("code").prefetch_related(categories))
    by_pk = {item.pk: item for item in disaggregations}
    elements = list(template.elements.order_by("order", "code"))
    sections: dict[str, list[DataElement]] = {}
    indicators = list(template.indicators.order_by("order", "code"))
    for item in (*elements, *indicators):
        item.form_names = ", ".join(str(FORM_NAMES.get(key, key)) for key in item.forms or ())
    for element in elements:
        element.breakdown = by_pk.get(element.disaggregation_id)
        sections.setdefault(element.section, []).append(element)
    return TemplateContent(
        template=template,
        elements=elements,
        sections=list(sections.items()),
        disaggregations=disaggregations,
        rules=list(template.rules.order_by("order", "code")),
        indicators=indicators,
    )


@dataclass(frozen=True)
class LibraryVersionRow:
    kind: str  # slug of LIBRARY_KINDS
    version: Taxonomy | CollectionTemplate
    current: bool
    used: bool

    @property
    def published(self) -> bool:
        return self.version.published_at is not None


def library_versions() -> list[LibraryVersionRow]:
    """Every loaded version of the taxonomy and the collection template, newest first per library."""
    rows: list[LibraryVersionRow] = []
    for kind, model in LIBRARY_KINDS.items():
        versions = list(model.objects.order_by("urn", "-version"))
        current = {}
        for version in versions:
            if version.published_at is not None and version.urn not in current:
                current[version.urn] = version.pk
        rows.extend(
            LibraryVersionRow(kind, version, current.get(version.urn) == version.pk, in_use(version))
            for version in versions
        )
    return rows


def get_library_version(kind: str, pk: int) -> Taxonomy | CollectionTemplate | None:
    model = LIBRARY_KINDS.get(kind)
    return None if model is None else model.objects.filter(pk=pk).first()
