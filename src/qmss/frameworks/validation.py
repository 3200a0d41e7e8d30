"""Reading and validating framework library files (YAML); nothing here touches the database.

A library file is one YAML mapping::

    urn: urn:qmss:framework:sqss        # required, text starting with "urn:"
    version: 1                          # required, whole number >= 1
    locale: cs                          # required
    short_name: SQSS                    # required
    title: …                            # required
    description: …                      # optional
    source: …                           # required: where the requirements come from
    valid_from: 2007-01-01              # optional dates
    valid_to: null
    default_scale: points               # required: key of one of the scales
    pass_rule: {type: …, scale: …, …,   # optional; see qmss.frameworks.pass_rules
                verified: false, source: …}   # a verified rule names its source
    scales:                             # required, non-empty
      - key: points
        name: …
        description: …                  # optional
        max_score: 3                    # optional: default is the highest score
        values:
          - {key: "0", label: …, score: 0}   # score: null = "not applicable" (does not count)
    requirements:                       # required, non-empty, a flat list in display order
      - ref_id: "1a"                    # required, unique in the file
        kind: criterion                 # standard / criterion / area / group
        parent: "1"                     # optional ref_id of a requirement listed EARLIER
        title: …                        # required
        description / guidance: …       # optional text
        typical_evidence: [ … ]         # optional list of texts
        essential / verified: false     # optional yes/no; verified = letter, wording and essential flag confirmed
        source: …                       # required when an essential criterion is verified: where it is confirmed
        assessable: true                # optional yes/no, default: true for kind criterion
        applicability: {kinds: [...], forms: [pob]}   # optional; empty = applies to every service
        scale: fulfilment               # optional key of a scale overriding default_scale

Reading, the envelope (urn, version, source, validity) and the file/line/field errors come from the one library
loader :mod:`qmss.core.libraries`; the schema below (pydantic) and the checks across items are this app's.
Every problem raises :class:`FrameworkLibraryError` naming the file, the line and the field. The stored
checksum is a SHA-256 of the parsed content, so comments and formatting do not count as a change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from django.utils.translation import gettext as _
from pydantic import field_validator

from qmss.core import libraries as lib
from qmss.core.errors import QmssImportError, located_error
from qmss.frameworks import pass_rules
from qmss.frameworks.models import Framework, Requirement, Scale, ScaleValue

__all__ = [
    "FORM_CODES",
    "FrameworkLibraryError",
    "LibrarySpec",
    "RequirementSpec",
    "ScaleSpec",
    "ScaleValueSpec",
    "library_error",
    "read_library",
]

FORM_CODES = ("pob", "amb", "ter")  # registry delivery forms: residential, outpatient, field


class FrameworkLibraryError(QmssImportError):
    """A framework library is missing or malformed, or may not be loaded; the message names file, line, field."""


def library_error(file: str, line: int | None, field_name: str, problem: str) -> FrameworkLibraryError:
    return located_error(FrameworkLibraryError, file, line, field_name, problem)


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


# ---------------------------------------------------------------------------------------------- schema


class ValueIn(lib.Schema):
    key: lib.text(_max_length(ScaleValue, "key"), numbers=True)
    label: lib.text(_max_length(ScaleValue, "label"))
    score: lib.OptionalNumber  # required key; null = "not applicable" (does not count)


class ScaleIn(lib.Schema):
    key: lib.text(_max_length(Scale, "key"), numbers=True)
    name: lib.text(_max_length(Scale, "name"))
    description: lib.text(blank=True) = ""
    max_score: lib.OptionalNumber = None
    values: lib.NonEmptyList[ValueIn]


class ApplicabilityIn(lib.Schema):
    kinds: lib.NonEmptyList[lib.Code] = None  # type: ignore[assignment]
    forms: lib.NonEmptyList[lib.Code] = None  # type: ignore[assignment]

    @field_validator("forms")
    @classmethod
    def _known_forms(cls, forms: list[str] | None) -> list[str] | None:
        unknown = [code for code in forms or () if code not in FORM_CODES]
        if unknown:
            raise ValueError(
                _("unknown form “{code}”; known: {codes}.").format(code=unknown[0], codes=", ".join(FORM_CODES))
            )
        return forms


class RequirementIn(lib.Schema):
    ref_id: lib.text(_max_length(Requirement, "ref_id"), numbers=True)
    kind: Literal["standard", "criterion", "area", "group"]
    parent: lib.text(numbers=True, nullable=True) = None
    title: lib.text(_max_length(Requirement, "title"))
    description: lib.text(blank=True, nullable=True) = None
    guidance: lib.text(blank=True, nullable=True) = None
    typical_evidence: lib.Texts = []
    essential: lib.OptionalFlag = None
    verified: lib.OptionalFlag = None
    source: lib.text(blank=True, nullable=True) = None
    assessable: lib.OptionalFlag = None
    applicability: ApplicabilityIn = None  # type: ignore[assignment]
    scale: lib.text(numbers=True, nullable=True) = None


class FrameworkLibraryIn(lib.Envelope):
    locale: lib.text(_max_length(Framework, "locale"))
    short_name: lib.text(_max_length(Framework, "short_name"))
    title: lib.text(_max_length(Framework, "title"))
    default_scale: lib.text(numbers=True)
    pass_rule: dict[str, Any] | None = None
    scales: lib.NonEmptyList[ScaleIn]
    requirements: lib.NonEmptyList[RequirementIn]


# ---------------------------------------------------------------------------------------------- results


@dataclass(frozen=True)
class ScaleValueSpec:
    key: str
    label: str
    score: Decimal | None
    order: int


@dataclass(frozen=True)
class ScaleSpec:
    key: str
    name: str
    description: str
    max_score: Decimal
    values: tuple[ScaleValueSpec, ...]


@dataclass(frozen=True)
class RequirementSpec:
    ref_id: str
    kind: str
    parent: str | None
    order: int
    depth: int
    title: str
    description: str
    guidance: str
    typical_evidence: list[str]
    essential: bool
    verified: bool
    source: str
    assessable: bool
    applicability: dict[str, list[str]]
    scale: str | None
    line: int


@dataclass
class LibrarySpec:
    file: str
    checksum: str
    urn: str
    version: int
    locale: str
    short_name: str
    title: str
    description: str
    source: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    default_scale: str
    pass_rule: dict[str, Any]
    scales: list[ScaleSpec] = field(default_factory=list)
    requirements: list[RequirementSpec] = field(default_factory=list)
    library: lib.Library | None = None

    def line_of(self, key: str) -> int:
        return self.library.line((key,)) if self.library is not None else 1


# ---------------------------------------------------------------------------------------------- checks


def _scales(library: lib.Library[FrameworkLibraryIn]) -> list[ScaleSpec]:
    scales: list[ScaleSpec] = []
    seen: set[str] = set()
    for index, scale in enumerate(library.data.scales):
        where = ("scales", index)
        if scale.key in seen:
            raise library.error((*where, "key"), _("the scale “{key}” is defined twice.").format(key=scale.key))
        seen.add(scale.key)
        values: list[ScaleValueSpec] = []
        value_keys: set[str] = set()
        for number, value in enumerate(scale.values):
            if value.key in value_keys:
                problem = _("the value “{key}” is defined twice.").format(key=value.key)
                raise library.error((*where, "values", number, "key"), problem)
            value_keys.add(value.key)
            if value.score is not None and value.score < 0:
                raise library.error((*where, "values", number, "score"), _("must not be negative."))
            values.append(ScaleValueSpec(value.key, value.label, value.score, number + 1))
        scores = [v.score for v in values if v.score is not None]
        if not scores:
            raise library.error((*where, "values"), _("at least one value must have a score."))
        max_score = scale.max_score
        if max_score is None:
            max_score = max(scores)
        elif max_score <= 0:
            raise library.error((*where, "max_score"), _("must be greater than zero."))
        elif max(scores) > max_score:
            raise library.error((*where, "max_score"), _("is lower than the highest score of the scale."))
        scales.append(ScaleSpec(scale.key, scale.name, scale.description, max_score, tuple(values)))
    return scales


def _requirements(library: lib.Library[FrameworkLibraryIn], scales: dict[str, ScaleSpec]) -> list[RequirementSpec]:
    all_refs = {item.ref_id for item in library.data.requirements}
    specs: dict[str, RequirementSpec] = {}
    for index, item in enumerate(library.data.requirements):
        where = ("requirements", index)
        if item.ref_id in specs:
            problem = _("the reference “{ref}” is already used on line {line}.")
            raise library.error((*where, "ref_id"), problem.format(ref=item.ref_id, line=specs[item.ref_id].line))
        depth = 0
        if item.parent is not None:
            if item.parent == item.ref_id:
                raise library.error((*where, "parent"), _("a requirement cannot be its own parent."))
            if item.parent not in specs:
                if item.parent in all_refs:
                    problem = _("the parent “{ref}” must be listed before its children.")
                else:
                    problem = _("unknown parent “{ref}”: no requirement has this ref_id.")
                raise library.error((*where, "parent"), problem.format(ref=item.parent))
            depth = specs[item.parent].depth + 1
        if item.scale is not None and item.scale not in scales:
            problem = _("the scale “{key}” is not defined in “scales”.").format(key=item.scale)
            raise library.error((*where, "scale"), problem)
        if item.essential and item.verified and not item.source:
            problem = _("a verified essential criterion must name the source that confirms it.")
            raise library.error((*where, "verified"), problem)
        applicability = {}
        if item.applicability is not None:
            applicability = {k: v for k, v in item.applicability.model_dump().items() if v is not None}
        specs[item.ref_id] = RequirementSpec(
            ref_id=item.ref_id,
            kind=item.kind,
            parent=item.parent,
            order=index + 1,
            depth=depth,
            title=item.title,
            description=item.description or "",
            guidance=item.guidance or "",
            typical_evidence=item.typical_evidence,
            essential=bool(item.essential),
            verified=bool(item.verified),
            source=item.source or "",
            assessable=item.kind == Requirement.Kind.CRITERION if item.assessable is None else item.assessable,
            applicability=applicability,
            scale=item.scale,
            line=library.line(where),
        )
    if not any(spec.assessable for spec in specs.values()):
        raise library.error(("requirements",), _("at least one requirement must be assessable."))
    return list(specs.values())


def _pass_rule(library: lib.Library[FrameworkLibraryIn], scales: dict[str, ScaleSpec]) -> dict[str, Any]:
    if library.data.pass_rule is None:
        return {}
    try:
        return pass_rules.validate(library.data.pass_rule, {key: scale.max_score for key, scale in scales.items()})
    except pass_rules.RuleError as exc:
        raise library.error(("pass_rule", exc.key) if exc.key else ("pass_rule",), exc.problem) from None


def read_library(path: Path, label: str | None = None) -> LibrarySpec:
    """Read and validate one library file; raise FrameworkLibraryError on any problem."""
    library = lib.read_library(Path(path), FrameworkLibraryIn, label=label or str(path), error=FrameworkLibraryError)
    data = library.data
    scales = _scales(library)
    scales_by_key = {scale.key: scale for scale in scales}
    if data.default_scale not in scales_by_key:
        problem = _("the scale “{key}” is not defined in “scales”.").format(key=data.default_scale)
        raise library.error(("default_scale",), problem)
    spec = LibrarySpec(
        file=library.file,
        checksum=library.content_checksum,
        urn=data.urn,
        version=data.version,
        locale=data.locale,
        short_name=data.short_name,
        title=data.title,
        description=data.description,
        source=data.source,
        valid_from=data.valid_from,
        valid_to=data.valid_to,
        default_scale=data.default_scale,
        pass_rule=_pass_rule(library, scales_by_key),
        scales=scales,
        library=library,
    )
    spec.requirements = _requirements(library, scales_by_key)
    return spec
