"""The registry data version and the catalogue's cached page fragments.

The catalogue's filters and results are the same for every user with the same region scope, so their rendered
HTML is cached under a key made of the **registry data version**, the day (a service's status depends on it),
the language, the user's regions and the query string. Nothing user-specific (names, CSRF tokens, links only a
superuser sees) goes into a fragment.

The version is a random token in the page cache (shared by the web and worker processes in production; the
fragments themselves live in each process's memory, ``fragment_cache``). ``schedule_bump`` replaces it
whenever registry or territory data change: a registry
import's final save, an admin edit (the receivers in ``registry.signals``), a territory import. It bumps at once
and again after the writing transaction commits, so no request can keep data older than the commit under the
version that follows it.
Fragments under an old version are never read again and expire.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

VERSION_KEY = "registry:data-version"
FRAGMENT_PREFIX = "registry:catalogue:"
FRAGMENT_TIMEOUT = 24 * 60 * 60  # seconds; the day is part of the key anyway


def page_cache():
    """The cache of page fragments and of the version (``QMSS_PAGE_CACHE``, default ``default``)."""
    return caches[getattr(settings, "QMSS_PAGE_CACHE", "default")]


def fragment_cache():
    """The cache of rendered fragments (``QMSS_FRAGMENT_CACHE``; production: each process's memory, so that a flood
    of fragments never culls the version tokens of the shared page cache; default: the page cache)."""
    alias = getattr(settings, "QMSS_FRAGMENT_CACHE", None) or getattr(settings, "QMSS_PAGE_CACHE", "default")
    return caches[alias]


def bump_version() -> str:
    """A new registry data version now: every cached catalogue fragment is out of date."""
    token = uuid.uuid4().hex
    page_cache().set(VERSION_KEY, token, None)
    return token


def schedule_bump(using: str = DEFAULT_DB_ALIAS) -> None:
    """Bump the version now (the writing transaction sees its own change at once) and again when the
    transaction commits: a request of another process may have cached the old data under the first bump."""
    bump_version()
    connection = transaction.get_connection(using)
    if connection.in_atomic_block and not any(entry[1] is bump_version for entry in connection.run_on_commit):
        transaction.on_commit(bump_version, using=using)


def current_version() -> str:
    cache = page_cache()
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY) or bump_version()
    return version


def catalogue_key(params: Iterable[tuple[str, str | None]], region_ids: Iterable[int]) -> str:
    """The fragment key: version, day, language, regions and the raw values of the parameters the page reads.

    Read the version first: data written after it was read can only make a fragment fresher, never staler.
    """
    parts = [
        current_version(),
        timezone.localdate().isoformat(),
        get_language() or "",
        ",".join(str(pk) for pk in sorted(region_ids)),
        repr(tuple(params)),  # raw values as given (None: absent), so that no two inputs can share a fragment
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return FRAGMENT_PREFIX + digest


def cached_fragments(key: str, render: Callable[[], dict[str, str]]) -> dict[str, str]:
    """The fragments under ``key``, rendered by ``render()`` (a dict of HTML strings) when missing."""
    cache = fragment_cache()
    fragments = cache.get(key)
    if fragments is None:
        fragments = {name: str(html) for name, html in render().items()}
        cache.set(key, fragments, FRAGMENT_TIMEOUT)
    return {name: mark_safe(html) for name, html in fragments.items()}  # noqa: S308 – HTML rendered by templates
