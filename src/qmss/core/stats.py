"""Counts of the main tables, for `qmss stats` and monitoring.

Core counts its own tables; every other app adds its keys through the ``stats`` hook (``qmss.core.hooks``)
in its ``AppConfig.ready``.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from qmss.core import hooks


def core_stats() -> dict:
    from qmss.core.models import Organisation

    return {"organisations": Organisation.objects.count(), "users": get_user_model().objects.count()}


def collect_stats() -> dict:
    """Core's counts, then each app's in the order of INSTALLED_APPS (core registers first)."""
    return hooks.merged("stats")
