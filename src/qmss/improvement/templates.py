"""Starter process maps (``libraries/improvement/process-templates.yaml``) – read and validated here, copied into
an organisation by :func:`qmss.improvement.actions.copy_process_template`.

File format: ``urn``, ``version``, ``locale``, ``title``, ``source``, ``valid_from`` and ``templates``: a list of
``{key, name, description, processes}``; a process has ``code``, ``kind`` (management / main / support),
``name``, optional ``purpose``, ``inputs``, ``outputs``, ``customers``, ``subprocesses`` (``{code, name}``) and
``kpis`` (``{name, unit, target, direction}``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

import yaml
from django.conf import settings

from qmss.improvement.models import Kpi, Process

FILE_NAME = "process-templates.yaml"
TEXT_FIELDS = ("purpose", "inputs", "outputs", "customers")


class ProcessTemplateError(ValueError):
    """The template library is malformed."""


@dataclass(frozen=True)
class KpiSpec:
    name: str
    unit: str = ""
    target: Decimal | None = None
    direction: str = Kpi.Direction.HIGHER


@dataclass(frozen=True)
class ProcessSpec:
    code: str
    kind: str
    name: str
    texts: dict[str, str] = field(default_factory=dict)
    subprocesses: tuple[tuple[str, str], ...] = ()
    kpis: tuple[KpiSpec, ...] = ()


@dataclass(frozen=True)
class ProcessTemplate:
    key: str
    name: str
    description: str
    processes: tuple[ProcessSpec, ...]

    def count(self, kind: str) -> int:
        return sum(1 for process in self.processes if process.kind == kind)


@dataclass(frozen=True)
class TemplateLibrary:
    urn: str
    version: int
    title: str
    source: str
    valid_from: object
    templates: tuple[ProcessTemplate, ...]


def default_path() -> Path:
    return Path(settings.BASE_DIR) / "libraries" / "improvement" / FILE_NAME


def _text(data: dict, key: str, where: str, *, required: bool = False) -> str:
    value = data.get(key)
    if value is None:
        if required:
            raise ProcessTemplateError(f"{where}: missing '{key}'")
        return ""
    return str(value).strip()


PROCESS_KEYS = {"code", "kind", "name", "subprocesses", "kpis", *TEXT_FIELDS}
SUBPROCESS_KEYS = {"code", "name"}
KPI_KEYS = {"name", "unit", "target", "direction"}


def _check_keys(data, allowed: set[str], where: str) -> None:
    if not isinstance(data, dict):
        raise ProcessTemplateError(f"{where}: expected a mapping, got {data!r}")
    unknown = set(data) - allowed
    if unknown:
        raise ProcessTemplateError(f"{where}: unknown keys {sorted(unknown)} (a comma in an unquoted value?)")


def _kpi(data: dict, where: str) -> KpiSpec:
    _check_keys(data, KPI_KEYS, where)
    target = data.get("target")
    try:
        target = Decimal(str(target)) if target is not None else None
    except InvalidOperation as exc:
        raise ProcessTemplateError(f"{where}: target is not a number") from exc
    direction = data.get("direction", Kpi.Direction.HIGHER)
    if direction not in Kpi.Direction.values:
        raise ProcessTemplateError(f"{where}: direction must be one of {Kpi.Direction.values}")
    return KpiSpec(
        name=_text(data, "name", where, required=True),
        unit=_text(data, "unit", where),
        target=target,
        direction=direction,
    )


def _process(data: dict, where: str) -> ProcessSpec:
    _check_keys(data, PROCESS_KEYS, where)
    for sub in data.get("subprocesses") or ():
        _check_keys(sub, SUBPROCESS_KEYS, f"{where}/{data.get('code')}")
    kind = data.get("kind")
    if kind not in Process.Kind.values:
        raise ProcessTemplateError(f"{where}: kind must be one of {Process.Kind.values}")
    code = _text(data, "code", where, required=True)
    subprocesses = tuple(
        (_text(sub, "code", f"{where}/{code}", required=True), _text(sub, "name", f"{where}/{code}", required=True))
        for sub in data.get("subprocesses") or ()
    )
    return ProcessSpec(
        code=code,
        kind=kind,
        name=_text(data, "name", where, required=True),
        texts={key: _text(data, key, where) for key in TEXT_FIELDS},
        subprocesses=subprocesses,
        kpis=tuple(_kpi(kpi, f"{where}/{code}") for kpi in data.get("kpis") or ()),
    )


def parse_library(data: dict, label: str = FILE_NAME) -> TemplateLibrary:
    if not isinstance(data, dict):
        raise ProcessTemplateError(f"{label}: not a mapping")
    for key in ("urn", "version", "title", "source", "templates"):
        if not data.get(key):
            raise ProcessTemplateError(f"{label}: missing '{key}'")
    templates = []
    keys: set[str] = set()
    for item in data["templates"]:
        key = _text(item, "key", label, required=True)
        if key in keys:
            raise ProcessTemplateError(f"{label}: duplicate template key '{key}'")
        keys.add(key)
        processes = tuple(_process(p, f"{label}/{key}") for p in item.get("processes") or ())
        codes = [p.code for p in processes] + [code for p in processes for code, _name in p.subprocesses]
        if len(codes) != len(set(codes)):
            raise ProcessTemplateError(f"{label}/{key}: process codes must be unique")
        templates.append(
            ProcessTemplate(
                key=key,
                name=_text(item, "name", label, required=True),
                description=_text(item, "description", label),
                processes=processes,
            )
        )
    return TemplateLibrary(
        urn=str(data["urn"]),
        version=int(data["version"]),
        title=str(data["title"]),
        source=str(data["source"]).strip(),
        valid_from=data.get("valid_from"),
        templates=tuple(templates),
    )


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> TemplateLibrary:
    with open(path, encoding="utf-8") as handle:
        return parse_library(yaml.safe_load(handle), Path(path).name)


def load_library(path: Path | None = None) -> TemplateLibrary:
    path = path or default_path()
    return _load(str(path), path.stat().st_mtime)


def available_templates() -> tuple[ProcessTemplate, ...]:
    return load_library().templates


def get_template(key: str) -> ProcessTemplate | None:
    return next((template for template in available_templates() if template.key == key), None)
