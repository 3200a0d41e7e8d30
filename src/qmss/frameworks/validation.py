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
    pass_rule: {type: …, scale: …, …}   # optional; see PASS_RULES
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
        essential / verified: false     # optional yes/no
        assessable: true                # optional yes/no, default: true for kind criterion
        applicability: {kinds: [...], forms: [pob]}   # optional; empty = applies to every service
        scale: fulfilment               # optional key of a scale overriding default_scale

Every problem raises :class:`FrameworkLibraryError` naming the file, the line (from the YAML node marks) and
the field. The checksum is a SHA-256 of the parsed content, so comments and formatting do not count as a change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _

from qmss.core.errors import QmssImportError, located_error
from qmss.frameworks.models import Framework, Requirement, Scale, ScaleValue

__all__ = [
    "FORM_CODES",
    "PASS_RULES",
    "FrameworkLibraryError",
    "LibrarySpec",
    "RequirementSpec",
    "ScaleSpec",
    "ScaleValueSpec",
    "library_error",
    "read_library",
]

# Parameters of each known pass rule: name -> "scale" (a scale key), "score" (on that scale) or "share" (0–1).
PASS_RULES: dict[str, dict[str, str]] = {
    "essential_min_and_share": {"scale": "scale", "essential_min": "score", "overall_min_share": "share"},
    "min_average": {"scale": "scale", "min_average": "score"},
}
FORM_CODES = ("pob", "amb", "ter")  # registry delivery forms: residential, outpatient, field
KINDS = tuple(Requirement.Kind.values)

TOP_KEYS = (
    "urn", "version", "locale", "short_name", "title", "description", "source", "valid_from", "valid_to",
    "default_scale", "pass_rule", "scales", "requirements",
)  # fmt: skip
SCALE_KEYS = ("key", "name", "description", "max_score", "values")
VALUE_KEYS = ("key", "label", "score")
REQUIREMENT_KEYS = (
    "ref_id", "kind", "parent", "title", "description", "guidance", "typical_evidence", "essential", "verified",
    "assessable", "applicability", "scale",
)  # fmt: skip
MAX_SCORE = Decimal("9999")


class FrameworkLibraryError(QmssImportError):
    """A framework library is missing or malformed, or may not be loaded; the message names file, line, field."""


def library_error(file: str, line: int | None, field_name: str, problem: str) -> FrameworkLibraryError:
    return located_error(FrameworkLibraryError, file, line, field_name, problem)


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
    lines: dict[str, int] = field(default_factory=dict)  # line of each top-level key's value

    def line_of(self, key: str) -> int:
        return self.lines.get(key, 1)


# ---------------------------------------------------------------------------------------------- YAML


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _walk(node: yaml.Node) -> Iterator[yaml.Node]:
    yield node
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _walk(key)
            yield from _walk(value)
    elif isinstance(node, yaml.SequenceNode):
        for child in node.value:
            yield from _walk(child)


def _parse_yaml(text: str, file: str) -> tuple[yaml.Node | None, Any]:
    """Compose (keeping the line marks) and construct one YAML document with the safe loader."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        for child in _walk(node):
            if isinstance(child, yaml.MappingNode):
                seen: set[str] = set()
                for key, _value in child.value:
                    if isinstance(key, yaml.ScalarNode):
                        if key.value in seen:
                            raise library_error(
                                file, _line(key), key.value, _("the key is repeated in the same mapping.")
                            )
                        seen.add(key.value)
        try:
            return node, loader.construct_document(node)
        except ValueError as exc:  # e.g. 2007-13-45 looks like a date but is none
            line = next((_line(n) for n in _walk(node) if _bad_timestamp(n)), None)
            raise library_error(file, line, "", _("invalid value: {problem}").format(problem=exc)) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(part for part in (exc.context, exc.problem) if part)
        line = mark.line + 1 if mark else None
        raise library_error(file, line, "", _("this is not valid YAML: {problem}").format(problem=problem)) from exc
    except yaml.YAMLError as exc:
        raise library_error(file, None, "", _("this is not valid YAML: {problem}").format(problem=exc)) from exc
    finally:
        loader.dispose()


def _bad_timestamp(node: yaml.Node) -> bool:
    if not (isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:timestamp"):
        return False
    try:
        yaml.SafeLoader("").construct_yaml_timestamp(node)
    except ValueError:
        return True
    return False


class _Map:
    """A YAML mapping read together with its node: every value knows its line."""

    def __init__(self, ctx: _Context, data: Any, node: yaml.Node, path: str, what: str) -> None:
        self.ctx = ctx
        self.path = path  # "requirements.1a." – prefix of field names in messages
        self.line = _line(node)
        if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
            raise ctx.error(self.line, path.rstrip("."), what)
        self.data = data
        self.nodes: dict[str, yaml.Node] = {
            str(key.value): value for key, value in node.value if isinstance(key, yaml.ScalarNode)
        }

    def line_of(self, key: str) -> int:
        node = self.nodes.get(key)
        return _line(node) if node is not None else self.line

    def node(self, key: str) -> yaml.Node:
        return self.nodes[key]

    def fail(self, key: str, problem: str) -> FrameworkLibraryError:
        return self.ctx.error(self.line_of(key), self.path + key, problem)

    def only(self, allowed: tuple[str, ...]) -> None:
        for key in self.data:
            if str(key) not in allowed:
                raise self.fail(str(key), _("unknown key; allowed: {keys}.").format(keys=", ".join(allowed)))

    def text(self, key: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = self.data.get(key)
        if value is None:
            if required:
                if key in self.data:
                    raise self.fail(key, _("a value is required."))
                raise self.ctx.error(self.line, self.path + key, _("this required key is missing."))
            return ""
        if isinstance(value, int | float) and not isinstance(value, bool) and key in ("ref_id", "parent", "key"):
            value = str(value)  # ref_id: 1 means "1"
        if not isinstance(value, str):
            raise self.fail(key, _("must be text (put it in quotes)."))
        value = value.strip()
        if required and not value:
            raise self.fail(key, _("must not be empty."))
        if max_length and len(value) > max_length:
            raise self.fail(key, _("is longer than {max} characters.").format(max=max_length))
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.data.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.fail(key, _("must be true or false."))
        return value

    def number(self, key: str, *, required: bool = True, nullable: bool = False) -> Decimal | None:
        if key not in self.data:
            if required:
                raise self.ctx.error(self.line, self.path + key, _("this required key is missing."))
            return None
        value = self.data[key]
        if value is None and nullable:
            return None
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise self.fail(key, _("must be a number."))
        number = Decimal(str(value))
        if not number.is_finite() or abs(number) > MAX_SCORE or number != round(number, 2):
            raise self.fail(key, _("must be a number with at most two decimal places."))
        return number

    def date(self, key: str) -> dt.date | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value.strip())
            except ValueError:
                raise self.fail(key, _("must be a date written as YYYY-MM-DD.")) from None
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise self.fail(key, _("must be a date written as YYYY-MM-DD."))
        return value

    def items(self, key: str, *, required: bool = True) -> list[tuple[Any, yaml.Node]]:
        value = self.data.get(key)
        if value is None and not required and key not in self.data:
            return []
        node = self.nodes.get(key)
        if not isinstance(value, list) or not value or not isinstance(node, yaml.SequenceNode):
            if key not in self.data:
                raise self.ctx.error(self.line, self.path + key, _("this required key is missing."))
            raise self.fail(key, _("must be a non-empty list."))
        return list(zip(value, node.value, strict=True))

    def texts(self, key: str) -> list[str]:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
            raise self.fail(key, _("must be a list of texts."))
        return [item.strip() for item in value]


@dataclass
class _Context:
    file: str

    def error(self, line: int | None, field_name: str, problem: str) -> FrameworkLibraryError:
        return library_error(self.file, line, field_name, problem)


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


# ---------------------------------------------------------------------------------------------- sections


def _read_scales(top: _Map) -> list[ScaleSpec]:
    scales: list[ScaleSpec] = []
    seen: set[str] = set()
    for raw, node in top.items("scales"):
        scale = _Map(top.ctx, raw, node, "scales.", _("each scale must be a mapping."))
        key = scale.text("key", required=True, max_length=_max_length(Scale, "key"))
        if key in seen:
            raise scale.fail("key", _("the scale “{key}” is defined twice.").format(key=key))
        seen.add(key)
        scale.path = f"scales.{key}."
        scale.only(SCALE_KEYS)
        name = scale.text("name", required=True, max_length=_max_length(Scale, "name"))
        values: list[ScaleValueSpec] = []
        value_keys: set[str] = set()
        for index, (raw_value, value_node) in enumerate(scale.items("values"), start=1):
            value = _Map(top.ctx, raw_value, value_node, f"scales.{key}.values.", _("each value must be a mapping."))
            value_key = value.text("key", required=True, max_length=_max_length(ScaleValue, "key"))
            if value_key in value_keys:
                raise value.fail("key", _("the value “{key}” is defined twice.").format(key=value_key))
            value_keys.add(value_key)
            value.path = f"scales.{key}.values.{value_key}."
            value.only(VALUE_KEYS)
            label = value.text("label", required=True, max_length=_max_length(ScaleValue, "label"))
            score = value.number("score", nullable=True)
            if score is not None and score < 0:
                raise value.fail("score", _("must not be negative."))
            values.append(ScaleValueSpec(value_key, label, score, index))
        scores = [v.score for v in values if v.score is not None]
        if not scores:
            raise scale.fail("values", _("at least one value must have a score."))
        max_score = scale.number("max_score", required=False)
        if max_score is None:
            max_score = max(scores)
        elif max_score <= 0:
            raise scale.fail("max_score", _("must be greater than zero."))
        elif max(scores) > max_score:
            raise scale.fail("max_score", _("is lower than the highest score of the scale."))
        scales.append(ScaleSpec(key, name, scale.text("description"), max_score, tuple(values)))
    return scales


def _read_pass_rule(top: _Map, scales: dict[str, ScaleSpec]) -> dict[str, Any]:
    if top.data.get("pass_rule") is None:
        return {}
    rule = _Map(top.ctx, top.data["pass_rule"], top.node("pass_rule"), "pass_rule.", _("must be a mapping."))
    kind = rule.text("type", required=True)
    if kind not in PASS_RULES:
        raise rule.fail("type", _("unknown pass rule; known: {rules}.").format(rules=", ".join(PASS_RULES)))
    params = PASS_RULES[kind]
    rule.only(("type", "label", *params))
    result: dict[str, Any] = {"type": kind}
    scale_key = rule.text("scale", required=True)
    if scale_key not in scales:
        raise rule.fail("scale", _("the scale “{key}” is not defined in “scales”.").format(key=scale_key))
    result["scale"] = scale_key
    for name, param_type in params.items():
        if param_type == "scale":
            continue
        value = rule.number(name)
        if param_type == "share" and not Decimal(0) <= value <= Decimal(1):
            raise rule.fail(name, _("must be a share between 0 and 1 (e.g. 0.5 for 50 %)."))
        if param_type == "score" and not Decimal(0) <= value <= scales[scale_key].max_score:
            raise rule.fail(name, _("must be between 0 and the maximum of the scale “{key}”.").format(key=scale_key))
        result[name] = rule.data[name]  # kept as written (JSON number)
    label = rule.text("label")
    if label:
        result["label"] = label
    return result


def _read_applicability(item: _Map) -> dict[str, list[str]]:
    if item.data.get("applicability") is None:
        return {}
    sub = _Map(item.ctx, item.data["applicability"], item.node("applicability"), item.path + "applicability.",
               _("must be a mapping with “kinds” and/or “forms”."))  # fmt: skip
    sub.only(("kinds", "forms"))
    result: dict[str, list[str]] = {}
    for key in ("kinds", "forms"):
        raw = sub.data.get(key)
        if raw is None:
            continue
        if not isinstance(raw, list) or not raw or not all(isinstance(c, str | int) for c in raw):
            raise sub.fail(key, _("must be a non-empty list of codes."))
        codes = [str(code) for code in raw]
        if key == "forms":
            unknown = [code for code in codes if code not in FORM_CODES]
            if unknown:
                problem = _("unknown form “{code}”; known: {codes}.")
                raise sub.fail(key, problem.format(code=unknown[0], codes=", ".join(FORM_CODES)))
        result[key] = codes
    return result


def _read_requirements(top: _Map, scales: dict[str, ScaleSpec]) -> list[RequirementSpec]:
    items = top.items("requirements")
    all_refs: set[str] = set()
    for raw, _node in items:
        if isinstance(raw, dict) and isinstance(raw.get("ref_id"), str | int) and not isinstance(raw["ref_id"], bool):
            all_refs.add(str(raw["ref_id"]).strip())
    specs: dict[str, RequirementSpec] = {}
    ref_lines: dict[str, int] = {}
    for order, (raw, node) in enumerate(items, start=1):
        item = _Map(top.ctx, raw, node, "requirements.", _("each requirement must be a mapping."))
        ref_id = item.text("ref_id", required=True, max_length=_max_length(Requirement, "ref_id"))
        item.path = f"requirements.{ref_id}."
        if ref_id in specs:
            problem = _("the reference “{ref}” is already used on line {line}.")
            raise item.fail("ref_id", problem.format(ref=ref_id, line=ref_lines[ref_id]))
        ref_lines[ref_id] = item.line_of("ref_id")
        item.only(REQUIREMENT_KEYS)
        kind = item.text("kind", required=True)
        if kind not in KINDS:
            raise item.fail("kind", _("must be one of: {choices}.").format(choices=", ".join(KINDS)))
        parent = item.text("parent") or None
        depth = 0
        if parent is not None:
            if parent == ref_id:
                raise item.fail("parent", _("a requirement cannot be its own parent."))
            if parent not in specs:
                if parent in all_refs:
                    raise item.fail("parent", _("the parent “{ref}” must be listed before its children.").format(
                        ref=parent))  # fmt: skip
                raise item.fail("parent", _("unknown parent “{ref}”: no requirement has this ref_id.").format(
                    ref=parent))  # fmt: skip
            depth = specs[parent].depth + 1
        scale = item.text("scale") or None
        if scale is not None and scale not in scales:
            raise item.fail("scale", _("the scale “{key}” is not defined in “scales”.").format(key=scale))
        specs[ref_id] = RequirementSpec(
            ref_id=ref_id,
            kind=kind,
            parent=parent,
            order=order,
            depth=depth,
            title=item.text("title", required=True, max_length=_max_length(Requirement, "title")),
            description=item.text("description"),
            guidance=item.text("guidance"),
            typical_evidence=item.texts("typical_evidence"),
            essential=item.boolean("essential", False),
            verified=item.boolean("verified", False),
            assessable=item.boolean("assessable", kind == Requirement.Kind.CRITERION),
            applicability=_read_applicability(item),
            scale=scale,
            line=item.line,
        )
    if not any(spec.assessable for spec in specs.values()):
        raise top.fail("requirements", _("at least one requirement must be assessable."))
    return list(specs.values())


def _checksum(data: Any) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def read_library(path: Path, label: str | None = None) -> LibrarySpec:
    """Read and validate one library file; raise FrameworkLibraryError on any problem."""
    file = label or str(path)
    ctx = _Context(file)
    if not path.is_file():
        raise ctx.error(None, "", _("the file is missing."))
    content = path.read_bytes()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise ctx.error(line, "", _("the file is not UTF-8 encoded; save it as UTF-8.")) from None
    node, data = _parse_yaml(text, file)
    if node is None:
        raise ctx.error(None, "", _("the file is empty."))
    top = _Map(ctx, data, node, "", _("the file must be a mapping with a header, scales and requirements."))
    top.only(TOP_KEYS)
    urn = top.text("urn", required=True, max_length=_max_length(Framework, "urn"))
    if not urn.startswith("urn:"):
        raise top.fail("urn", _("must start with “urn:”."))
    version = top.data.get("version")
    if "version" not in top.data:
        raise ctx.error(1, "version", _("this required key is missing."))
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise top.fail("version", _("must be a whole number of at least 1."))
    scales = _read_scales(top)
    scales_by_key = {scale.key: scale for scale in scales}
    default_scale = top.text("default_scale", required=True)
    if default_scale not in scales_by_key:
        raise top.fail("default_scale", _("the scale “{key}” is not defined in “scales”.").format(key=default_scale))
    spec = LibrarySpec(
        file=file,
        checksum=_checksum(data),
        urn=urn,
        version=version,
        locale=top.text("locale", required=True, max_length=_max_length(Framework, "locale")),
        short_name=top.text("short_name", required=True, max_length=_max_length(Framework, "short_name")),
        title=top.text("title", required=True, max_length=_max_length(Framework, "title")),
        description=top.text("description"),
        source=top.text("source", required=True),
        valid_from=top.date("valid_from"),
        valid_to=top.date("valid_to"),
        default_scale=default_scale,
        pass_rule=_read_pass_rule(top, scales_by_key),
        scales=scales,
        lines={key: top.line_of(key) for key in top.nodes},
    )
    if spec.valid_from and spec.valid_to and spec.valid_to < spec.valid_from:
        raise top.fail("valid_to", _("must not be earlier than “{start}”.").format(start="valid_from"))
    spec.requirements = _read_requirements(top, scales_by_key)
    return spec
