"""API of the portal app (``/api/v1/portal/``): public data only; parts add endpoints from ``api_<part>.py``."""

from __future__ import annotations

import importlib

from ninja import Router

router = Router(tags=["portal"])

for _name in ("api_finder", "api_open_data", "api_content"):
    try:
        _module = importlib.import_module(f"qmss.portal.{_name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"qmss.portal.{_name}":
            raise
        continue
    router.add_router("", _module.router)
