"""API of the financing app (``/api/v1/financing/``): each part adds its endpoints from ``api_<part>.py``."""

from __future__ import annotations

import importlib

from ninja import Router

router = Router(tags=["financing"])

for _name in ("api_financing",):
    try:
        _module = importlib.import_module(f"qmss.financing.{_name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"qmss.financing.{_name}":
            raise
        continue
    router.add_router("", _module.router)
