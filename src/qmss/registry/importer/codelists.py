"""Code-list references of the registry (``DruhSocialniSluzby/13`` …) resolved to the reference rows by code.

The reference rows come from the versioned libraries (``load_reference``). Optionally the official MPSV code
lists (a directory or base URL with ``druhy-socialni-sluzby.json`` …) fill in codes the libraries do not know:
such rows are created with ``verified=False`` under the library ``urn:qmss:registry:mpsv-codelists``.
A code nobody knows stays unresolved: the raw reference is kept and reported, never guessed.
"""

from __future__ import annotations

import hashlib
import json
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db.models import Max
from django.utils.translation import gettext as _

from qmss.registry.importer.errors import RegistryImportError
from qmss.registry.importer.normalise import CAPACITY_PREFIX, FORM_PREFIX, KIND_PREFIX, TARGET_GROUP_PREFIX
from qmss.registry.importer.source import download_bytes, is_url
from qmss.registry.models import CapacityType, DeliveryForm, ReferenceLibrary, ServiceKind, TargetGroup

CODELIST_LIBRARY_URN = "urn:qmss:registry:mpsv-codelists"
CODELIST_MAX_BYTES = 10 * 1024 * 1024
CODELIST_FILES: dict[str, tuple[type, str]] = {
    "druhy-socialni-sluzby.json": (ServiceKind, KIND_PREFIX),
    "cilove-skupiny-osoby.json": (TargetGroup, TARGET_GROUP_PREFIX),
    "formy-soc-sluzby.json": (DeliveryForm, FORM_PREFIX),
    "typy-kapacity-socialni-sluzby.json": (CapacityType, CAPACITY_PREFIX),
}


@dataclass
class CodeMaps:
    """code → pk (``None`` = known from a code list in a dry run, not yet in the database) for each code list."""

    kinds: dict[str, int | None] = field(default_factory=dict)
    kind_names: dict[str, str] = field(default_factory=dict)
    forms: dict[str, int | None] = field(default_factory=dict)
    capacity_types: dict[str, int | None] = field(default_factory=dict)
    target_groups: dict[str, int | None] = field(default_factory=dict)
    refs: dict[str, int | None] = field(default_factory=dict)  # "DruhSocialniSluzby/13" -> pk, for all four

    def index(self) -> CodeMaps:
        """Rebuild :attr:`refs` from the four tables (after they changed)."""
        self.refs = {
            f"{prefix}/{code}": pk
            for prefix in (KIND_PREFIX, FORM_PREFIX, CAPACITY_PREFIX, TARGET_GROUP_PREFIX)
            for code, pk in self._table(prefix).items()
        }
        return self

    def _table(self, prefix: str) -> dict[str, int | None]:
        return {
            KIND_PREFIX: self.kinds,
            FORM_PREFIX: self.forms,
            CAPACITY_PREFIX: self.capacity_types,
            TARGET_GROUP_PREFIX: self.target_groups,
        }[prefix]

    def resolve(self, ref: str, prefix: str) -> tuple[bool, int | None]:
        """``(known, pk)`` for a reference such as ``"DruhSocialniSluzby/13"`` of the code list ``prefix``."""
        if not ref.startswith(prefix) or ref[len(prefix) : len(prefix) + 1] != "/":
            return False, None
        return (True, self.refs[ref]) if ref in self.refs else (False, None)


def load_code_maps() -> CodeMaps:
    maps = CodeMaps()
    for code, pk, name in ServiceKind.objects.order_by().values_list("code", "pk", "name"):
        maps.kinds[code] = pk
        maps.kind_names[code] = name
    maps.forms = dict(DeliveryForm.objects.order_by().values_list("code", "pk"))
    maps.capacity_types = dict(CapacityType.objects.order_by().values_list("code", "pk"))
    maps.target_groups = dict(TargetGroup.objects.order_by().values_list("code", "pk"))
    return maps.index()


def _read(location: str | Path, name: str) -> bytes:
    if is_url(location):
        base = str(location) if str(location).endswith("/") else f"{location}/"
        return download_bytes(urllib.parse.urljoin(base, name), max_bytes=CODELIST_MAX_BYTES)
    path = Path(location) / name
    try:
        return path.read_bytes()
    except OSError as exc:
        raise RegistryImportError(
            _("The code list %(file)s cannot be read: %(reason)s") % {"file": path, "reason": exc.strerror},
            file=str(path),
        ) from exc


def _items(data: bytes, name: str, prefix: str) -> dict[str, str]:
    try:
        document = json.loads(data.decode("utf-8-sig"))
        items = document["polozky"]
        if not isinstance(items, list):
            raise TypeError
    except (ValueError, KeyError, TypeError) as exc:
        raise RegistryImportError(
            _("The code list %(file)s is not a JSON object with the list “polozky”.") % {"file": name}, file=name
        ) from exc
    names: dict[str, str] = {}
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            continue
        head, _sep, code = item["id"].rpartition("/")
        label = item.get("nazev")
        if isinstance(label, dict):
            label = label.get("cs") or next((v for v in label.values() if isinstance(v, str)), None)
        if head == prefix and code and isinstance(label, str) and label.strip():
            names[code[:40]] = label.strip()[:300]
    return names


def read_codelists(location: str | Path) -> tuple[dict[str, tuple[type, dict[str, str]]], str]:
    """``({file name: (model, {code: Czech name})}, sha256)`` for the four code lists at ``location``."""
    found: dict[str, tuple[type, dict[str, str]]] = {}
    digest = hashlib.sha256()
    for name, (model, prefix) in CODELIST_FILES.items():
        data = _read(location, name)
        digest.update(data)
        found[name] = (model, _items(data, name, prefix))
    return found, digest.hexdigest()


def _extra_fields(model: type, code: str, name: str, taken_keys: set[str]) -> dict[str, Any]:
    if model is ServiceKind:
        return {"category": ServiceKind.Category.OTHER}
    if model is DeliveryForm:
        key = code if code not in taken_keys else f"registry-{code}"
        taken_keys.add(key)
        return {"key": key[:20]}
    if model is CapacityType:
        return {"unit": name[:60]}
    return {}


def add_codelist_codes(maps: CodeMaps, location: str | Path, *, write: bool) -> int:
    """Add codes the reference rows lack from the official code lists; return how many were (or would be) added.

    With ``write`` the rows are created (unverified); without it (dry run) they only count as known.
    """
    found, checksum = read_codelists(location)
    library = None
    added = 0
    for model, names in found.values():
        existing = set(model.objects.values_list("code", flat=True))
        missing = {code: name for code, name in names.items() if code not in existing}
        if not missing:
            continue
        if not write:
            for code, name in missing.items():
                maps._table(_prefix_of(model))[code] = None
                if model is ServiceKind:
                    maps.kind_names[code] = name
            added += len(missing)
            maps.index()
            continue
        if library is None:
            library, _created = ReferenceLibrary.objects.get_or_create(
                urn=CODELIST_LIBRARY_URN,
                defaults={
                    "version": 1, "title": "MPSV code lists (registry import)", "source": str(location),
                    "checksum": checksum,
                },
            )  # fmt: skip
        taken_keys = set(DeliveryForm.objects.values_list("key", flat=True)) if model is DeliveryForm else set()
        order = (model.objects.aggregate(last=Max("order"))["last"] or 0) + 1
        rows = [
            model(
                code=code, name=name, library=library, verified=False, order=order + position,
                **_extra_fields(model, code, name, taken_keys),
            )
            for position, (code, name) in enumerate(sorted(missing.items()))
        ]  # fmt: skip
        model.objects.bulk_create(rows)
        added += len(rows)
    if write and added:
        fresh = load_code_maps()
        maps.kinds, maps.kind_names = fresh.kinds, fresh.kind_names
        maps.forms, maps.capacity_types, maps.target_groups = fresh.forms, fresh.capacity_types, fresh.target_groups
        maps.index()
    return added


def _prefix_of(model: type) -> str:
    return next(prefix for candidate, prefix in CODELIST_FILES.values() if candidate is model)
