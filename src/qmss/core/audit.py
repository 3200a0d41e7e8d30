"""Audit entries with an explicit actor: every write action names who acts.

``@action`` replaces ``@transaction.atomic`` on the functions of an app's ``actions.py``. It runs the function in
one transaction and makes every audit-log entry written inside it carry the acting user, whether the write
comes from a request, a background task or a management command. The actor is taken from the keyword
argument ``actor`` (a user), else ``user``, else ``scope`` (a :class:`~qmss.core.scoping.Scope`); an action
without any of them (a system job) is recorded without an actor, as the library loader's writes are.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from auditlog.context import auditlog_value, set_actor
from django.contrib.auth import get_user_model
from django.db import transaction

F = TypeVar("F", bound=Callable[..., Any])

ACTOR_KWARGS = ("actor", "user", "scope")


def _resolve(candidate: Any):
    """A user instance for ``candidate`` (a user, or a scope with a user id); None for anonymous/system."""
    if candidate is None:
        return None
    User = get_user_model()
    if isinstance(candidate, User):
        return candidate if candidate.pk else None
    user_id = getattr(candidate, "user_id", None)
    if user_id is None:
        return None
    return User.objects.filter(pk=user_id).first()


def current_actor():
    """The actor the audit log records right now (None outside any actor context)."""
    value = auditlog_value.get(None)
    return value.get("actor") if value else None


@contextmanager
def acting(actor) -> Iterator[None]:
    """Record ``actor`` on every audit entry written inside the block; restores the outer actor afterwards."""
    # Always open a fresh context for a given actor: django-auditlog's ``set_actor`` never resets the context
    # variable on exit, so an outer value may be stale (its signal receiver already disconnected) – reusing it
    # because it names the same user would record the entries without an actor.
    outer = auditlog_value.get(None)
    if actor is None:
        yield
        return
    try:
        with set_actor(actor, remote_addr=outer.get("remote_addr") if outer else None):
            yield
    finally:
        if outer is not None:
            auditlog_value.set(outer)


def action(func: F) -> F:
    """Decorator for write actions: one transaction, audit entries with the explicit actor."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any):
        candidate = next((kwargs[name] for name in ACTOR_KWARGS if kwargs.get(name) is not None), None)
        with transaction.atomic(), acting(_resolve(candidate)):
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
