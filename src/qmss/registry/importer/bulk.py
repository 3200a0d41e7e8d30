"""Plain multi-row INSERTs for the import's hot path, without building Django model instances.

``bulk_create`` spends most of its time instantiating models and preparing every field of every row; for the
~70,000 rows of a first national import that is several seconds. Here the values come as tuples in a fixed
column order and are sent with ``cursor.executemany``. Values that need adapting are adapted per field:
on SQLite and PostgreSQL with a few direct conversions (JSON text, ISO dates), elsewhere through Django's
``get_db_prep_save``. JSON that is already serialised can be passed as :class:`JsonText`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models

CHUNK_ROWS = 2000
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode
_encode_string = json.encoder.encode_basestring  # a JSON string literal, not ASCII-escaped


class JsonText(str):
    """A value for a JSONField that is already serialised as JSON text."""


def _json_adapter(field: models.Field, connection) -> Callable[[Any], Any]:
    if connection.vendor == "sqlite":

        def adapt(value: Any) -> Any:
            if value.__class__ is JsonText:
                return str(value)
            if value.__class__ is list and all(item.__class__ is str for item in value):
                return "[" + ",".join(map(_encode_string, value)) + "]"  # contacts, codes: the common case
            return _ENCODE(value)

        return adapt
    if connection.vendor == "postgresql":
        from psycopg.types.json import Jsonb

        def adapt(value: Any) -> Any:
            return Jsonb(str(value), dumps=str) if value.__class__ is JsonText else Jsonb(value)

        return adapt

    def adapt(value: Any) -> Any:
        if isinstance(value, JsonText):
            value = json.loads(value)
        return field.get_db_prep_save(value, connection)

    return adapt


def _date_adapter(field: models.Field, connection) -> Callable[[Any], Any]:
    if connection.vendor == "sqlite":
        return str  # ISO text, as Django stores dates on SQLite
    if connection.vendor == "postgresql":
        return lambda value: date.fromisoformat(value) if isinstance(value, str) else value
    return lambda value: field.get_db_prep_save(
        date.fromisoformat(value) if isinstance(value, str) else value, connection
    )


def _adapter(field: models.Field, connection) -> Callable[[Any], Any] | None:
    if isinstance(field, models.JSONField):
        return _json_adapter(field, connection)
    if isinstance(field, models.DateTimeField):
        return lambda value: field.get_db_prep_save(value, connection)
    if isinstance(field, models.DateField):
        return _date_adapter(field, connection)
    if isinstance(field, models.DecimalField):
        memo: dict[Any, Any] = {}  # the same few thousand municipality coordinates again and again

        def adapt(value: Any) -> Any:
            try:
                return memo[value]
            except KeyError:
                prepared = memo[value] = field.get_db_prep_save(value, connection)
                return prepared

        return adapt
    return None


def prepare(model: type[models.Model], name: str, value: Any, using: str = DEFAULT_DB_ALIAS) -> Any:
    """One value prepared for the database the way Django would (for constants prepared once)."""
    return model._meta.get_field(name).get_db_prep_save(value, connections[using])


class RawInserter:
    def __init__(
        self, model: type[models.Model], fields: Sequence[str], *, ready: Sequence[str] = (),
        using: str = DEFAULT_DB_ALIAS,
    ) -> None:  # fmt: skip
        """``ready``: fields whose values are already prepared for the database (not adapted again)."""
        self.connection = connections[using]
        meta = model._meta
        self.fields = [meta.get_field(name) for name in fields]
        quote = self.connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in self.fields)
        placeholders = ", ".join(["%s"] * len(self.fields))
        self.sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders})"
        self.adapters = [
            (index, adapter)
            for index, field in enumerate(self.fields)
            if field.name not in ready and (adapter := _adapter(field, self.connection)) is not None
        ]

    def _prepare(self, rows: Sequence[Sequence[Any]]) -> list[Sequence[Any]]:
        if not self.adapters:
            return list(rows)
        ready = []
        adapters = self.adapters
        for row in rows:
            row = list(row)
            for index, adapt in adapters:
                value = row[index]
                if value is not None:
                    row[index] = adapt(value)
            ready.append(row)
        return ready

    def insert(self, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        with self.connection.cursor() as cursor:
            for start in range(0, len(rows), CHUNK_ROWS):
                cursor.executemany(self.sql, self._prepare(rows[start : start + CHUNK_ROWS]))


def _json_loader(value: Any) -> Any:
    if value is None or value.__class__ is not str:
        return value  # NULL, or already decoded by the driver
    return [] if value == "[]" else json.loads(value)


def raw_values(
    model: type[models.Model], fields: Sequence[str], *, where: str = "", using: str = DEFAULT_DB_ALIAS
) -> Iterator[tuple]:
    """Plain ``SELECT`` of ``fields`` (attribute names) as tuples, JSON decoded, without Django's converters.

    For the import's one-off loads of all services and providers, where the converters cost more than the query.
    """
    connection = connections[using]
    quote = connection.ops.quote_name
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    sql = f"SELECT {', '.join(quote(field.column) for field in columns)} FROM {quote(meta.db_table)}"  # noqa: S608
    if where:
        sql += f" WHERE {where}"
    json_columns = [i for i, field in enumerate(columns) if isinstance(field, models.JSONField)]
    with connection.cursor() as cursor:
        cursor.execute(sql)
        while rows := cursor.fetchmany(5000):
            for row in rows:
                if json_columns:
                    row = list(row)
                    for index in json_columns:
                        row[index] = _json_loader(row[index])
                yield tuple(row)
