"""Needs API (read only): the taxonomy, kind cards (published versions), indicator definitions and a service's
own values. Each part keeps its endpoints in ``api_<part>.py``; this router joins them."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["needs"])

for _module in ("api_taxonomy", "api_cards", "api_indicators"):
    try:
        _part = __import__(f"qmss.needs.{_module}", fromlist=["router"])
    except ModuleNotFoundError as exc:  # a part not written yet
        if exc.name != f"qmss.needs.{_module}":
            raise
    else:
        router.add_router("", _part.router)
