"""Which objects have a history page, who may read it, and what each reader sees of an entry.

Apps register each audited model with a function giving the objects a scope may see; the history page
answers 404 for anything outside that set. Every history view (an object's history page, the organisation log)
shows its entries through :func:`redacted_entries`, which applies the confidential fields declared in
:mod:`qmss.core.confidential`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from copy import copy
from dataclasses import dataclass, field

from auditlog.models import LogEntry
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from qmss.core import confidential
from qmss.core.formatting import format_decimal
from qmss.core.scoping import Scope

_VISIBLE: dict[str, Callable[[Scope], QuerySet]] = {}


def register(model: type[Model], visible: Callable[[Scope], QuerySet]) -> None:
    _VISIBLE[model._meta.label_lower] = visible


def visible_queryset(model_label: str, scope: Scope) -> QuerySet | None:
    visible = _VISIBLE.get(model_label.lower())
    return visible(scope) if visible else None


def registered_labels() -> list[str]:
    return sorted(_VISIBLE)


# --- what a history view shows of each entry ------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    field: str  # the model field's name ("" when the stored name is no longer a field)
    label: str  # its verbose name, for display
    old: str = ""
    new: str = ""
    hidden: bool = False  # a confidential value the viewer may not see: shown as "hidden", without values


@dataclass(frozen=True)
class HistoryEntry:
    """One audit-log entry as the viewer may see it (see :mod:`qmss.core.confidential`)."""

    entry: LogEntry
    object_label: str
    changes: list[Change] = field(default_factory=list)

    def __getattr__(self, name):  # timestamp, actor, action, content_type … of the entry
        return getattr(self.entry, name)


def _field_label(model, name: str) -> str | None:
    """The field's verbose name; None for a reverse relation (django-auditlog records, but never displays, them)."""
    if model is None:
        return name
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    if model_field.auto_created and not model_field.concrete:
        return None
    return str(getattr(model_field, "verbose_name", name))


def _foreign_key(model, name: str):
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return model_field if model_field.concrete and (model_field.many_to_one or model_field.one_to_one) else None


def _related_objects(entries: list[LogEntry]) -> dict[tuple[type[Model], str], str]:
    """Names of the objects the entries' foreign-key changes point to, one query per related model (instead of
    django-auditlog's query per value)."""
    wanted: dict[type[Model], set] = {}
    for entry in entries:
        model = entry.content_type.model_class()
        if model is None:
            continue
        for name, values in (entry.changes_dict or {}).items():
            fk = _foreign_key(model, name)
            if fk is None or not isinstance(values, list):
                continue
            for value in values:
                if value not in (None, "None", ""):
                    try:
                        wanted.setdefault(fk.related_model, set()).add(fk.related_model._meta.pk.to_python(value))
                    except ValidationError:
                        continue
    names: dict[tuple[type[Model], str], str] = {}
    for related, pks in wanted.items():
        for pk, obj in related._base_manager.in_bulk(pks).items():
            names[(related, str(pk))] = _object_name(obj)
    return names


def _object_name(obj: Model) -> str:
    """How a linked object is named on a history page: people by their names, everything else as itself."""
    full_name = getattr(obj, "get_full_name", None)
    return (full_name() if callable(full_name) else "") or str(obj)


def _localised_number(model, name: str, text: str) -> str:
    """A stored decimal or float value in the page's number format (``1.50`` → ``1,5`` in Czech)."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return text
    if field.get_internal_type() not in {"DecimalField", "FloatField"} or text in ("", "None"):
        return text
    return format_decimal(text)


def _display(entry: LogEntry, model, name: str, values, related: dict) -> tuple[str, str]:
    """Old and new value of one stored change, formatted as django-auditlog does (choices, dates, foreign keys)."""
    if isinstance(values, dict) and values.get("type") == "m2m":
        operation = _("added") if values.get("operation") == "add" else _("removed")
        return "", f"{operation}: {', '.join(str(o) for o in values.get('objects', []))}"
    fk = _foreign_key(model, name)
    if fk is not None and isinstance(values, list):
        shown = [related.get((fk.related_model, str(v)), str(v)) if v not in (None, "None") else "None" for v in values]
    else:
        single = copy(entry)
        single.changes = {name: values}
        shown = [_localised_number(model, name, str(v)) for v in next(iter(single.changes_display_dict.values()), [])]
    pair = shown + ["", ""]
    return pair[0], pair[1]


def redacted_entries(scope: Scope, entries: Iterable[LogEntry]) -> list[HistoryEntry]:
    """``entries`` as ``scope`` may see them: entries about objects it may not see are left out; a confidential
    field it may not see is listed as hidden, without its old and new value."""
    entries = list(entries)
    confidential.prefetch_entries(scope, entries)
    entries = [entry for entry in entries if confidential.may_see_object(scope, entry)]
    related = _related_objects(entries)
    shown: list[HistoryEntry] = []
    for entry in entries:
        model = entry.content_type.model_class()
        changes = []
        for name, values in (entry.changes_dict or {}).items():
            label = _field_label(model, name)
            if label is None:
                continue
            if not confidential.may_see_field(scope, entry, name):
                changes.append(Change(field=name, label=label, hidden=True))
                continue
            old, new = _display(entry, model, name, values, related) if model is not None else ("", "")
            changes.append(Change(field=name, label=label, old=old, new=new))
        shown.append(HistoryEntry(entry=entry, object_label=entry.object_repr, changes=changes))
    return shown
