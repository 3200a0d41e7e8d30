"""API of the network app (``/api/v1/network/``): each part adds its endpoints from ``api_<part>.py``."""

from __future__ import annotations

import importlib

from ninja import Router

router = Router(tags=["network"])

for _name in ("api_networks", "api_scoring"):
    try:
        _module = importlib.import_module(f"qmss.network.{_name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"qmss.network.{_name}":
            raise
        continue
    router.add_router("", _module.router)
