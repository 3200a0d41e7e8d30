"""Load the territory of the Czech Republic from the open-data directory into the database.

``import_territory(data_dir)`` first reads and validates every file (:mod:`qmss.territory.sources`), then
writes in ONE transaction: an idempotent upsert keyed by codes. New rows are created, changed rows updated,
unchanged rows left alone; rows that are no longer in the source are kept (organisations may reference them)
and only counted as "stale". A second import of the same data writes no row changes – and when the source files
are byte for byte those of the last import (same fingerprint) and the database still holds what it loaded, the
files are not even parsed again (``force=True`` re-reads and re-checks them all).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

from auditlog.context import disable_auditlog
from django.db import models, transaction

from qmss.core.dbstats import refresh_statistics
from qmss.territory.models import (
    District,
    ExclusionIndex,
    Municipality,
    Orp,
    Population,
    Region,
    TerritoryImport,
)
from qmss.territory.readers import TerritoryImportError
from qmss.territory.sources import TerritorySource, read_sources, source_fingerprint

__all__ = ["TerritoryImportError", "import_territory", "write_territory"]

BATCH_SIZE = 1000
EXCLUSION_FIELDS = ["municipality_id", "year", "points", "category"]


def import_territory(data_dir: Path, *, user=None, force: bool = False) -> TerritoryImport:
    """Import the territory from ``data_dir``; on bad input raise TerritoryImportError and write nothing."""
    fingerprint = source_fingerprint(Path(data_dir))
    if fingerprint and not force:
        unchanged = _unchanged_import(fingerprint, source_label=str(data_dir), user=user)
        if unchanged is not None:
            return unchanged
    source = read_sources(Path(data_dir))
    return write_territory(source, source_label=str(data_dir), user=user, fingerprint=fingerprint or "")


def _unchanged_import(fingerprint: str, *, source_label: str, user) -> TerritoryImport | None:
    """The record of a re-import of the same files, when the last import loaded exactly these files and the
    database still holds as many regions, ORPs and municipalities as it loaded; None when a real import is due."""
    last = TerritoryImport.objects.filter(is_synthetic=False).order_by("-started_at", "-pk").first()
    if last is None or last.fingerprint != fingerprint:
        return None
    held = {
        "regions": Region.objects.count(),
        "orps": Orp.objects.count(),
        "municipalities": Municipality.objects.count(),
    }
    if any(last.counts.get(name) != count for name, count in held.items()):
        return None
    counts = {name: last.counts.get(name) for name in ("regions", "districts", "orps", "municipalities")}
    counts["population_rows"] = last.counts.get("population_rows")
    counts["exclusion_rows"] = last.counts.get("exclusion_rows")
    counts.update(created=0, updated=0, stale=last.counts.get("stale", 0), unchanged_files=True)
    counts["changes"] = {
        name: {"created": 0, "updated": 0, "stale": change.get("stale", 0)}
        for name, change in (last.counts.get("changes") or {}).items()
    }
    return TerritoryImport.objects.create(source=source_label[:500], user=user, counts=counts, fingerprint=fingerprint)


def _sync(
    model: type[models.Model],
    wanted: dict[Hashable, dict[str, Any]],
    key: Callable[[dict[str, Any]], Hashable],
    fields: list[str],
) -> dict[str, int]:
    """Create missing and update changed rows of ``model``; ``wanted`` maps key → field values."""
    existing: dict[Hashable, tuple[int, dict[str, Any]]] = {}
    for row in model.objects.order_by().values("pk", *fields).iterator(chunk_size=5000):
        existing[key(row)] = (row.pop("pk"), row)
    to_create: list[models.Model] = []
    to_update: list[models.Model] = []
    for row_key, values in wanted.items():
        current = existing.get(row_key)
        if current is None:
            to_create.append(model(**values))
        elif any(current[1][name] != values[name] for name in fields):
            to_update.append(model(pk=current[0], **values))
    if to_create:
        model.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    if to_update:
        model.objects.bulk_update(to_update, fields, batch_size=BATCH_SIZE // 2)
    stale = sum(1 for row_key in existing if row_key not in wanted)
    return {"created": len(to_create), "updated": len(to_update), "stale": stale}


def _ids(model: type[models.Model], key_field: str) -> dict[Any, int]:
    return dict(model.objects.order_by().values_list(key_field, "pk"))


def _resolve(rows: dict[Hashable, dict[str, Any]], **parents: dict[Any, int]) -> dict[Hashable, dict[str, Any]]:
    """Replace parent codes (``{"region": "CZ072"}``) by foreign-key ids (``{"region_id": 3}``)."""
    resolved = {}
    for row_key, values in rows.items():
        row = dict(values)
        for name, ids in parents.items():
            row[f"{name}_id"] = ids[row.pop(name)]
        resolved[row_key] = row
    return resolved


def _fields(rows: dict[Hashable, dict[str, Any]]) -> list[str]:
    return list(next(iter(rows.values())).keys()) if rows else []


def write_territory(
    source: TerritorySource, *, source_label: str, user=None, is_synthetic: bool = False, fingerprint: str = ""
) -> TerritoryImport:
    """Upsert a validated :class:`TerritorySource` in one transaction and record a TerritoryImport."""
    changes: dict[str, dict[str, int]] = {}
    with transaction.atomic(), disable_auditlog():
        changes["regions"] = _sync(Region, source.regions, lambda row: row["code"], _fields(source.regions))
        region_ids = _ids(Region, "code")

        districts = _resolve(source.districts, region=region_ids)
        changes["districts"] = _sync(District, districts, lambda row: row["code"], _fields(districts))
        district_ids = _ids(District, "code")

        orps = _resolve(source.orps, region=region_ids)
        changes["orps"] = _sync(Orp, orps, lambda row: row["ruian_code"], _fields(orps))
        orp_ids = _ids(Orp, "ruian_code")

        municipalities = _resolve(source.municipalities, region=region_ids, district=district_ids, orp=orp_ids)
        changes["municipalities"] = _sync(
            Municipality, municipalities, lambda row: row["code"], _fields(municipalities)
        )
        municipality_ids = _ids(Municipality, "code")

        population = {
            (municipality_ids[code], day): values
            for (code, day), values in _resolve(source.population, municipality=municipality_ids).items()
        }
        changes["population_rows"] = _sync(
            Population,
            population,
            lambda row: (row["municipality_id"], row["reference_date"]),
            _fields(population),
        )

        exclusion = {
            (municipality_ids[code], year): values
            for (code, year), values in _resolve(source.exclusion, municipality=municipality_ids).items()
        }
        changes["exclusion_rows"] = _sync(
            ExclusionIndex, exclusion, lambda row: (row["municipality_id"], row["year"]), EXCLUSION_FIELDS
        )

        counts: dict[str, Any] = {
            "regions": len(source.regions),
            "districts": len(source.districts),
            "orps": len(source.orps),
            "municipalities": len(source.municipalities),
            "population_rows": len(source.population),
            "exclusion_rows": len(source.exclusion),
        }
        for total in ("created", "updated", "stale"):
            counts[total] = sum(change[total] for change in changes.values())
        counts["changes"] = changes
        run = TerritoryImport.objects.create(
            source=source_label[:500], is_synthetic=is_synthetic, user=user, counts=counts, fingerprint=fingerprint
        )
    refresh_statistics(Region, District, Orp, Municipality, Population, ExclusionIndex)
    return run
