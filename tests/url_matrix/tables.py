"""Snapshots of every table a visitor could write to: all models of the QMSS apps, user accounts (without the
last login), second-factor devices, and the row counts of the audit log and the task queue."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection

EXTRA_APPS = ("otp_totp", "otp_static")  # second-factor devices
COUNTED = (("auditlog", "LogEntry"), ("django_tasks_database", "DBTaskResult"))  # row counts only
SKIPPED_FIELDS = {"last_login"}  # written by every login; not tenant data


def snapshot_models() -> list:
    chosen = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        if meta.app_config.name.startswith("qmss.") or meta.app_label in EXTRA_APPS:
            chosen.append(model)
    chosen.append(get_user_model())
    return sorted(set(chosen), key=lambda m: m._meta.label)


def counted_models() -> list:
    found = []
    for app_label, name in COUNTED:
        try:
            found.append(apps.get_model(app_label, name))
        except LookupError:
            continue
    return found


def full_snapshot() -> dict[str, object]:
    """Every row of every snapshotted table (all concrete fields), plus the counted tables' row counts."""
    snap: dict[str, object] = {}
    for model in snapshot_models():
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in SKIPPED_FIELDS]
        snap[model._meta.label] = tuple(model._base_manager.order_by("pk").values_list(*names))
    for model in counted_models():
        snap[f"{model._meta.label} (rows)"] = model._base_manager.count()
    return snap


def fingerprint() -> tuple:
    """Row counts of every snapshotted and counted table in one query (cheap enough to take after every POST)."""
    quote = connection.ops.quote_name
    tables = [m._meta.db_table for m in snapshot_models() + counted_models()]
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


def describe_changes(before: dict, after: dict, limit: int = 6) -> list[str]:
    """Which tables changed and how (rows added, removed, changed), for a failure message."""
    out = []
    for label in before:
        old, new = before[label], after.get(label)
        if old == new:
            continue
        if isinstance(old, int):
            out.append(f"{label}: {old} → {new}")
            continue
        old_set, new_set = set(map(repr, old)), set(map(repr, new))  # rows may hold JSON lists (unhashable)
        removed, added = sorted(old_set - new_set, key=repr)[:limit], sorted(new_set - old_set, key=repr)[:limit]
        out.append(f"{label}: rows before {len(old)}, after {len(new)}; gone {removed}; new {added}")
    return out
