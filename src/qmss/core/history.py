"""Which objects have a history page, who may read it, and what each reader sees of an entry.

Apps register each audited model with a function giving the objects a scope may see; the history page
answers 404 for anything outside that set. Every history view (an object's history page, the organisation log)
shows its entries through :func:`redacted_entries`, which applies the confidential fields declared in
:mod:`qmss.core.confidential`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC

from auditlog.models import LogEntry
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from qmss.core import confidential
from qmss.core.formatting import format_date, format_datetime, format_decimal
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


EMPTY = "–"  # how a history page shows "no value" (never ``None`` or an empty cell)
_MANAGER_REPR = re.compile(r"^[\w]+\.[\w]+\.None$")  # "assessments.Assessment.None": a related manager's str()
_TRUE = {"True", "true", "1"}
_FALSE = {"False", "false", "0"}


def _is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() in ("", "None")) or value == []


def _value_text(model, name: str, value) -> str:
    """One stored value as people read it: the choice's label, "ano"/"ne", a date as ``7. 12. 2026``, a decimal
    in the page's number format, "–" for nothing (never ``None``, ``True`` or ``app.Model.None``)."""
    if _is_empty(value):
        return EMPTY
    text = str(value)
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return text
    if model_field.many_to_many or model_field.one_to_many:
        return EMPTY if _MANAGER_REPR.match(text) else text
    choices = getattr(model_field, "flatchoices", None)
    if choices:
        labels = {str(key): label for key, label in choices}
        if text in labels:
            return str(labels[text])
    internal = model_field.get_internal_type()
    if internal == "BooleanField" or internal == "NullBooleanField":
        if text in _TRUE:
            return _("yes")
        if text in _FALSE:
            return _("no")
    elif internal == "DateTimeField":
        moment = parse_datetime(text.replace(" ", "T", 1))
        if moment is not None:
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment, UTC)
            return format_datetime(moment)
    elif internal == "DateField":
        day = parse_date(text[:10])
        if day is not None:
            return format_date(day)
    elif internal in {"DecimalField", "FloatField"}:
        return format_decimal(text)
    return text


def _display(entry: LogEntry, model, name: str, values, related: dict) -> tuple[str, str]:
    """Old and new value of one stored change, as people read them (see :func:`_value_text`); a foreign key as
    the linked object's name (people by their names)."""
    if isinstance(values, dict) and values.get("type") == "m2m":
        operation = _("added") if values.get("operation") == "add" else _("removed")
        return "", f"{operation}: {', '.join(str(o) for o in values.get('objects', []))}"
    if not isinstance(values, list | tuple):
        values = [None, values]
    fk = _foreign_key(model, name)
    if fk is not None:
        shown = [EMPTY if _is_empty(v) else related.get((fk.related_model, str(v)), f"#{v}") for v in values]
    else:
        shown = [_value_text(model, name, v) for v in values]
    pair = shown + [EMPTY, EMPTY]
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
            if model is not None and name == model._meta.pk.name:
                continue  # the database id means nothing to a reader ("ID: 1" on a creation entry)
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
