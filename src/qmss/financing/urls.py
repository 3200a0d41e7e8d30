"""URLs of the financing app under /financovani/; each part keeps its own ``urls_<part>.py``."""

import importlib

from django.urls import include, path

app_name = "financing"

# (URL prefix, part) – a part whose module does not exist yet is skipped (parts are built side by side).
PARTS = (
    ("", "index"),
    ("referencni-hodnoty/", "reference"),
    ("povereni/", "entrustments"),
    ("programy/", "applications"),
    ("vyrovnavaci-platby/", "compensation"),
    ("rozdeleni/", "allocation"),
    ("vyuctovani/", "settlement"),
    ("standardy/", "standards"),
)


def _parts():
    patterns = []
    for prefix, name in PARTS:
        module = f"qmss.financing.urls_{name}"
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        patterns.append(path(prefix, include(module)))
    return patterns


urlpatterns = _parts()
