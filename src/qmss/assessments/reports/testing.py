"""Builders of complete assessments for report tests and the benchmark (deterministic, ORM only).

The framework is the real SQSS library (``libraries/frameworks/sqss.yaml``), loaded on first use.
"""

from __future__ import annotations

from datetime import date, timedelta

from qmss.assessments.models import Assessment, Evidence, EvidenceVersion, Finding, Result
from qmss.frameworks.models import Framework, ScaleValue

SQSS_URN = "urn:qmss:framework:sqss"
INTERNAL_MARK = "INTERNÍ-POZNÁMKA"  # put into working notes; must never appear in a report
FINDING_KINDS = (
    Finding.Kind.STRENGTH,
    Finding.Kind.MINOR,
    Finding.Kind.RECOMMENDATION,
    Finding.Kind.OBSERVATION,
    Finding.Kind.MAJOR,
)


def sqss_framework() -> Framework:
    """The latest loaded SQSS version (15 standards, 48 criteria), loading the libraries when it is missing."""
    from qmss.frameworks.library import load_libraries

    framework = Framework.objects.filter(urn=SQSS_URN).order_by("-version").first()
    if framework is None:
        load_libraries()
        framework = Framework.objects.filter(urn=SQSS_URN).order_by("-version").get()
    return framework


def _scored_values(framework: Framework) -> list[ScaleValue]:
    """The framework's default-scale values with a score, best first."""
    values = ScaleValue.objects.filter(scale__framework=framework, score__isnull=False)
    if framework.default_scale_id:
        values = values.filter(scale_id=framework.default_scale_id)
    return sorted(values, key=lambda value: (-value.score, value.order))


def make_report_assessment(
    *,
    framework: Framework | None = None,
    organisation=None,
    service=None,
    auditing_organisation=None,
    kind: str = Assessment.Kind.AUDIT,
    state: str = Assessment.State.PUBLISHED,
    findings: int = 40,
    evidence: int = 30,
    user=None,
) -> Assessment:
    """An assessment with a result (and a comment) for every criterion, ``findings`` findings and
    ``evidence`` evidence items (two versions each, attached to two criteria)."""
    from django.utils import timezone

    from qmss.core.roles import OrganisationKind
    from qmss.registry.testing import make_service
    from qmss.testing.factories import make_org

    framework = framework or sqss_framework()
    if service is None:
        service = make_service(name="Domov pro seniory Šťastné stáří – Žďár")
    if organisation is None:
        organisation = make_org(OrganisationKind.PROVIDER, service.provider.name, ico=service.provider.ico)
    if auditing_organisation is None and kind in (Assessment.Kind.AUDIT, Assessment.Kind.CONSULTATION):
        auditing_organisation = make_org(OrganisationKind.AUDIT_BODY, "Auditní společnost Kvalita, s.r.o.")
    published = state in (Assessment.State.PUBLISHED, Assessment.State.CLOSED)
    assessment = Assessment.objects.create(
        organisation=organisation, service=service, framework=framework, kind=kind, state=state,
        title=f"{Assessment.Kind(kind).label.capitalize()} – {framework.short_name} {date(2025, 3, 1).year}",
        auditing_organisation=auditing_organisation, created_by=user,
        period_start=date(2024, 1, 1), period_end=date(2024, 12, 31), visit_date=date(2025, 3, 12),
        summary="Služba plní standardy kvality; doporučujeme zpřesnit individuální plánování.",
        internal_notes=f"{INTERNAL_MARK} k celému hodnocení",
        published_at=timezone.now() if published else None,
        inspection_team="Mgr. Jana Nováková\nBc. Petr Dvořák" if kind == Assessment.Kind.INSPECTION else "",
    )  # fmt: skip
    values = _scored_values(framework)
    criteria = list(framework.requirements.filter(assessable=True).order_by("order"))
    pattern = (0, 0, 1, 0, 2, 1, 0, 0, 1, 3)  # mostly good, some weaker, an occasional zero
    Result.objects.bulk_create(
        [
            Result(
                assessment=assessment, requirement=req,
                value=values[min(pattern[i % len(pattern)], len(values) - 1)] if values else None,
                comment=f"Kritérium {req.ref_id}: pravidla jsou zpracována, pracovníci je znají a dodržují.",
                internal_note=f"{INTERNAL_MARK} {req.ref_id}", updated_by=user,
            )
            for i, req in enumerate(criteria)
        ]
    )  # fmt: skip
    add_findings(assessment, findings, user=user)
    add_evidence(assessment, evidence, user=user)
    return assessment


def add_findings(assessment: Assessment, count: int, *, user=None) -> None:
    """Add ``count`` findings spread over the assessment's results, kinds in turn."""
    results = list(assessment.results.order_by("requirement__order"))
    if not results or count <= 0:
        return
    start = Finding.objects.filter(result__assessment=assessment).count()
    rows = []
    for n in range(start, start + count):
        kind = FINDING_KINDS[n % len(FINDING_KINDS)]
        nonconformity = kind in (Finding.Kind.MAJOR, Finding.Kind.MINOR)
        rows.append(
            Finding(
                result=results[(n * 7) % len(results)], kind=kind, created_by=user,
                text=f"Zjištění č. {n + 1}: záznamy o průběhu služby nejsou vždy úplné a podepsané.",
                measure="Doplnit záznamy a proškolit pracovníky." if nonconformity else "",
                deadline=date(2025, 6, 30) + timedelta(days=n) if nonconformity else None,
            )
        )  # fmt: skip
    Finding.objects.bulk_create(rows)


def add_evidence(assessment: Assessment, count: int, *, user=None) -> None:
    """Add ``count`` evidence items of the owner, two versions each, each attached to two results."""
    results = list(assessment.results.order_by("requirement__order"))
    if count <= 0:
        return
    start = Evidence.objects.filter(organisation=assessment.organisation).count()
    items = Evidence.objects.bulk_create(
        [
            Evidence(
                organisation=assessment.organisation, title=f"Vnitřní pravidlo č. {n + 1:02d} – ochrana práv",
                kind=Evidence.Kind.INTERNAL_RULE if n % 2 else Evidence.Kind.DOCUMENT, created_by=user,
                expires_on=date(2024, 6, 30) if n % 5 == 0 else date(2027, 12, 31),
            )
            for n in range(start, start + count)
        ]
    )  # fmt: skip
    EvidenceVersion.objects.bulk_create(
        [
            EvidenceVersion(
                evidence=item, number=number, file=f"evidence/{item.organisation_id}/{item.pk}/v{number}-pravidlo.pdf",
                original_name=f"pravidlo-{item.pk}-v{number}.pdf", size=1024 * number,
                content_type="application/pdf", sha256=f"{item.pk:032d}{number:032d}", uploaded_by=user,
            )
            for item in items
            for number in (1, 2)
        ]
    )  # fmt: skip
    if results:
        through = Result.evidence.through
        links = {(results[(item.pk * k) % len(results)].pk, item.pk) for item in items for k in (1, 3)}
        through.objects.bulk_create([through(result_id=r, evidence_id=e) for r, e in sorted(links)])
