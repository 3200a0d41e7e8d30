"""Confidential fields as data: which fields of which model are confidential to whom.

Apps declare, in their ``AppConfig.ready``, per model:

* ``fields`` – field name → predicate ``(scope, target) -> bool``: may the scope see this field live;
* ``row`` – predicate: may the scope see the object at all (its name and every field). Without it, the object is
  as visible as the page that shows it (a history page, an organisation log) already made sure;
* ``prefetch`` – optional ``(scope, entries)`` hook that loads, in a constant number of queries, whatever the
  predicates need for a batch of audit-log entries of the model (e.g. their assessment);
* ``exclude_from_log`` – optional ``(scope, entries_queryset) -> queryset`` that drops, in the database query,
  entries of the model the scope may not see (so a paginated log keeps full pages).

``target`` is the live object or an audit-log entry (``auditlog.models.LogEntry``) about it; predicates of an app
resolve either to whatever their rule needs and reuse the app's permission functions – the rule is written once.

The audit log keeps storing every value. Every place that shows stored or live data to a user – history pages,
the organisation log, exports, the API, search, e-mails – asks :func:`may_see_field`, :func:`redact` or
:func:`visible_fields`; the history views do so through :func:`qmss.core.history.redacted_entries`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from auditlog.models import LogEntry
from django.db.models import Model, QuerySet
from django.utils.translation import gettext

from qmss.core.scoping import Scope

Predicate = Callable[[Scope, Any], bool]
Prefetch = Callable[[Scope, list], None]
LogExclusion = Callable[[Scope, QuerySet], QuerySet]


class _Hidden:
    """The value shown in place of a confidential value ("skryto"). A singleton: compare with ``is``."""

    _instance: _Hidden | None = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __str__(self) -> str:
        return gettext("hidden")

    def __repr__(self) -> str:
        return "<hidden>"

    def __bool__(self) -> bool:
        return False


HIDDEN = _Hidden()


@dataclass(frozen=True)
class Declaration:
    model_label: str
    fields: Mapping[str, Predicate] = field(default_factory=dict)
    row: Predicate | None = None
    prefetch: Prefetch | None = None
    exclude_from_log: LogExclusion | None = None


_REGISTRY: dict[str, Declaration] = {}


def _label(model_or_obj) -> str:
    if isinstance(model_or_obj, str):
        return model_or_obj.lower()
    return model_or_obj._meta.label_lower


def register(
    model: type[Model],
    *,
    fields: Mapping[str, Predicate] | None = None,
    row: Predicate | None = None,
    prefetch: Prefetch | None = None,
    exclude_from_log: LogExclusion | None = None,
) -> None:
    """Declare ``model``'s confidential fields (see the module docstring). Field names are checked."""
    names = {f.name for f in model._meta.get_fields()}
    unknown = set(fields or {}) - names
    if unknown:
        raise ValueError(f"{model._meta.label}: no such fields {sorted(unknown)}")
    label = _label(model)
    _REGISTRY[label] = Declaration(
        model_label=label,
        fields=MappingProxyType(dict(fields or {})),
        row=row,
        prefetch=prefetch,
        exclude_from_log=exclude_from_log,
    )


def declaration(model_or_label) -> Declaration | None:
    return _REGISTRY.get(_label(model_or_label))


def declarations() -> list[Declaration]:
    return [_REGISTRY[label] for label in sorted(_REGISTRY)]


def confidential_fields(model_or_label) -> frozenset[str]:
    decl = declaration(model_or_label)
    return frozenset(decl.fields) if decl else frozenset()


# --- questions about one object (live, or through an audit-log entry) -----------------------------------------


def _model_label_of(target) -> str:
    if isinstance(target, LogEntry):
        return f"{target.content_type.app_label}.{target.content_type.model}"
    return _label(target)


def may_see_object(scope: Scope, target) -> bool:
    """May ``scope`` see the object (or the object a log entry is about) at all?"""
    decl = declaration(_model_label_of(target))
    return decl is None or decl.row is None or bool(decl.row(scope, target))


def may_see_field(scope: Scope, target, field_name: str) -> bool:
    """May ``scope`` see ``field_name`` of the object (or of the object a log entry is about)?"""
    decl = declaration(_model_label_of(target))
    if decl is None:
        return True
    if decl.row is not None and not decl.row(scope, target):
        return False
    predicate = decl.fields.get(field_name)
    return predicate is None or bool(predicate(scope, target))


def redact(scope: Scope, obj: Model, field_name: str, hidden: Any = HIDDEN) -> Any:
    """``obj.<field_name>`` if the scope may see it, else ``hidden`` (:data:`HIDDEN` by default)."""
    if not may_see_field(scope, obj, field_name):
        return hidden
    return getattr(obj, field_name)


def visible_fields(scope: Scope, obj: Model) -> list[str]:
    """Names of ``obj``'s fields (concrete and many-to-many) the scope may see – for exports, API and search."""
    if not may_see_object(scope, obj):
        return []
    names = [f.name for f in obj._meta.concrete_fields] + [f.name for f in obj._meta.many_to_many]
    return [name for name in names if may_see_field(scope, obj, name)]


# --- audit-log entries ----------------------------------------------------------------------------------------


def prefetch_entries(scope: Scope, entries: Iterable) -> None:
    """Run every declaration's prefetch hook on its entries (a constant number of queries per model)."""
    by_label: dict[str, list] = {}
    for entry in entries:
        by_label.setdefault(_model_label_of(entry), []).append(entry)
    for label, group in by_label.items():
        decl = _REGISTRY.get(label)
        if decl is not None and decl.prefetch is not None:
            decl.prefetch(scope, group)


def filter_log(scope: Scope, entries: QuerySet) -> QuerySet:
    """Drop, in the query, log entries about objects the scope may not see (declarations that can say so)."""
    for decl in declarations():
        if decl.exclude_from_log is not None:
            entries = decl.exclude_from_log(scope, entries)
    return entries
