"""Write one batch of new and changed services with their forms, capacities, facilities, target groups and
change records (inside the import's transaction)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from qmss.registry.importer.bulk import JsonText, RawInserter, prepare
from qmss.registry.importer.codelists import CodeMaps
from qmss.registry.importer.rows import FACILITY_FIELDS, FACILITY_READY, Places, facility_row, form_rows
from qmss.registry.importer.rows import target_group_ids as _target_group_ids
from qmss.registry.models import Capacity, Facility, RegistryChange, Service, ServiceForm

QUERY_CHUNK = 500
SERVICE_FIELDS = (
    "portal_id", "registry_id", "identifier", "provider", "kind", "kind_code", "name", "name_sort", "date_from",
    "date_to", "unmapped_codes", "emails", "phones", "websites", "snapshot", "fingerprint", "first_imported_at",
    "last_changed_at",
)  # fmt: skip
SERVICE_UPDATE_FIELDS = [
    "registry_id", "identifier", "provider_id", "kind_id", "kind_code", "name", "name_sort", "date_from",
    "date_to", "unmapped_codes", "emails", "phones", "websites", "snapshot", "fingerprint", "last_changed_at",
]  # fmt: skip
CHANGE_FIELDS = ("registry_import", "service", "portal_id", "kind", "field", "old_value", "new_value")


def chunks(items: list, size: int = QUERY_CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


class BatchWriter:
    def __init__(self, *, maps: CodeMaps, places: Places, now: datetime, registry_import_id: int | None) -> None:
        self.maps = maps
        self.places = places
        self.now = now
        self.registry_import_id = registry_import_id
        self.services = RawInserter(Service, SERVICE_FIELDS, ready=("first_imported_at", "last_changed_at"))
        self.now_prepared = prepare(Service, "last_changed_at", now)
        self.forms = RawInserter(ServiceForm, ("service", "form", "form_code", "continuous"))
        self.capacities = RawInserter(Capacity, ("service_form", "capacity_type", "type_code", "count", "description"))
        self.facilities = RawInserter(Facility, FACILITY_FIELDS, ready=FACILITY_READY)
        self.groups = RawInserter(Service.target_groups.through, ("service", "targetgroup"))
        self.changes = RawInserter(RegistryChange, CHANGE_FIELDS)

    def change_rows(self, service_id: int | None, portal_id: int, changes: list[tuple[str, str, Any, Any]]) -> list:
        return [
            (self.registry_import_id, service_id, portal_id, kind, path[:200], old, new)
            for kind, path, old, new in changes
        ]

    def insert_services(self, items: list[tuple[dict[str, Any], int, str]]) -> dict[int, int]:
        """Insert new services (``(service values, provider id, snapshot JSON)``); return ``{portal id: pk}``."""
        rows = []
        now = self.now_prepared
        for values, provider_id, snapshot in items:
            rows.append((
                values["portal_id"], values["registry_id"], values["identifier"], provider_id, values["kind_id"],
                values["kind_code"], values["name"], values["name_sort"], values["date_from"], values["date_to"],
                values["unmapped_codes"], values["emails"], values["phones"], values["websites"], JsonText(snapshot),
                values["fingerprint"], now, now,
            ))  # fmt: skip
        self.services.insert(rows)
        ids: dict[int, int] = {}
        for chunk in chunks([row[0] for row in rows]):
            ids.update(Service.objects.filter(portal_id__in=chunk).order_by().values_list("portal_id", "pk"))
        return ids

    def update_services(self, items: list[tuple[int, dict[str, Any], int, str]]) -> None:
        """Replace changed services (``(pk, service values, provider id, snapshot JSON)``) and all their children."""
        services = []
        for pk, values, provider_id, _snapshot in items:
            values = {**values, "provider_id": provider_id, "last_changed_at": self.now}
            services.append(Service(pk=pk, **values))
        ids = [service.pk for service in services]
        through = Service.target_groups.through
        for chunk in chunks(ids):
            Facility.objects.filter(service_id__in=chunk)._raw_delete(Facility.objects.db)
            Capacity.objects.filter(service_form__service_id__in=chunk)._raw_delete(Capacity.objects.db)
            ServiceForm.objects.filter(service_id__in=chunk)._raw_delete(ServiceForm.objects.db)
            through.objects.filter(service_id__in=chunk)._raw_delete(through.objects.db)
        Service.objects.bulk_update(services, SERVICE_UPDATE_FIELDS, batch_size=100)

    def insert_children(self, items: list[tuple[int, dict[str, Any]]]) -> None:
        """Forms with capacities, facilities and target groups of freshly written services (``(pk, canonical)``)."""
        form_rows_, capacity_lists, facility_rows, group_rows = [], [], [], []
        for service_id, canonical in items:
            for form, capacities in form_rows(canonical, self.maps):
                form_rows_.append((service_id, *form))
                capacity_lists.append(capacities)
            for position, facility in enumerate(canonical["zarizeni"]):
                facility_rows.append(facility_row(service_id, position, facility, self.places))
            for group_id in _target_group_ids(canonical, self.maps):
                group_rows.append((service_id, group_id))
        self.forms.insert(form_rows_)
        self.facilities.insert(facility_rows)
        self.groups.insert(group_rows)
        if not form_rows_:
            return
        # Primary keys of the new forms, in insertion order per service (keys grow within one transaction).
        form_ids: dict[int, list[int]] = {}
        for chunk in chunks(sorted({row[0] for row in form_rows_})):
            rows = ServiceForm.objects.filter(service_id__in=chunk).order_by("pk").values_list("service_id", "pk")
            for service_id, pk in rows:
                form_ids.setdefault(service_id, []).append(pk)
        capacity_rows = []
        seen: dict[int, int] = {}
        for form, capacities in zip(form_rows_, capacity_lists, strict=True):
            service_id = form[0]
            position = seen.get(service_id, 0)
            seen[service_id] = position + 1
            form_id = form_ids[service_id][position]
            capacity_rows.extend((form_id, *capacity) for capacity in capacities)
        self.capacities.insert(capacity_rows)

    def insert_changes(self, rows: list[tuple]) -> None:
        self.changes.insert(rows)
