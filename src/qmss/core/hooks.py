"""Upward extension points: higher apps plug into core (and into each other) without core importing them.

Each hook is a named list of callables that apps fill in their ``AppConfig.ready``. Core (or a lower app) asks
the hook and never names the app that answers, so the layers stay one-directional (import-linter checks it).

Hooks in use:

``stats``
    ``() -> dict`` – counts for ``qmss stats`` and monitoring; the dicts are merged in registration order.
``context``
    ``(request) -> dict`` – extra template context for every page (e.g. the synthetic-territory banner flag).
``framework_in_use``
    ``(framework) -> int`` – how many objects use a framework version; a version in use is never changed.
``dashboard_panels``
    ``(scope, user, memberships) -> dict[int, dict]`` – figures per membership pk for the home dashboard.
``organisation_panels``
    ``(request, organisation) -> list[Panel]`` – extra panels on an organisation's page.
``registry_service_sections``
    ``(request, scope, service) -> list[str]`` – rendered sections on the registry's page of a service (the
    assessments: the way to the service's quality).
``network_admission_checks``
    ``(service) -> list[dict]`` – automatic admission checks of a service (``code``, ``name``, ``passed``: True /
    False / None for no record, ``message``), e.g. the financing app's ``personnel_standard`` and ``mts``; the
    network app's application page shows them next to the admission tests.
``registration_check_sections``
    ``(request, query, found) -> list[str]`` – rendered sections below the results of the public registration
    check (``registry.views_public``): ``query`` is the checked text, ``found`` whether registered services
    matched it exactly. The portal shows the warning signs of an unregistered service and the way to report it
    (a short box when the service was found). Public data only.
``public_home_sections``
    ``(request) -> list[str]`` – rendered sections of the home page (``core.views.home``) for every visitor: the
    public portal's search box and ways in for anonymous visitors (shown instead of the dashboard), a compact
    "for the public" box for logged-in users (shown below their dashboard). Public data only, no session writes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

_HOOKS: dict[str, list[Callable[..., Any]]] = defaultdict(list)


def register(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``func`` to hook ``name`` once (a second registration of the same function is ignored)."""
    if func not in _HOOKS[name]:
        _HOOKS[name].append(func)
    return func


def implementations(name: str) -> list[Callable[..., Any]]:
    return list(_HOOKS.get(name, ()))


def call_all(name: str, *args: Any, **kwargs: Any) -> list[Any]:
    """Every implementation's answer, in registration order (the order of INSTALLED_APPS)."""
    return [func(*args, **kwargs) for func in implementations(name)]


def merged(name: str, *args: Any, **kwargs: Any) -> dict:
    """The answers of a hook whose implementations return dicts, merged into one dict."""
    result: dict = {}
    for answer in call_all(name, *args, **kwargs):
        result.update(answer or {})
    return result
