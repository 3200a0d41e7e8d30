"""Planner statistics after a bulk load.

PostgreSQL plans from table statistics that autovacuum refreshes only a while after a large write; until then a
table bulk-loaded by an import may still look empty, and a join over it (e.g. the delete collector fetching the
registered capacities of thousands of services) can get a nested loop that runs for minutes. The importers call
:func:`refresh_statistics` at the end of a bulk load. SQLite and other backends: nothing to do.
"""

from __future__ import annotations

from django.db import connections


def refresh_statistics(*models, using: str = "default") -> None:
    """``ANALYZE`` the tables of ``models`` (and their many-to-many tables) on PostgreSQL."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not models:
        return
    tables: list[str] = []
    for model in models:
        tables.append(model._meta.db_table)
        tables.extend(field.remote_field.through._meta.db_table for field in model._meta.local_many_to_many)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(quote(table) for table in dict.fromkeys(tables)))
