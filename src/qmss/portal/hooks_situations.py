"""Registrations of the situations part: the editors' phrasings are recorded in the audit log (who added,
changed or retired which phrasing)."""

from __future__ import annotations

from qmss.portal.registration import part


@part
def register_situations() -> None:
    from auditlog.registry import auditlog

    from qmss.portal.models import SituationPhrase

    auditlog.register(SituationPhrase)
