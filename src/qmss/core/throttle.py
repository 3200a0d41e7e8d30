"""Request throttling: the client address as the server sees it, and a fixed-window counter in the cache.

Login attempts are throttled by django-axes (settings ``AXES_*``); it asks :func:`client_ip` for the address.
Password reset requests, which axes does not see, go through :func:`allow` (see ``views_accounts``).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import caches


def client_ip(request, *args) -> str:
    """The client's address: ``REMOTE_ADDR``, or behind our own proxy (``QMSS_BEHIND_PROXY``) the last address
    the proxy appended to ``X-Forwarded-For`` (earlier entries come from the client and can be forged)."""
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _cache():
    """The cache the counters live in: ``QMSS_THROTTLE_CACHE`` (an alias of CACHES), shared by all processes."""
    return caches[getattr(settings, "QMSS_THROTTLE_CACHE", "default")]


def _key(scope: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"qmss-throttle:{scope}:{digest}"


def allow(scope: str, value: str, *, limit: int, window_seconds: int) -> bool:
    """Count one event for ``value`` in ``scope``; False once more than ``limit`` events fell in the window.

    The window starts with the first event and is not extended by later ones; a refused event still counts,
    so hammering does not help. Values are hashed (no e-mail addresses in cache keys).
    """
    key = _key(scope, value)
    cache = _cache()
    cache.add(key, 0, timeout=window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds)
        count = 1
    return count <= limit


def reset(scope: str, value: str) -> None:
    _cache().delete(_key(scope, value))
