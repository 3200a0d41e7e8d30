"""Compare the streamed records with the database and write the differences (one transaction, in batches).

Keyed by ``portalId``: the fingerprints of the services in the database are loaded once; a record with the
same fingerprint is skipped without touching the database. New and changed services are collected in
batches of :data:`BATCH_SIZE` and written with bulk queries: a changed service gets one RegistryChange per
changed field and its forms, capacities and facilities replaced. Nothing is written in a dry run; the
would-be changes are kept in :attr:`Importer.pending_changes`.
"""

from __future__ import annotations

import contextlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from qmss.registry.error_codes import RegistryImportErrorCode as Code
from qmss.registry.importer.bulk import raw_values
from qmss.registry.importer.codelists import CodeMaps
from qmss.registry.importer.diff import ENDED_FIELD, field_changes, is_ending
from qmss.registry.importer.errors import RecordError, RegistryImportError, describe_record
from qmss.registry.importer.normalise import canonical_json, fingerprint_of, normalise, portal_id_of
from qmss.registry.importer.rows import Places, service_name, service_values, unmapped_refs, unresolved_places
from qmss.registry.importer.write import BatchWriter, chunks
from qmss.registry.models import Facility, Provider, RegistryChange, RegistryImport, Service
from qmss.registry.models.registered import name_sort_key
from qmss.territory.models import search_key

BATCH_SIZE = 500
PROVIDER_FIELDS = ("name", "legal_form", "registry_id", "emails", "phones", "websites")

Change = tuple[str, str, Any, Any]  # kind, field, old value, new value


@dataclass
class Existing:
    pk: int
    fingerprint: str
    unresolved: tuple[tuple[str, ...], tuple[str, ...]]  # (unmapped codes, unknown municipality codes)


@dataclass
class Pending:
    canonical: dict[str, Any]
    fingerprint: str
    unmapped: list[str]
    existing: Existing | None = None
    changes: list[Change] = field(default_factory=list)
    text: str = ""  # the canonical JSON


class Importer:
    def __init__(
        self,
        registry_import: RegistryImport,
        *,
        maps: CodeMaps,
        places: Places,
        dry_run: bool,
        partial: bool,
        force: bool = False,
        file_name: str = "",
    ) -> None:
        self.registry_import = registry_import
        self.maps = maps
        self.places = places
        self.dry_run = dry_run
        self.partial = partial
        self.force = force  # end services even when the file holds far fewer valid records than the registry
        self.file_name = file_name
        self.today: date = timezone.localdate()
        self.now = timezone.now()
        self.counts: Counter[str] = Counter()
        self.skipped: list[dict[str, Any]] = []
        self.unmapped: Counter[str] = Counter()
        self.pending_changes: list[RegistryChange] = []
        self.seen: set[int] = set()
        self.batch: list[Pending] = []
        self.provider_wanted: dict[str, tuple[Any, ...]] = {}
        self.writer = BatchWriter(maps=maps, places=places, now=self.now, registry_import_id=registry_import.pk)
        self._load_existing()

    # -- state of the database, loaded once ---------------------------------------------------------------------
    def _load_existing(self) -> None:
        unknown_places: dict[int, list[str]] = defaultdict(list)
        facilities = (
            Facility.objects.filter(municipality__isnull=True)
            .exclude(municipality_code="")
            .order_by()
            .values_list("service_id", "municipality_code")
        )
        for service_id, code in facilities.iterator(chunk_size=5000):
            unknown_places[service_id].append(code)
        self.existing: dict[int, Existing] = {}
        for portal_id, pk, digest, unmapped in raw_values(
            Service, ("portal_id", "id", "fingerprint", "unmapped_codes")
        ):
            unresolved = (tuple(sorted(set(unmapped or ()))), tuple(sorted(set(unknown_places.get(pk, ())))))
            self.existing[portal_id] = Existing(pk, digest, unresolved)
        self.providers: dict[str, list[Any]] = {}  # ico -> [pk, values in the database (or None)]
        for ico, pk, *values in raw_values(Provider, ("ico", "id", *PROVIDER_FIELDS)):
            self.providers[ico] = [pk, tuple(values)]

    # -- one record -----------------------------------------------------------------------------------------------
    def skip(self, index: int, record: dict[str, Any], error: RecordError) -> None:
        try:
            ident: Any = portal_id_of(record)
        except RecordError:
            ident = f"#{index}"
        entry = {"index": index, "portal_id": ident, "field": error.field, "message": error.message}
        self.skipped.append({**entry, "code": error.code.value})
        self.counts["skipped"] += 1

    def process(self, index: int, record: dict[str, Any]) -> None:
        try:
            canonical, provider_extra = normalise(record)
        except RecordError as error:
            with contextlib.suppress(RecordError):
                self.seen.add(portal_id_of(record))  # present in the file, only unreadable: not "missing"
            self.skip(index, record, error)
            return
        portal_id = canonical["portalId"]
        if portal_id in self.seen:
            twice = _("the portal id %(id)s occurs twice") % {"id": portal_id}
            self.skip(index, record, RecordError("portalId", twice, Code.DUPLICATE))
            return
        self.seen.add(portal_id)
        self.counts["services"] += 1
        self.counts["facilities"] += len(canonical["zarizeni"])
        self._want_provider(canonical["poskytovatel"], provider_extra)
        unmapped = unmapped_refs(canonical, self.maps)
        self.unmapped.update(unmapped)
        text = canonical_json(canonical)
        digest = fingerprint_of(text)
        existing = self.existing.get(portal_id)
        if existing is not None and existing.fingerprint == digest:
            if existing.unresolved == ((), ()):
                self.counts["unchanged"] += 1
                return
            now_unresolved = (tuple(sorted(set(unmapped))), tuple(unresolved_places(canonical, self.places)))
            if now_unresolved == existing.unresolved:
                self.counts["unchanged"] += 1
                return
            self.counts["relinked"] += 1  # same record, but codes or places it names can now be resolved
        self.batch.append(Pending(canonical, digest, unmapped, existing, text=text))
        if len(self.batch) >= BATCH_SIZE:
            self.flush()

    def _want_provider(self, snapshot: dict[str, Any], extra: dict[str, Any]) -> None:
        """What the provider row should hold: the last record wins for each value the records give."""
        ico = snapshot["ico"]
        wanted = self.provider_wanted.get(ico)
        if wanted is None:
            known = self.providers.get(ico)
            wanted = known[1] if known is not None else (ico, "", "", [], [], [])
        name, legal_form, registry_id, emails, phones, websites = wanted
        self.provider_wanted[ico] = (
            (snapshot["nazev"] or name)[:500], (snapshot["pravniForma"] or legal_form)[:200],
            (extra["id"] or registry_id)[:64], extra.get("emaily", emails), extra.get("telefony", phones),
            extra.get("weby", websites),
        )  # fmt: skip

    # -- a batch --------------------------------------------------------------------------------------------------
    def _diff(self, pending: Pending, old_snapshot: dict[str, Any]) -> None:
        if pending.existing.fingerprint == pending.fingerprint:
            return
        changed = False
        for path, old, new in field_changes(old_snapshot, pending.canonical):
            if path == ENDED_FIELD and is_ending(old, new, self.today):
                pending.changes.append((RegistryChange.Kind.ENDED, path, old, new))
                self.counts["ended"] += 1
            else:
                pending.changes.append((RegistryChange.Kind.CHANGED, path, old, new))
                self.counts["field_changes"] += 1
                changed = True
        if changed:
            self.counts["changed"] += 1
        elif not pending.changes:
            self.counts["rewritten"] += 1  # same content in another canonical form (e.g. an older importer)

    def flush(self) -> None:
        batch, self.batch = self.batch, []
        if not batch:
            return
        old = [p for p in batch if p.existing is not None]
        snapshots: dict[int, dict[str, Any]] = {}
        for chunk in chunks([p.existing.pk for p in old if p.existing.fingerprint != p.fingerprint]):
            snapshots.update(Service.objects.filter(pk__in=chunk).order_by().values_list("pk", "snapshot"))
        for pending in old:
            self._diff(pending, snapshots.get(pending.existing.pk, {}))
        new = [p for p in batch if p.existing is None]
        self.counts["new"] += len(new)
        for pending in new:
            pending.changes.append((RegistryChange.Kind.NEW, "", None, service_name(pending.canonical, self.maps)))
        if self.dry_run:
            for pending in batch:
                self._record_changes(pending, service_id=pending.existing.pk if pending.existing else None)
            return
        self._write(new, old)

    def _record_changes(self, pending: Pending, service_id: int | None) -> None:
        """Dry run: keep the would-be changes as unsaved RegistryChange objects."""
        for kind, path, old, new in pending.changes:
            self.pending_changes.append(
                RegistryChange(
                    registry_import=self.registry_import, service_id=service_id,
                    portal_id=pending.canonical["portalId"], kind=kind, field=path[:200], old_value=old, new_value=new,
                )
            )  # fmt: skip

    def _create_providers(self, batch: list[Pending]) -> None:
        missing = {p.canonical["poskytovatel"]["ico"] for p in batch} - self.providers.keys()
        if not missing:
            return
        created = Provider.objects.bulk_create([self._provider(ico) for ico in sorted(missing)], batch_size=BATCH_SIZE)
        for provider in created:
            self.providers[provider.ico] = [provider.pk, self.provider_wanted[provider.ico]]

    def _provider(self, ico: str, pk: int | None = None) -> Provider:
        values = dict(zip(PROVIDER_FIELDS, self.provider_wanted[ico], strict=True))
        name = values["name"]
        return Provider(pk=pk, ico=ico, search_name=search_key(name)[:500], name_sort=name_sort_key(name), **values)

    def _write(self, new: list[Pending], old: list[Pending]) -> None:
        writer = self.writer
        self._create_providers(new + old)

        def values(pending: Pending) -> tuple[dict[str, Any], int, str]:
            canonical = pending.canonical
            row = service_values(canonical, pending.fingerprint, self.maps, pending.unmapped)
            return row, self.providers[canonical["poskytovatel"]["ico"]][0], pending.text

        ids = writer.insert_services([values(pending) for pending in new]) if new else {}
        if old:
            writer.update_services([(pending.existing.pk, *values(pending)) for pending in old])
            ids.update((pending.canonical["portalId"], pending.existing.pk) for pending in old)
        written = new + old
        writer.insert_children([(ids[p.canonical["portalId"]], p.canonical) for p in written])
        changes = []
        for pending in written:
            portal_id = pending.canonical["portalId"]
            changes.extend(writer.change_rows(ids[portal_id], portal_id, pending.changes))
        writer.insert_changes(changes)

    # -- the end ----------------------------------------------------------------------------------------------------
    def finish(self) -> None:
        self.check_enough_records()
        self.flush()
        self.counts["providers"] = len(self.provider_wanted)
        if not self.dry_run:
            self._update_providers()
        missing = sorted(set(self.existing) - self.seen)
        self.counts["missing"] = 0 if self.partial else len(missing)
        if not self.partial and missing:
            self._record_missing(missing)

    def check_enough_records(self) -> None:
        """Refuse (nothing is written: the caller's transaction rolls back) a file with no valid record, and one
        whose valid records are too few a share of the registry to end the services it lacks, unless forced."""
        valid = self.counts["services"]
        if valid == 0:
            raise self._no_valid_record()
        current = len(self.existing)
        if self.partial or self.force or not current:
            return
        missing = current - len(self.existing.keys() & self.seen)
        share = getattr(settings, "QMSS_REGISTRY_MIN_SHARE", 0.5)
        if missing and valid < share * current:
            message = _(
                "The file %(file)s holds too few valid records to stand for the whole registry: valid records "
                "%(valid)s, services in the registry %(current)s (the least accepted share is %(share)s %%). The "
                "import would mark services as no longer in the source (their number: %(missing)s), so nothing was "
                "written. If the file really is the whole registry, repeat the import and confirm it (--force, or "
                "“I know” on the import form); if it is only a part of it, import it as partial (--partial)."
            ) % {
                "file": self.file_name, "valid": valid, "current": current, "share": round(share * 100),
                "missing": missing,
            }  # fmt: skip
            raise RegistryImportError(message, file=self.file_name, code=Code.TOO_FEW_RECORDS)

    def _no_valid_record(self) -> RegistryImportError:
        values = {"file": self.file_name, "skipped": self.counts["skipped"]}
        if not self.skipped:
            message = _("The file %(file)s holds no record; nothing was written.") % values
        else:
            first = self.skipped[0]
            message = _(
                "The file %(file)s holds no valid record (skipped records: %(skipped)s); nothing was written. The "
                "first: %(record)s, field “%(field)s”: %(message)s"
            ) % {
                **values, "record": describe_record(first["index"], first["portal_id"]), "field": first["field"],
                "message": first["message"],
            }  # fmt: skip
        return RegistryImportError(message, file=self.file_name, code=Code.NO_VALID_RECORD)

    def _update_providers(self) -> None:
        stale = [
            self._provider(ico, pk=self.providers[ico][0])
            for ico, wanted in self.provider_wanted.items()
            if self.providers[ico][1] != wanted
        ]
        if stale:
            Provider.objects.bulk_update(
                stale, [*PROVIDER_FIELDS, "search_name", "name_sort"], batch_size=BATCH_SIZE // 5
            )
        self.counts["providers_updated"] = len(stale)

    def _record_missing(self, missing: list[int]) -> None:
        """One ``missing`` change when a service disappears, not again while it stays away."""
        already: set[int] = set()
        for chunk in chunks(missing):
            last: dict[int, str] = {}
            rows = (
                RegistryChange.objects.filter(portal_id__in=chunk)
                .order_by("portal_id", "-registry_import_id", "-pk")
                .values_list("portal_id", "kind")
            )
            for portal_id, kind in rows:
                last.setdefault(portal_id, kind)
            already.update(pid for pid, kind in last.items() if kind == RegistryChange.Kind.MISSING)
        rows = []
        for portal_id in missing:
            if portal_id in already:
                continue
            pending = Pending({"portalId": portal_id}, "", [], changes=[(RegistryChange.Kind.MISSING, "", None, None)])
            service_id = self.existing[portal_id].pk
            if self.dry_run:
                self._record_changes(pending, service_id)
            else:
                rows.extend(self.writer.change_rows(service_id, portal_id, pending.changes))
        self.writer.insert_changes(rows)
