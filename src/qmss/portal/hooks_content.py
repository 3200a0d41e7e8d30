"""The content part's registrations: the "Awareness content" entry in the dashboard panel of every regional
authority and the ministry whose member edits (core hook ``dashboard_sections``; no query), and the audit log of
the content models."""

from __future__ import annotations

from qmss.core import hooks
from qmss.core.dashboard import Section
from qmss.core.roles import Perm
from qmss.core.scoping import Scope
from qmss.portal.permissions import EDITORIAL_KINDS
from qmss.portal.registration import part

ORDER = 70


def dashboard_sections(request, scope: Scope, panels) -> list[Section]:
    return [
        Section(
            key="portal-content",
            template="portal/content/dashboard_section.html",
            membership_id=panel.membership.pk,
            order=ORDER,
        )
        for panel in panels
        if panel.membership.organisation.kind in EDITORIAL_KINDS and Perm.EDIT in panel.perms
    ]


@part
def register_content() -> None:
    from auditlog.registry import auditlog

    from qmss.portal.models import Article, ArticleAttachment, ArticleRevision

    hooks.register("dashboard_sections", dashboard_sections)
    for model in (Article, ArticleRevision, ArticleAttachment):
        auditlog.register(model)
