"""Which objects have a history page, and who may read it.

Apps register each audited model with a function giving the objects a scope may see; the history page
answers 404 for anything outside that set.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Model, QuerySet

from qmss.core.scoping import Scope

_VISIBLE: dict[str, Callable[[Scope], QuerySet]] = {}


def register(model: type[Model], visible: Callable[[Scope], QuerySet]) -> None:
    _VISIBLE[model._meta.label_lower] = visible


def visible_queryset(model_label: str, scope: Scope) -> QuerySet | None:
    visible = _VISIBLE.get(model_label.lower())
    return visible(scope) if visible else None


def registered_labels() -> list[str]:
    return sorted(_VISIBLE)
