"""The import report as text lines (counts, changes, skipped records, unmapped codes), for the command."""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qmss.registry.importer.errors import describe_record
from qmss.registry.models import RegistryChange, RegistryImport

CHANGES_SHOWN = 50
SKIPPED_SHOWN = 50
VALUE_WIDTH = 80


def _value(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        text = ", ".join(value) or "[]"
    elif isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 1] + "…"


def count_rows(run: RegistryImport) -> list[tuple[str, int]]:
    counts = run.counts or {}
    rows = [
        (_("Services in the file"), counts.get("services", 0)),
        (_("Facilities in the file"), counts.get("facilities", 0)),
        (_("Providers in the file"), counts.get("providers", 0)),
        (_("New services"), counts.get("new", 0)),
        (_("Changed services"), counts.get("changed", 0)),
        (_("Changed fields"), counts.get("field_changes", 0)),
        (_("Ended services"), counts.get("ended", 0)),
        (_("Unchanged services"), counts.get("unchanged", 0)),
        (_("Skipped records"), counts.get("skipped", 0)),
        (_("Services no longer in the file"), counts.get("missing", 0)),
    ]
    if counts.get("relinked"):
        rows.append((_("Services with newly resolved codes or places"), counts["relinked"]))
    if counts.get("reference_added"):
        rows.append((_("Reference items added from the code lists"), counts["reference_added"]))
    return rows


def _changes(run: RegistryImport) -> tuple[list[RegistryChange], int]:
    pending = getattr(run, "pending_changes", None)
    if run.dry_run or run.pk is None:
        pending = pending or []
        return pending[:CHANGES_SHOWN], len(pending)
    queryset = run.changes.order_by("pk")
    return list(queryset[:CHANGES_SHOWN]), queryset.count()


def change_line(change: RegistryChange) -> str:
    label = RegistryChange.Kind(change.kind).label
    if change.kind == RegistryChange.Kind.NEW:
        return f"{change.portal_id}  {label}: {_value(change.new_value)}"
    if change.kind == RegistryChange.Kind.MISSING:
        return f"{change.portal_id}  {label}"
    return f"{change.portal_id}  {label}  {change.field}: {_value(change.old_value)} → {_value(change.new_value)}"


def report_lines(run: RegistryImport) -> list[str]:
    lines = []
    if run.dry_run:
        lines.append(_("Dry run: nothing was written to the database."))
    rows = count_rows(run)
    width = max(len(label) for label, _count in rows)
    lines += [f"{label.ljust(width)}  {count:>8}" for label, count in rows]

    changes, total = _changes(run)
    if total:
        lines += ["", _("Changes (first %(shown)s of %(total)s):") % {"shown": len(changes), "total": total}]
        lines += [f"  {change_line(change)}" for change in changes]
    if run.skipped:
        skipped_total = (run.counts or {}).get("skipped", len(run.skipped))
        lines += ["", _("Skipped records (%(total)s):") % {"total": skipped_total}]
        for item in run.skipped[:SKIPPED_SHOWN]:
            record = describe_record(item.get("index"), item.get("portal_id")) or str(item.get("portal_id", ""))
            values = {"record": record, "field": item.get("field", ""), "message": item.get("message", "")}
            lines.append("  " + _("%(record)s, field “%(field)s”: %(message)s") % values)
        if skipped_total > SKIPPED_SHOWN:
            more = skipped_total - SKIPPED_SHOWN
            lines.append(
                "  " + ngettext("… and %(count)s more record", "… and %(count)s more records", more) % {"count": more}
            )
    if run.unmapped:
        lines += ["", _("Codes no reference library knows (kept as they are):")]
        lines += [f"  {code}: {count}" for code, count in sorted(run.unmapped.items())]
    return lines
