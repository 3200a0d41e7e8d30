"""Starter process maps (``libraries/improvement/process-templates.yaml``) – read and validated here, copied into
an organisation by :func:`qmss.improvement.actions.copy_process_template`.

File format: ``urn``, ``version``, ``locale``, ``title``, ``source``, ``valid_from`` and ``templates``: a list of
``{key, name, description, processes}``; a process has ``code``, ``kind`` (management / main / support),
``name``, optional ``purpose``, ``inputs``, ``outputs``, ``customers``, ``subprocesses`` (``{code, name}``) and
``kpis`` (``{name, unit, target, direction}``).

Read through the one library loader :mod:`qmss.core.libraries` (envelope, checksum, file/line errors); the schema
below is this app's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal

from django.conf import settings
from django.utils.translation import gettext as _

from qmss.core import libraries as lib
from qmss.core.errors import QmssImportError
from qmss.improvement.models import Kpi, Process

FILE_NAME = "process-templates.yaml"
URN = "urn:qmss:improvement:process-templates"
TEXT_FIELDS = ("purpose", "inputs", "outputs", "customers")


class ProcessTemplateError(QmssImportError, ValueError):
    """The template library is malformed; the message names file, line and field."""


# ---------------------------------------------------------------------------------------------- schema


class SubprocessIn(lib.Schema):
    code: lib.Code
    name: lib.text()


class KpiIn(lib.Schema):
    name: lib.text()
    unit: lib.text(blank=True, nullable=True) = None
    target: lib.OptionalNumber = None
    direction: Literal[tuple(Kpi.Direction.values)] = Kpi.Direction.HIGHER  # type: ignore[valid-type]


class ProcessIn(lib.Schema):
    code: lib.Code
    kind: Literal[tuple(Process.Kind.values)]  # type: ignore[valid-type]
    name: lib.text()
    purpose: lib.text(blank=True, nullable=True) = None
    inputs: lib.text(blank=True, nullable=True) = None
    outputs: lib.text(blank=True, nullable=True) = None
    customers: lib.text(blank=True, nullable=True) = None
    subprocesses: list[SubprocessIn] = []
    kpis: list[KpiIn] = []


class TemplateIn(lib.Schema):
    key: lib.Code
    name: lib.text()
    description: lib.text(blank=True, nullable=True) = None
    processes: list[ProcessIn] = []


class TemplateLibraryIn(lib.Envelope):
    templates: lib.NonEmptyList[TemplateIn]


# ---------------------------------------------------------------------------------------------- results


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
    valid_from: dt.date | None
    templates: tuple[ProcessTemplate, ...]
    checksum: str = ""


def default_path() -> Path:
    return Path(settings.BASE_DIR) / "libraries" / "improvement" / FILE_NAME


def _template(library: lib.Library[TemplateLibraryIn], index: int, item: TemplateIn) -> ProcessTemplate:
    processes = tuple(
        ProcessSpec(
            code=process.code,
            kind=process.kind,
            name=process.name,
            texts={key: getattr(process, key) or "" for key in TEXT_FIELDS},
            subprocesses=tuple((sub.code, sub.name) for sub in process.subprocesses),
            kpis=tuple(KpiSpec(kpi.name, kpi.unit or "", kpi.target, kpi.direction) for kpi in process.kpis),
        )
        for process in item.processes
    )
    seen: set[str] = set()
    for number, process in enumerate(processes):
        for code in (process.code, *(code for code, _name in process.subprocesses)):
            if code in seen:
                problem = _("the process code “{code}” is used twice in the template.").format(code=code)
                raise library.error(("templates", index, "processes", number, "code"), problem)
            seen.add(code)
    return ProcessTemplate(key=item.key, name=item.name, description=item.description or "", processes=processes)


def read_template_library(path: Path) -> TemplateLibrary:
    """Read and validate the template library; raise :class:`ProcessTemplateError` (file, line, field)."""
    library = lib.read_library(path, TemplateLibraryIn, label=path.name, error=ProcessTemplateError, urn=URN)
    keys: set[str] = set()
    templates = []
    for index, item in enumerate(library.data.templates):
        if item.key in keys:
            problem = _("the template “{key}” is defined twice.").format(key=item.key)
            raise library.error(("templates", index, "key"), problem)
        keys.add(item.key)
        templates.append(_template(library, index, item))
    data = library.data
    return TemplateLibrary(
        urn=data.urn,
        version=data.version,
        title=data.title,
        source=data.source,
        valid_from=data.valid_from,
        templates=tuple(templates),
        checksum=library.checksum,
    )


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> TemplateLibrary:
    return read_template_library(Path(path))


def load_library(path: Path | None = None) -> TemplateLibrary:
    path = path or default_path()
    return _load(str(path), path.stat().st_mtime)


def available_templates() -> tuple[ProcessTemplate, ...]:
    return load_library().templates


def get_template(key: str) -> ProcessTemplate | None:
    return next((template for template in available_templates() if template.key == key), None)
