"""The library of everyday situations (``libraries/portal/situations.yaml``, ``urn:qmss:portal:situations``).

A situation is something people write in the finder in their own words ("potřebuji pomoc s péčí o maminku
doma"): a plain-Czech title, example phrasings, the **stems** that recognise it (diacritics-free word beginnings
tolerant of Czech inflection: ``mamin`` finds maminka, maminku, maminkou) and the needs of the needs taxonomy it
maps to, with optional target groups and delivery forms of the registry.

The file is read through the one library loader (:mod:`qmss.core.libraries`: envelope, file/line/field errors);
every need code is checked against the needs taxonomy file (``libraries/needs/needs-taxonomy.yaml``, read by
:mod:`qmss.needs.library`), every target group and delivery form against the registry reference libraries
(:mod:`qmss.registry.reference`). Nothing here touches the database.

Stems: lower-case letters a–z (no diacritics), at least 3 letters; a keyword of several words (``bez domov``)
matches consecutive words of the text, each word by its beginning (then a part may be shorter: ``je sam``).
``stems`` recognise the situation on their own; ``context`` words (maminka, doma …) only add weight: a situation
counts when one of its stems matched, or two of its context words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from django.conf import settings
from django.utils.translation import gettext as _
from pydantic import BeforeValidator

from qmss.core import libraries as lib
from qmss.core.errors import QmssImportError

URN = "urn:qmss:portal:situations"
FILE_NAME = "situations.yaml"
CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
PART_RE = re.compile(r"^[a-z0-9]+$")
MAX_SITUATIONS = 300
MAX_KEYWORDS = 60


class SituationLibraryError(QmssImportError, ValueError):
    """The situation library is malformed or refers to unknown codes; the message names file, line and field."""


def _situation_code(value: Any) -> str:
    if not isinstance(value, str) or not CODE_RE.match(value.strip()):
        raise ValueError(
            _("must be a code of lower-case letters without accents, digits and underscores (at most 40).")
        )
    return value.strip()


def _keywords(value: Any) -> list[str]:
    """Stems and multi-word keywords: lower-case letters without diacritics, one space between words."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(_("must be a list of texts."))
    if len(value) > MAX_KEYWORDS:
        raise ValueError(_("lists more than {max} words.").format(max=MAX_KEYWORDS))
    cleaned = []
    for item in value:
        parts = item.split()
        if not parts or not all(PART_RE.match(p) for p in parts) or max(len(p) for p in parts) < 3:
            raise ValueError(
                _(
                    "“{word}” is not a word beginning: use lower-case letters without diacritics, at least 3 "
                    "letters (in a keyword of several words, at least one of them)."
                ).format(word=item)
            )
        cleaned.append(" ".join(parts))
    if len(set(cleaned)) != len(cleaned):
        raise ValueError(_("lists a code more than once."))
    return cleaned


SituationCode = Annotated[str, BeforeValidator(_situation_code)]
Keywords = Annotated[list[str], BeforeValidator(_keywords)]


class SituationIn(lib.Schema):
    code: SituationCode
    title: lib.text(200)
    description: lib.text(1000, blank=True) = ""
    examples: lib.Texts
    stems: Keywords
    context: Keywords = []
    needs: lib.NonEmptyList[lib.StrictCode]
    target_groups: lib.Codes = []
    forms: lib.Codes = []
    verified: lib.Flag
    source: lib.text(500)


class SituationLibraryIn(lib.Envelope):
    taxonomy_version: lib.Whole
    situations: lib.NonEmptyList[SituationIn]


# ---------------------------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class NeedInfo:
    code: str
    name: str
    area: str


@dataclass(frozen=True)
class Taxonomy:
    """The needs of the taxonomy file in its order: code -> (name, area name); and the areas for selects."""

    version: int
    needs: dict[str, NeedInfo]
    areas: list[tuple[str, list[tuple[str, str]]]]


def default_path() -> Path:
    return Path(settings.BASE_DIR) / "libraries" / "portal" / FILE_NAME


def taxonomy_path() -> Path:
    from qmss.needs.library import default_directory

    return default_directory() / "needs-taxonomy.yaml"


def read_taxonomy(path: Path | None = None) -> Taxonomy:
    """The needs taxonomy as read and checked by the needs app's own reader (one rule, one place)."""
    from qmss.needs.library import read_file

    library = read_file(path or taxonomy_path())
    needs: dict[str, NeedInfo] = {}
    areas = []
    for area in library.data.areas:
        areas.append((area.name, [(need.code, need.name) for need in area.needs]))
        for need in area.needs:
            needs[need.code] = NeedInfo(need.code, need.name, area.name)
    return Taxonomy(library.data.version, needs, areas)


def registry_codes() -> dict[str, set[str]]:
    """Codes of the registry reference libraries a situation may name: target groups and delivery forms."""
    from qmss.registry.reference import read_libraries

    return {parsed.spec.file: parsed.codes for parsed in read_libraries()}


def read_situations(
    path: Path | None = None, *, taxonomy: Taxonomy | None = None, registry: dict[str, set[str]] | None = None
) -> lib.Library[SituationLibraryIn]:
    """Read and check the situation library; raise :class:`SituationLibraryError` (file, line, field)."""
    path = path or default_path()
    library = lib.read_library(path, SituationLibraryIn, label=f"libraries/portal/{path.name}",
                               error=SituationLibraryError, urn=URN)  # fmt: skip
    taxonomy = taxonomy or read_taxonomy()
    registry = registry if registry is not None else registry_codes()
    data = library.data
    if data.taxonomy_version != taxonomy.version:
        problem = _("version {version} of the needs taxonomy is not loaded; load the taxonomy first.").format(
            version=data.taxonomy_version
        )
        raise library.error(("taxonomy_version",), problem)
    if len(data.situations) > MAX_SITUATIONS:
        raise library.error(("situations",), _("lists more than {max} situations.").format(max=MAX_SITUATIONS))
    seen: set[str] = set()
    for index, situation in enumerate(data.situations):
        loc = ("situations", index)
        if situation.code in seen:
            problem = _("the situation code “{code}” is used twice.").format(code=situation.code)
            raise library.error((*loc, "code"), problem)
        seen.add(situation.code)
        for code in situation.needs:
            if code not in taxonomy.needs:
                raise library.error((*loc, "needs"), _("unknown need “{code}”.").format(code=code))
        for field, file in (("target_groups", "target-groups.yaml"), ("forms", "delivery-forms.yaml")):
            for code in getattr(situation, field):
                if code not in registry.get(file, set()):
                    problem = _("the code “{code}” is not in {file}.").format(code=code, file=file)
                    raise library.error((*loc, field), problem)
    return library


# ------------------------------------------------------------------------------------- cached reference data

_CACHE: dict[str, tuple[tuple, Any]] = {}


def file_key(path: Path) -> tuple:
    """What identifies a file's version within a process: path, modification time and size."""
    try:
        stat = path.stat()
    except OSError:
        return (str(path), None, None)
    return (str(path), stat.st_mtime_ns, stat.st_size)


def cached(name: str, key: tuple, build):
    """One value per process for ``key``; rebuilt when the key changes (a library file edited)."""
    hit = _CACHE.get(name)
    if hit is not None and hit[0] == key:
        return hit[1]
    value = build()
    _CACHE[name] = (key, value)
    return value


def taxonomy() -> Taxonomy:
    path = taxonomy_path()
    return cached("taxonomy", file_key(path), lambda: read_taxonomy(path))


def target_group_choices() -> list[tuple[str, str]]:
    """(code, name) of the registry's target groups, in the library's order."""
    from qmss.registry.reference import default_directory, read_libraries

    path = default_directory() / "target-groups.yaml"

    def build():
        parsed = next(p for p in read_libraries() if p.spec.file == "target-groups.yaml")
        return [(item["code"], item["name"]) for item in parsed.items]

    return cached("target_groups", file_key(path), build)


def target_group_codes() -> set[str]:
    return {code for code, _name in target_group_choices()}


def validate_phrase_codes(need_codes: Any, target_group_codes_: Any) -> None:
    """An editor's phrasing names known needs (at least one) and known target groups; ``ValidationError`` per
    field otherwise."""
    from django.core.exceptions import ValidationError

    from qmss.portal.error_codes import PortalErrorCode

    errors: dict[str, list[ValidationError]] = {}
    invalid = PortalErrorCode.INVALID_VALUE.value
    known_needs = taxonomy().needs
    if not isinstance(need_codes, list) or not need_codes:
        errors["need_codes"] = [ValidationError(_("Choose at least one need."), code=invalid)]
    else:
        unknown = [code for code in need_codes if not isinstance(code, str) or code not in known_needs]
        if unknown:
            message = _("unknown need “{code}”.").format(code=unknown[0])
            errors["need_codes"] = [ValidationError(message, code=invalid)]
    if target_group_codes_:
        known_groups = target_group_codes()
        groups = target_group_codes_ if isinstance(target_group_codes_, list) else [target_group_codes_]
        unknown = [code for code in groups if not isinstance(code, str) or code not in known_groups]
        if unknown:
            message = _("the code “{code}” is not in {file}.").format(code=unknown[0], file="target-groups.yaml")
            errors["target_group_codes"] = [ValidationError(message, code=invalid)]
    if errors:
        raise ValidationError(errors)
