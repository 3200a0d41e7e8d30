"""URLs of the network app under /site/ (Czech /sit/); each part keeps its own ``urls_<part>.py``."""

import importlib

from django.urls import include, path

app_name = "network"

# (URL prefix, part) – a part whose module does not exist yet is skipped (parts are built side by side).
PARTS = (
    ("", "networks"),
    ("pravidla/", "rules"),
    ("zadosti/", "applications"),
    ("hodnoceni/", "scoring"),
    ("co-kdyby/", "whatif"),
    ("analyza/", "analysis"),
    ("uceni/", "learning"),
)


def _parts():
    patterns = []
    for prefix, name in PARTS:
        module = f"qmss.network.urls_{name}"
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        patterns.append(path(prefix, include(module)))
    return patterns


urlpatterns = _parts()
