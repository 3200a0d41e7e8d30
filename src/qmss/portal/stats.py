"""Portal counts for ``qmss stats`` (core ``stats`` hook): published articles, open reports of unregistered
services and the editors' situation phrasings. Imported by :mod:`qmss.portal.registration` (``HOOK_MODULES``).

The models belong to other parts of the portal; a model that is not there (yet) counts as none."""

from __future__ import annotations

from django.apps import apps
from django.db.models import Q
from django.utils import timezone

from qmss.portal import registration


def _model(name: str):
    try:
        return apps.get_model("portal", name)
    except LookupError:
        return None


def portal_stats() -> dict:
    result = {"portal_articles_published": 0, "portal_reports_open": 0, "portal_phrasings": 0}  # active phrasings
    article = _model("Article")
    if article is not None:
        result["portal_articles_published"] = article.objects.filter(
            Q(publish_at__isnull=True) | Q(publish_at__lte=timezone.now()), state="published"
        ).count()
    report = _model("UnregisteredReport")
    if report is not None:
        result["portal_reports_open"] = report.objects.exclude(state="closed").count()
    phrasing = _model("SituationPhrase")
    if phrasing is not None:
        result["portal_phrasings"] = phrasing.objects.filter(active=True).count()
    return result


@registration.part
def register_stats() -> None:
    from qmss.core import hooks

    hooks.register("stats", portal_stats)
