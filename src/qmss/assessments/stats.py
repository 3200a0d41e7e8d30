"""Counts of assessment data for `qmss stats` (registered on the core ``stats`` hook)."""

from __future__ import annotations


def assessment_stats() -> dict:
    from qmss.assessments.models import Assessment, Evidence

    return {"assessments": Assessment.objects.count(), "evidence": Evidence.objects.count()}
