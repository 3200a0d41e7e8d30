"""Builders for assessment tests and demos: a small SQSS-like framework, assessments, evidence.

Deterministic (no randomness). ``make_framework()`` builds 15 standards with 48 criteria on a 0–3 points
scale, like the real SQSS, without needing the YAML library.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence
from decimal import Decimal

from django.core.files.base import ContentFile

from qmss.assessments.models import Assessment, Evidence, EvidenceVersion, Finding, Result
from qmss.assessments.selectors import SQSS_URN
from qmss.core.models import Organisation
from qmss.frameworks.models import Framework, Requirement, RuleSetAdoption, Scale, ScaleValue

_seq = itertools.count(1)

# 15 standards, 48 criteria: three standards with 4 criteria, twelve with 3.
DEFAULT_CRITERIA = (4, 4, 4) + (3,) * 12
PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PASS_RULE = {"type": "essential_min_and_share", "scale": "points", "essential_min": 2, "overall_min_share": 0.5}


def make_framework(
    *,
    version: int = 1,
    n_standards: int = 15,
    criteria_per_standard: Sequence[int] | int | None = None,
    urn: str = SQSS_URN,
    essential_every: int = 2,
    short_name: str = "SQSS",
    adopt_rules: bool = True,
) -> Framework:
    """A framework with ``n_standards`` standards and their criteria (ref ids ``1a``, ``1b`` …).

    The first criterion of every ``essential_every``-th standard (1, 3, 5 …) is essential. The pass rule is
    unverified (like the real SQSS); ``adopt_rules`` (default) records its adoption by an inactive test user, so
    verdicts are given – pass False to test the unadopted case.
    """
    existing = Framework.objects.filter(urn=urn, version=version).first()
    if existing is not None:
        return existing
    if criteria_per_standard is None:
        counts = list(DEFAULT_CRITERIA[:n_standards]) + [3] * max(0, n_standards - len(DEFAULT_CRITERIA))
    elif isinstance(criteria_per_standard, int):
        counts = [criteria_per_standard] * n_standards
    else:
        counts = list(criteria_per_standard)
    Framework.objects.filter(urn=urn).update(is_latest=False)
    framework = Framework.objects.create(
        urn=urn,
        version=version,
        short_name=short_name,
        title=f"Standardy kvality sociálních služeb (test v{version})",
        source="tests",
        pass_rule=dict(PASS_RULE),
        checksum=hashlib.sha256(f"{urn}{version}".encode()).hexdigest(),
        is_latest=True,
    )
    scale = Scale.objects.create(framework=framework, key="points", name="Body 0–3", max_score=Decimal(3))
    labels = ("nesplněno", "částečně splněno", "splněno", "splněno výborně")
    for score, label in enumerate(labels):
        ScaleValue.objects.create(scale=scale, key=str(score), label=f"{score} – {label}", score=score, order=score)
    ScaleValue.objects.create(scale=scale, key="na", label="nehodnoceno", score=None, order=9)
    framework.default_scale = scale
    framework.save(update_fields=["default_scale"])
    order = 0
    for number in range(1, n_standards + 1):
        order += 1
        standard = Requirement.objects.create(
            framework=framework,
            ref_id=str(number),
            kind=Requirement.Kind.STANDARD,
            order=order,
            depth=0,
            title=f"Standard {number}",
        )
        for index in range(counts[number - 1]):
            order += 1
            letter = "abcdefghij"[index]
            Requirement.objects.create(
                framework=framework,
                parent=standard,
                ref_id=f"{number}{letter}",
                kind=Requirement.Kind.CRITERION,
                order=order,
                depth=1,
                title=f"Kritérium {number}{letter}",
                assessable=True,
                essential=index == 0 and (number - 1) % essential_every == 0,
                typical_evidence=[f"Doklad ke kritériu {number}{letter}"],
            )
    if adopt_rules:
        adopt_test_rules(framework)
    return framework


def adopt_test_rules(framework: Framework) -> RuleSetAdoption:
    """Record the adoption of the framework's rule set by an inactive user ``rules-adopter`` (tests, demos)."""
    from django.contrib.auth import get_user_model

    user, _created = get_user_model().objects.get_or_create(
        username="rules-adopter", defaults={"is_active": False, "first_name": "Správce", "last_name": "pravidel"}
    )
    adoption, _created = RuleSetAdoption.objects.get_or_create(
        framework=framework, defaults={"adopted_by": user, "note": "tests"}
    )
    framework.__dict__.pop("_rule_status", None)
    return adoption


def criteria(framework: Framework) -> list[Requirement]:
    return list(framework.requirements.filter(assessable=True).order_by("order"))


def scale_value(framework: Framework, key: str) -> ScaleValue:
    return ScaleValue.objects.get(scale_id=framework.default_scale_id, key=key)


def make_assessment(
    organisation: Organisation,
    *,
    kind: str = Assessment.Kind.SELF,
    state: str = Assessment.State.DRAFT,
    service=None,
    framework: Framework | None = None,
    auditing_organisation: Organisation | None = None,
    assigned_by: Organisation | None = None,
    fill: str | dict[str, str] | None = None,
    title: str | None = None,
    internal_notes: str = "",
    **extra,
) -> Assessment:
    """An assessment; ``fill="2"`` records value 2 on every criterion, ``fill={"1a": "3"}`` only on some."""
    from django.utils import timezone

    framework = framework or make_framework()
    assessment = Assessment.objects.create(
        organisation=organisation,
        service=service,
        framework=framework,
        kind=kind,
        state=state,
        title=title or f"Hodnocení {next(_seq)}",
        auditing_organisation=auditing_organisation,
        assigned_by=assigned_by,
        internal_notes=internal_notes,
        published_at=timezone.now() if state in (Assessment.State.PUBLISHED, Assessment.State.CLOSED) else None,
        **extra,
    )
    if fill:
        values = {v.key: v for v in ScaleValue.objects.filter(scale_id=framework.default_scale_id)}
        plan = {r.ref_id: fill for r in criteria(framework)} if isinstance(fill, str) else fill
        by_ref = {r.ref_id: r for r in criteria(framework)}
        Result.objects.bulk_create(
            Result(assessment=assessment, requirement=by_ref[ref], value=values[key], score=values[key].score)
            for ref, key in plan.items()
        )
    return assessment


def make_result(assessment: Assessment, ref_id: str, key: str | None = "2", **extra) -> Result:
    requirement = assessment.framework.requirements.get(ref_id=ref_id)
    value = scale_value(assessment.framework, key) if key is not None else None
    result, _ = Result.objects.update_or_create(
        assessment=assessment,
        requirement=requirement,
        defaults={"value": value, "score": value.score if value else None, **extra},
    )
    return result


def make_finding(result: Result, *, kind: str = Finding.Kind.MINOR, text: str = "Zjištění", **extra) -> Finding:
    return Finding.objects.create(result=result, kind=kind, text=text, **extra)


def make_evidence(
    organisation: Organisation,
    *,
    title: str | None = None,
    content: bytes = PDF_BYTES,
    name: str = "doklad.pdf",
    store: bool = True,
    versions: int = 1,
    **extra,
) -> Evidence:
    """Evidence with ``versions`` versions of a small PDF. ``store=False`` records the versions without writing
    a file (for tests that never download it)."""
    evidence = Evidence.objects.create(organisation=organisation, title=title or f"Doklad {next(_seq)}", **extra)
    for number in range(1, versions + 1):
        version = EvidenceVersion(
            evidence=evidence,
            number=number,
            original_name=name,
            size=len(content),
            content_type="application/pdf",
            sha256=hashlib.sha256(content).hexdigest(),
        )
        if store:
            version.file.save(name, ContentFile(content), save=False)
        else:
            version.file.name = f"evidence/{organisation.pk}/{evidence.pk}/v{number}-{name}"
        version.save()
    return evidence


def link_provider_to_registry(organisation: Organisation, *, service_name: str = "Domov U Lip", region=None, **kw):
    """A registry provider (with the organisation's IČO, for readability only) with one service with a facility
    in ``region`` (the organisation's region by default), and a VERIFIED link of the organisation to it – as a
    verified claim leaves it. Returns the service."""
    from qmss.registry.models import Provider
    from qmss.registry.testing import link_verified, make_provider, make_service

    provider = Provider.objects.filter(ico=organisation.ico).first() if organisation.ico else None
    if provider is None:
        provider = make_provider(f"Poskytovatel IČO {organisation.ico}", ico=organisation.ico or None)
    link_verified(organisation, provider)
    region = region or organisation.region
    facilities = [{"region": region, "name": service_name}] if region is not None else []
    return make_service(provider, name=service_name, facilities=facilities, **kw)


def matrix_kwargs(tenant) -> dict[str, int]:
    """URL parameters of the assessment pages for the URL × role matrix: an audit of tenant's provider with a
    result, a finding and linked evidence (a stored file), and a self-assessment of the service (created on call;
    names and the file carry the provider's name, a tenant secret). Needs a MEDIA_ROOT for the file."""
    from qmss.core.roles import OrganisationKind

    provider = tenant.orgs[OrganisationKind.PROVIDER]
    framework = make_framework()
    service = link_provider_to_registry(provider, service_name=f"Služba {provider.ico}", region=tenant.region)
    audit = make_assessment(
        provider,
        kind=Assessment.Kind.AUDIT,
        state=Assessment.State.IN_PROGRESS,
        service=service,
        framework=framework,
        auditing_organisation=tenant.orgs[OrganisationKind.AUDIT_BODY],
        fill={"1a": "2"},
        title=f"Audit {provider.name}",
        internal_notes=f"Poznámka {provider.name}",
    )
    result = audit.results.get()
    finding = make_finding(result, text=f"Zjištění {provider.name}")
    # The file itself carries a secret too: a leaked download shows it.
    content = PDF_BYTES.replace(b"%%EOF", f"% Doklad {provider.name}\n%%EOF".encode())
    evidence = make_evidence(provider, title=f"Doklad {provider.name}", content=content)
    result.evidence.add(evidence)
    make_assessment(provider, service=service, framework=framework, fill="2", title=f"Sebehodnocení {provider.name}")
    return {
        "assessment_pk": audit.pk,
        "requirement_pk": result.requirement_id,
        "finding_pk": finding.pk,
        "evidence_pk": evidence.pk,
        "version_pk": evidence.versions.get().pk,
    }
