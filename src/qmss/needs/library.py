"""The libraries of the needs app: the needs taxonomy and the collection template (``libraries/needs/``).

Read through the one library loader :mod:`qmss.core.libraries` (envelope, checksums, file/line errors); the
schemas below are this app's. ``load_files()`` reads and checks EVERY file first, then writes all of them in
ONE transaction, so a single bad file loads nothing. Versioning per (urn, version), compared by the content
checksum (comments and formatting do not count):

* same version, same content → nothing is written (``unchanged``);
* same version, changed content → updated in place (rows upserted by code, removed ones deleted) when no round
  or card uses the version (``updated``); refused when one does – a used version is never changed;
* a new version → new rows (``created`` / ``new_version``). The first version of a URN is published at once;
  a later one waits until a superuser publishes it (:func:`qmss.needs.actions_taxonomy.publish_version`), so
  running rounds and cards keep the version they started with.

File formats (keys; see the files themselves for examples):

* taxonomy (``urn:qmss:needs:taxonomy``): ``areas``: ``{code, name, description, verified, source, needs}``; a
  need: ``{code, name, public_wording, description, basic_life_need, verified, source}``;
* collection template (``urn:qmss:needs:collection-template``): ``disaggregations`` ``{code, name, dynamic,
  categories: [{code, name}], verified, source}``, ``elements`` ``{code, name, section, help, value_type, unit,
  unit_of_kind, disaggregation, min, max, prefill, locked, required, forms, verified, source}``, ``rules``
  ``{code, severity, expression, message, source}``, ``indicators`` ``{code, name, description, numerator,
  denominator, factor, unit, decimals, direction, kinds, forms, verified, source}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from auditlog.context import disable_auditlog
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qmss.core import libraries as lib
from qmss.core.errors import QmssImportError
from qmss.needs import expressions
from qmss.needs.library_schema import (  # noqa: F401 – the schemas, re-exported
    CATEGORY_RE,
    CODE_RE,
    FORM_KEYS,
    MAX_BOUND,
    AreaIn,
    CategoryIn,
    DisaggregationIn,
    ElementIn,
    IndicatorIn,
    NeedIn,
    RuleIn,
    TaxonomyIn,
    TemplateIn,
    _bound,
    _code_check,
    _form_keys,
    _HeaderIn,
)
from qmss.needs.models import (
    CollectionTemplate,
    DataElement,
    Disaggregation,
    DisaggregationCategory,
    Indicator,
    Need,
    NeedArea,
    Taxonomy,
    ValidationRule,
)

TAXONOMY_URN = "urn:qmss:needs:taxonomy"
TEMPLATE_URN = "urn:qmss:needs:collection-template"
DEFAULT_FILES = ("needs-taxonomy.yaml", "collection-template.yaml")

__all__ = [
    "LoadResult",
    "LoadStatus",
    "NeedsLibraryError",
    "current_taxonomy",
    "current_template",
    "default_directory",
    "load_all",
    "load_files",
    "read_files",
]


class NeedsLibraryError(QmssImportError, ValueError):
    """A needs library is malformed or may not be loaded; the message names file, line and field."""


class LoadStatus(StrEnum):
    CREATED = "created"
    UNCHANGED = "unchanged"
    UPDATED = "updated"
    NEW_VERSION = "new_version"


@dataclass(frozen=True)
class LoadResult:
    kind: str  # "taxonomy" / "template"
    urn: str
    version: int
    status: LoadStatus
    title: str = ""
    file: str = ""
    pk: int | None = None
    published: bool = False


KINDS: dict[str, tuple[str, type[lib.Envelope], type[models.Model]]] = {
    TAXONOMY_URN: ("taxonomy", TaxonomyIn, Taxonomy),
    TEMPLATE_URN: ("template", TemplateIn, CollectionTemplate),
}


# ------------------------------------------------------------------------------------------------ reading


def default_directory() -> Path:
    return Path(settings.BASE_DIR) / "libraries" / "needs"


def _label(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path(settings.BASE_DIR).resolve()))
    except ValueError:
        return str(path)


def _unique(library: lib.Library, items: list, loc: tuple, problem: str, seen: set[str] | None = None) -> None:
    """Refuse a code used twice; ``problem`` is a sentence with ``{code}``."""
    seen = set() if seen is None else seen
    for index, item in enumerate(items):
        if item.code in seen:
            raise library.error((*loc, index, "code"), problem.format(code=item.code))
        seen.add(item.code)


def _check_taxonomy(library: lib.Library[TaxonomyIn]) -> None:
    _unique(library, library.data.areas, ("areas",), _("the area code “{code}” is used twice."))
    need_codes: set[str] = set()
    for index, area in enumerate(library.data.areas):
        problem = _("the need code “{code}” is used twice (need codes are unique in the whole taxonomy).")
        _unique(library, area.needs, ("areas", index, "needs"), problem, need_codes)


def _check_expression(library: lib.Library[TemplateIn], loc: tuple, text: str, elements: dict[str, ElementIn]):
    disaggregations = {item.code: item for item in library.data.disaggregations}
    try:
        parsed = expressions.parse(text)
    except expressions.ExpressionError as exc:
        raise library.error(loc, str(exc)) from None
    for name in sorted(parsed.names):
        if name not in elements:
            raise library.error(loc, _("unknown data element “{code}”.").format(code=name))
    for name, category in sorted(parsed.categories):
        element = elements[name]
        breakdown = disaggregations.get(element.disaggregation or "")
        if breakdown is None:
            problem = _("the element “{code}” has no breakdown, so it has no category “{category}”.")
            raise library.error(loc, problem.format(code=name, category=category))
        if breakdown.dynamic:
            problem = _("the categories of “{code}” come from other data; a formula cannot name one (“{category}”).")
            raise library.error(loc, problem.format(code=name, category=category))
        if category not in {item.code for item in breakdown.categories}:
            problem = _("the element “{code}” has no category “{category}” (breakdown “{breakdown}”).")
            raise library.error(loc, problem.format(code=name, category=category, breakdown=breakdown.code))


def _check_template(library: lib.Library[TemplateIn]) -> None:
    data = library.data
    _unique(library, data.disaggregations, ("disaggregations",), _("the breakdown code “{code}” is used twice."))
    for index, item in enumerate(data.disaggregations):
        problem = _("the category code “{code}” is used twice in this breakdown.")
        _unique(library, item.categories, ("disaggregations", index, "categories"), problem)
    _unique(library, data.elements, ("elements",), _("the data element code “{code}” is used twice."))
    _unique(library, data.rules, ("rules",), _("the rule code “{code}” is used twice."))
    _unique(library, data.indicators, ("indicators",), _("the indicator code “{code}” is used twice."))
    breakdowns = {item.code for item in data.disaggregations}
    for index, element in enumerate(data.elements):
        if element.disaggregation and element.disaggregation not in breakdowns:
            problem = _("unknown breakdown “{code}”; known: {known}.").format(
                code=element.disaggregation, known=", ".join(sorted(breakdowns)) or "–"
            )
            raise library.error(("elements", index, "disaggregation"), problem)
    elements = {element.code: element for element in data.elements}
    for index, rule in enumerate(data.rules):
        _check_expression(library, ("rules", index, "expression"), rule.expression, elements)
    for index, indicator in enumerate(data.indicators):
        _check_expression(library, ("indicators", index, "numerator"), indicator.numerator, elements)
        if indicator.denominator:
            _check_expression(library, ("indicators", index, "denominator"), indicator.denominator, elements)


def read_file(path: Path) -> lib.Library:
    """Read and check one needs library (nothing is written); raise :class:`NeedsLibraryError`."""
    label = _label(Path(path))
    header = lib.read_library(Path(path), _HeaderIn, label=label, error=NeedsLibraryError)
    if header.data.urn not in KINDS:
        problem = _("unknown library; expected one of: {urns}.").format(urns=", ".join(KINDS))
        raise header.error(("urn",), problem)
    _kind, schema, _model = KINDS[header.data.urn]
    library = lib.read_library(Path(path), schema, label=label, error=NeedsLibraryError)
    if schema is TaxonomyIn:
        _check_taxonomy(library)
    else:
        _check_template(library)
    return library


def read_files(files: list[Path] | None = None) -> list[lib.Library]:
    """Read and check the files (default: the taxonomy and the collection template), ordered by URN and version;
    two files with the same URN and version are refused."""
    if files is None:
        files = [default_directory() / name for name in DEFAULT_FILES]
    libraries = [read_file(Path(path)) for path in files]
    seen: dict[tuple[str, int], str] = {}
    for library in libraries:
        key = (library.urn, library.version)
        if key in seen:
            problem = _("version {version} of {urn} is also in {other}.").format(
                version=library.version, urn=library.urn, other=seen[key]
            )
            raise library.error(("version",), problem)
        seen[key] = library.file
    return sorted(libraries, key=lambda library: (library.urn, library.version))


# ------------------------------------------------------------------------------------------------ writing


def load_files(files: list[Path] | None = None) -> list[LoadResult]:
    """Check all files, then load them in one transaction; on any problem raise NeedsLibraryError and write
    nothing."""
    return write_libraries(read_files(files))


def write_libraries(libraries: list[lib.Library]) -> list[LoadResult]:
    """Write libraries already read and checked by :func:`read_files` (one transaction)."""
    with transaction.atomic(), disable_auditlog():
        return [_load_one(library) for library in libraries]


def load_all() -> list:
    """Load the taxonomy, the collection template and (when that part exists) the model kind cards."""
    results: list = load_files()
    try:
        from qmss.needs.library_cards import load_model_cards
    except ModuleNotFoundError as exc:
        if exc.name != "qmss.needs.library_cards":
            raise
    else:
        cards = load_model_cards()
        results.extend(cards if isinstance(cards, list | tuple) else [cards] if cards is not None else [])
    return results


def in_use(version: models.Model) -> bool:
    """Whether a round, a card or anything else (not the version's own rows) refers to this library version."""
    own = {NeedArea, Need, Disaggregation, DisaggregationCategory, DataElement, ValidationRule, Indicator}
    for relation in type(version)._meta.get_fields(include_hidden=True):  # related_name="+" is hidden
        if not (relation.auto_created and not relation.concrete and relation.is_relation):
            continue
        if relation.related_model in own:
            continue
        if relation.related_model._default_manager.filter(**{relation.field.name: version}).exists():
            return True
    return False


def _load_one(library: lib.Library) -> LoadResult:
    kind, _schema, model = KINDS[library.urn]
    versions = list(model.objects.select_for_update().filter(urn=library.urn).order_by("-version"))
    same = next((row for row in versions if row.version == library.version), None)
    changed = same is not None and same.content_checksum != library.content_checksum
    used = {library.version} if changed and in_use(same) else set()
    status = lib.check_version(
        library,
        stored={row.version: row.content_checksum for row in versions},
        used=used,
        checksum=library.content_checksum,
    )
    if status == lib.VersionStatus.UNCHANGED:
        row, result = same, LoadStatus.UNCHANGED
    elif status == lib.VersionStatus.CHANGED:
        row, result = same, LoadStatus.UPDATED
        for name, value in _envelope(library).items():
            setattr(row, name, value)
        row.save()
    else:
        row = model.objects.create(
            urn=library.urn,
            version=library.version,
            published_at=None if versions else timezone.now(),
            **_envelope(library),
        )
        result = LoadStatus.NEW_VERSION if versions else LoadStatus.CREATED
    if result != LoadStatus.UNCHANGED:
        (_sync_taxonomy if kind == "taxonomy" else _sync_template)(row, library.data)
    return LoadResult(
        kind, library.urn, library.version, result, row.title, library.file, row.pk, row.published_at is not None
    )


def _envelope(library: lib.Library) -> dict[str, Any]:
    data = library.data
    return {
        "title": data.title,
        "source": data.source,
        "description": data.description,
        "valid_from": data.valid_from,
        "valid_to": data.valid_to,
        "checksum": library.checksum,
        "content_checksum": library.content_checksum,
    }


def _sync(
    model: type[models.Model], parent: dict[str, Any], wanted: dict[str, dict[str, Any]], *, delete: bool = True
) -> dict[str, int]:
    """Upsert ``model`` rows under ``parent`` by code to ``wanted`` (code → field values); delete the rest unless
    ``delete`` is False (the caller deletes them once nothing points at them). Keeps the primary keys of rows
    that stay (others may point at them). Returns code → pk of the wanted rows."""
    existing = {row.code: row for row in model.objects.filter(**parent)}
    to_create, to_update, fields = [], [], set()
    for code, values in wanted.items():
        row = existing.get(code)
        if row is None:
            to_create.append(model(**parent, code=code, **values))
            continue
        changed = {name for name, value in values.items() if getattr(row, name) != value}
        if changed:
            for name in changed:
                setattr(row, name, values[name])
            fields |= changed
            to_update.append(row)
    if to_update:
        model.objects.bulk_update(to_update, sorted(fields))
    model.objects.bulk_create(to_create)
    removed = [row.pk for code, row in existing.items() if code not in wanted]
    if removed and delete:
        model.objects.filter(pk__in=removed).delete()
    return dict(model.objects.filter(**parent, code__in=list(wanted)).values_list("code", "pk"))


def _sync_taxonomy(taxonomy: Taxonomy, data: TaxonomyIn) -> None:
    area_ids = _sync(
        NeedArea,
        {"taxonomy": taxonomy},
        {
            area.code: {
                "name": area.name,
                "description": area.description,
                "order": order,
                "verified": area.verified,
                "source_note": area.source,
            }
            for order, area in enumerate(data.areas, start=1)
        },
        delete=False,
    )
    wanted: dict[str, dict[str, Any]] = {}
    for area in data.areas:
        for order, need in enumerate(area.needs, start=1):
            wanted[need.code] = {
                "area_id": area_ids[area.code],
                "name": need.name,
                "public_wording": need.public_wording,
                "description": need.description,
                "basic_life_need": need.basic_life_need,
                "order": order,
                "verified": need.verified,
                "source_note": need.source,
            }
    _sync(Need, {"taxonomy": taxonomy}, wanted)
    # removed areas last: their needs may have moved to another area (deleting first would cascade)
    NeedArea.objects.filter(taxonomy=taxonomy).exclude(code__in=[area.code for area in data.areas]).delete()


def _sync_template(template: CollectionTemplate, data: TemplateIn) -> None:
    parent = {"template": template}
    breakdown_ids = _sync(
        Disaggregation,
        parent,
        {
            item.code: {
                "name": item.name,
                "dynamic": item.dynamic,
                "verified": item.verified,
                "source_note": item.source,
            }
            for item in data.disaggregations
        },
        delete=False,  # elements still point at a removed breakdown (PROTECT) until they are synced
    )
    for item in data.disaggregations:
        _sync(
            DisaggregationCategory,
            {"disaggregation_id": breakdown_ids[item.code]},
            {category.code: {"name": category.name, "order": order} for order, category in
             enumerate(item.categories, start=1)},
        )  # fmt: skip
    _sync(
        DataElement,
        parent,
        {
            element.code: {
                "name": element.name,
                "help_text": element.help,
                "section": element.section,
                "value_type": element.value_type,
                "unit": element.unit,
                "unit_of_kind": element.unit_of_kind,
                "disaggregation_id": breakdown_ids[element.disaggregation] if element.disaggregation else None,
                "min_value": element.min,
                "max_value": element.max,
                "prefill": element.prefill,
                "locked": element.locked,
                "required": element.required,
                "forms": list(element.forms),
                "order": order,
                "verified": element.verified,
                "source_note": element.source,
            }
            for order, element in enumerate(data.elements, start=1)
        },
    )
    Disaggregation.objects.filter(**parent).exclude(code__in=list(breakdown_ids)).delete()
    _sync(
        ValidationRule,
        parent,
        {
            rule.code: {
                "severity": rule.severity,
                "expression": rule.expression,
                "message": rule.message,
                "order": order,
                "source_note": rule.source,
            }
            for order, rule in enumerate(data.rules, start=1)
        },
    )
    _sync(
        Indicator,
        parent,
        {
            item.code: {
                "name": item.name,
                "description": item.description,
                "numerator": item.numerator,
                "denominator": item.denominator,
                "factor": item.factor,
                "unit": item.unit,
                "decimals": item.decimals,
                "direction": item.direction,
                "kinds": list(item.kinds),
                "forms": list(item.forms),
                "order": order,
                "verified": item.verified,
                "source_note": item.source,
            }
            for order, item in enumerate(data.indicators, start=1)
        },
    )


# ---------------------------------------------------------------------------------------------- current


def current_taxonomy() -> Taxonomy | None:
    """The newest published version of the needs taxonomy (None before the library is loaded)."""
    return Taxonomy.objects.filter(urn=TAXONOMY_URN, published_at__isnull=False).order_by("-version").first()


def current_template() -> CollectionTemplate | None:
    """The newest published version of the collection template."""
    return CollectionTemplate.objects.filter(urn=TEMPLATE_URN, published_at__isnull=False).order_by("-version").first()
