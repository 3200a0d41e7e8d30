"""Needs counts for ``qmss stats`` (core ``stats`` hook), and the audit-log registration of the library versions
(publishing one is recorded with the acting user). Imported by :mod:`qmss.needs.registration`."""

from __future__ import annotations

from django.db.models import Count, Q

from qmss.needs import registration


def needs_stats() -> dict:
    from qmss.needs.library import current_taxonomy
    from qmss.needs.models import CollectionRound, KindCard, Need, NeedArea, ServiceCard, Submission

    taxonomy = current_taxonomy()  # counts of the current (newest published) taxonomy
    cards = KindCard.objects.aggregate(
        total=Count("pk"), published=Count("pk", filter=Q(state=KindCard.State.PUBLISHED))
    )
    rounds = CollectionRound.objects.aggregate(
        total=Count("pk"), open=Count("pk", filter=Q(state=CollectionRound.State.OPEN))
    )
    submissions = Submission.objects.aggregate(
        total=Count("pk"), approved=Count("pk", filter=Q(state=Submission.State.APPROVED))
    )
    return {
        "needs": Need.objects.filter(taxonomy=taxonomy).count() if taxonomy else 0,
        "need_areas": NeedArea.objects.filter(taxonomy=taxonomy).count() if taxonomy else 0,
        "kind_cards": cards["total"],
        "kind_cards_published": cards["published"],
        "service_cards": ServiceCard.objects.count(),
        "rounds": rounds["total"],
        "rounds_open": rounds["open"],
        "submissions": submissions["total"],
        "submissions_approved": submissions["approved"],
    }


@registration.part
def register_taxonomy() -> None:
    from auditlog.registry import auditlog

    from qmss.core import hooks
    from qmss.needs.models import CollectionTemplate, Taxonomy

    hooks.register("stats", needs_stats)
    for model in (Taxonomy, CollectionTemplate):
        if not auditlog.contains(model):
            auditlog.register(model, include_fields=["published_at"])
