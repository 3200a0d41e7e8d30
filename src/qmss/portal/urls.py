"""URLs of the public portal, mounted at the site root; each part keeps its own ``urls_<part>.py``.

Every part's patterns carry their own Czech prefix (``najit-sluzbu/``, ``sluzby/``, ``osveta/`` …), see
``/work/portal-spec.md`` in the issue's history and the README.
"""

import importlib

from django.urls import include, path

app_name = "portal"

# Parts – a part whose module does not exist yet is skipped (parts are built side by side).
PARTS = ("shell", "finder", "situations", "service", "reports", "content", "leaflets", "open_data")


def _parts():
    patterns = []
    for name in PARTS:
        module = f"qmss.portal.urls_{name}"
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        patterns.append(path("", include(module)))
    return patterns


urlpatterns = _parts()
