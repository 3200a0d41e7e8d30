"""The provider's and the auditor's work on the home dashboard, and the reads behind "Moje služby".

Registered on the core hook ``dashboard_sections`` (see :mod:`qmss.core.dashboard`): one call answers for every
panel of the user, in a constant number of queries however many organisations, services, assessments and
evidence there are.

* provider panel – the services of the registry provider the organisation is verified to be (its
  :class:`~qmss.registry.models.ProviderLink`), each with the latest self-assessment, audit and inspection;
  readiness alerts (the same questions as :mod:`qmss.assessments.readiness`, counted for all organisations at
  once); audits waiting for an auditor and membership invitations not yet accepted;
* audit-body panel – audits and consultations assigned to the body (``auditing_organisation``, set by
  ``actions.invite_auditor`` and ``actions.assign_audit``), newest change first.

Every read goes through :func:`qmss.assessments.selectors.visible_assessments`: a panel never shows an
assessment its user could not open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from qmss.assessments import readiness as readiness_rules
from qmss.assessments import selectors
from qmss.assessments.lenses import LENSES
from qmss.assessments.models import Assessment, Evidence, Finding, Result
from qmss.assessments.permissions import AUDIT_KINDS, PUBLISHED_STATES
from qmss.core.collation import czech_sorted
from qmss.core.dashboard import Section
from qmss.core.models import Invitation, Organisation
from qmss.core.roles import OrganisationKind, Perm
from qmss.core.scoping import Scope
from qmss.registry.models import Facility, ProviderClaim, ProviderLink, Service

Kind, State = Assessment.Kind, Assessment.State

DASHBOARD_SERVICES = 10  # services shown in a provider's panel (all on the "My services" page)
DASHBOARD_AUDITS = 10  # audits shown in an audit body's panel
WAITING_STATES = (State.DRAFT, State.IN_PROGRESS)


# --- the provider's services with their latest assessments ------------------------------------------------------


@dataclass
class LensState:
    key: str
    label: str
    assessment: Assessment | None

    @property
    def day(self):
        a = self.assessment
        return None if a is None else (a.published_at or a.updated_at)


@dataclass
class ServiceRow:
    service: Service
    lenses: list[LensState] = field(default_factory=list)

    @property
    def registered(self) -> bool:
        today = timezone.localdate()
        s = self.service
        return (s.date_from is None or s.date_from <= today) and (s.date_to is None or s.date_to >= today)


@dataclass
class ReadinessAlerts:
    """Counts of what an inspector would ask about first (see :mod:`qmss.assessments.readiness`)."""

    self_assessment: Assessment | None = None
    essential_below: int = 0  # essential criteria scored below the threshold of the pass rule in force
    essential_unassessed: int = 0  # essential criteria without a result in the latest self-assessment
    without_evidence: int = 0  # criteria without linked evidence in the latest self-assessment
    expired: int = 0
    expiring: int = 0
    nonconformities: int = 0  # in the latest published audit and inspection

    @property
    def total(self) -> int:
        return (
            self.essential_below
            + self.essential_unassessed
            + self.without_evidence
            + self.expired
            + self.expiring
            + self.nonconformities
        )


@dataclass
class ProviderOverview:
    organisation: Organisation
    provider_name: str = ""
    provider_ico: str = ""
    claim_pending: bool = False
    services: list[ServiceRow] = field(default_factory=list)
    readiness: ReadinessAlerts | None = None
    audits_to_invite: list[Assessment] = field(default_factory=list)  # drafts: no auditor invited yet
    audits_waiting: list[Assessment] = field(default_factory=list)  # auditor invited, nothing recorded yet
    open_invitations: int = 0

    @property
    def linked(self) -> bool:
        return bool(self.provider_ico or self.provider_name)

    @property
    def pending_total(self) -> int:
        return len(self.audits_to_invite) + len(self.audits_waiting)


def _latest(qs, order=("-created_at", "-pk")):
    return Subquery(qs.order_by(*order).values("pk")[:1], output_field=IntegerField())


def _organisation_rows(scope: Scope, organisation_ids) -> list[Organisation]:
    """The provider organisations with their link, pending claim, open invitations and latest self-assessment,
    published audit and published inspection – one query."""
    visible = selectors.visible_assessments(scope).filter(organisation_id=OuterRef("pk"))
    published = visible.filter(state__in=PUBLISHED_STATES)
    link = ProviderLink.objects.filter(organisation_id=OuterRef("pk"))
    invitations = (
        Invitation.objects.filter(
            organisation_id=OuterRef("pk"),
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .order_by()
        .values("organisation_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return list(
        Organisation.objects.filter(pk__in=list(organisation_ids), kind=OrganisationKind.PROVIDER).annotate(
            linked_provider_name=Subquery(link.values("provider__name")[:1]),
            linked_provider_ico=Subquery(link.values("provider__ico")[:1]),
            claim_pending=Exists(
                ProviderClaim.objects.filter(organisation_id=OuterRef("pk"), state=ProviderClaim.State.PENDING)
            ),
            open_invitations=Coalesce(Subquery(invitations, output_field=IntegerField()), Value(0)),
            latest_self_pk=_latest(visible.filter(kind=Kind.SELF)),
            latest_audit_pk=_latest(published.filter(kind__in=AUDIT_KINDS), ("-published_at", "-pk")),
            latest_inspection_pk=_latest(published.filter(kind=Kind.INSPECTION), ("-published_at", "-pk")),
        )
    )


def _service_rows(scope: Scope, organisation_ids) -> list[Service]:
    """Services of the verified providers of the organisations, each with its organisation (``org_id``) and the
    pk of its latest self-assessment / audit / inspection by that organisation – one query."""
    visible = selectors.visible_assessments(scope).filter(service_id=OuterRef("pk"), organisation_id=OuterRef("org_id"))
    annotations = {f"latest_{key}_pk": _latest(visible.filter(kind__in=kinds)) for key, (_l, kinds) in LENSES.items()}
    return list(
        Service.objects.filter(
            provider__link__organisation_id__in=list(organisation_ids),
            provider__link__organisation__kind=OrganisationKind.PROVIDER,
        )
        .annotate(org_id=F("provider__link__organisation_id"))
        .annotate(**annotations)
        .select_related("kind")
        .defer("snapshot", "unmapped_codes", "emails", "phones", "websites")
    )


def provider_overviews(scope: Scope, organisation_ids, *, readiness: bool = True) -> dict[int, ProviderOverview]:
    """What the provider panels and the "My services" page show for each provider organisation (by id)."""
    organisation_ids = set(organisation_ids)
    if not organisation_ids:
        return {}
    organisations = _organisation_rows(scope, organisation_ids)
    if not organisations:
        return {}
    ids = [o.pk for o in organisations]
    services = _service_rows(scope, ids)
    wanted = {getattr(s, f"latest_{key}_pk") for s in services for key in LENSES} - {None}
    waiting = Q(organisation_id__in=ids, kind__in=AUDIT_KINDS, state__in=WAITING_STATES)
    assessments = {
        a.pk: a
        for a in selectors.visible_assessments(scope)
        .filter(Q(pk__in=wanted) | waiting)
        .annotate(has_results=Exists(Result.objects.filter(assessment_id=OuterRef("pk"))))
        .select_related("auditing_organisation", "service")
        .defer("internal_notes", "summary", "inspection_team")
        .order_by("-created_at", "-pk")
    }
    overviews: dict[int, ProviderOverview] = {}
    for org in organisations:
        overviews[org.pk] = ProviderOverview(
            organisation=org,
            provider_name=org.linked_provider_name or "",
            provider_ico=org.linked_provider_ico or "",
            claim_pending=org.claim_pending,
            open_invitations=org.open_invitations,
        )
    for service in czech_sorted(services, key=lambda s: f"{s.name} {s.portal_id}"):
        row = ServiceRow(service=service)
        for key, (label, _kinds) in LENSES.items():
            row.lenses.append(LensState(key, label, assessments.get(getattr(service, f"latest_{key}_pk"))))
        overviews[service.org_id].services.append(row)
    for a in assessments.values():
        if a.organisation_id not in overviews or a.kind not in AUDIT_KINDS:
            continue
        if a.state == State.DRAFT and a.auditing_organisation_id is None:
            overviews[a.organisation_id].audits_to_invite.append(a)
        elif a.state == State.IN_PROGRESS and a.auditing_organisation_id and not a.has_results:
            overviews[a.organisation_id].audits_waiting.append(a)
    if readiness:
        for org_id, alerts in readiness_alerts(scope, organisations).items():
            overviews[org_id].readiness = alerts
    return overviews


def readiness_alerts(scope: Scope, organisations: list[Organisation]) -> dict[int, ReadinessAlerts]:
    """The readiness questions of :func:`qmss.assessments.readiness.inspection_readiness`, counted for every
    organisation at once (``organisations`` carry the latest pks annotated by ``_organisation_rows``)."""
    alerts = {org.pk: ReadinessAlerts() for org in organisations}
    today = timezone.localdate()
    for item in Evidence.objects.filter(organisation_id__in=list(alerts), expires_on__isnull=False).only(
        "pk", "organisation_id", "expires_on", "remind_days_before"
    ):
        status = selectors.expiry_status(item, today)
        if status == selectors.EXPIRY_EXPIRED:
            alerts[item.organisation_id].expired += 1
        elif status == selectors.EXPIRY_SOON:
            alerts[item.organisation_id].expiring += 1
    sources = {
        pk: org.pk for org in organisations for pk in (org.latest_audit_pk, org.latest_inspection_pk) if pk is not None
    }
    if sources:
        for assessment_id, n in (
            Finding.objects.filter(result__assessment_id__in=list(sources), kind__in=selectors.NONCONFORMITY_KINDS)
            .values("result__assessment_id")
            .annotate(n=Count("pk"))
            .values_list("result__assessment_id", "n")
        ):
            alerts[sources[assessment_id]].nonconformities += n
    self_ids = {org.latest_self_pk: org.pk for org in organisations if org.latest_self_pk is not None}
    framework = selectors.latest_framework()
    if not self_ids or framework is None:
        return alerts
    for assessment in Assessment.objects.filter(pk__in=list(self_ids)).only("pk", "title", "state", "kind"):
        alerts[self_ids[assessment.pk]].self_assessment = assessment
    threshold = readiness_rules.essential_threshold(framework)
    results: dict[int, dict[str, tuple]] = {pk: {} for pk in self_ids}
    for assessment_id, ref_id, value_id, score, n_evidence in (
        Result.objects.filter(assessment_id__in=list(self_ids))
        .annotate(n_evidence=Count("evidence"))
        .values_list("assessment_id", "requirement__ref_id", "value_id", "score", "n_evidence")
    ):
        results[assessment_id][ref_id] = (value_id, score, n_evidence)
    criteria = [c for _standard, block in selectors.requirement_tree(framework) for c in block]
    for assessment_id, org_id in self_ids.items():
        counts, found = alerts[org_id], results[assessment_id]
        for criterion in criteria:
            value_id, score, n_evidence = found.get(criterion.ref_id, (None, None, 0))
            if not n_evidence:
                counts.without_evidence += 1
            if not criterion.essential:
                continue
            if value_id is None:
                counts.essential_unassessed += 1
            elif threshold is not None and score is not None and Decimal(score) < threshold:
                counts.essential_below += 1
    return alerts


# --- the auditor's assigned audits --------------------------------------------------------------------------------


def assigned_audits(scope: Scope, organisation_ids, limit: int = DASHBOARD_AUDITS):
    """Audits and consultations assigned to the audit bodies (newest change first), at most ``limit`` each, and
    how many each body has in all: ``({org_id: [assessment]}, {org_id: total})`` – one query (window functions
    number the rows and count them per body)."""
    organisation_ids = [pk for pk in organisation_ids if Perm.AUDIT in scope.perms_in(pk) or scope.is_superuser]
    if not organisation_ids:
        return {}, {}
    rows = (
        selectors.visible_assessments(scope)
        .filter(kind__in=AUDIT_KINDS, auditing_organisation_id__in=organisation_ids)
        .annotate(
            body_total=Window(Count("pk"), partition_by=[F("auditing_organisation_id")]),
            body_row=Window(
                RowNumber(),
                partition_by=[F("auditing_organisation_id")],
                order_by=[F("updated_at").desc(), F("pk").desc()],
            ),
        )
        .filter(body_row__lte=limit)
        .select_related("organisation", "service", "assigned_by")
        .defer("internal_notes", "summary", "inspection_team", "service__snapshot")
        .order_by("-updated_at", "-pk")
    )
    by_org: dict[int, list[Assessment]] = {}
    totals: dict[int, int] = {}
    for a in rows:
        totals[a.auditing_organisation_id] = a.body_total
        by_org.setdefault(a.auditing_organisation_id, []).append(a)
    return by_org, totals


# --- the hook -----------------------------------------------------------------------------------------------------


def dashboard_sections(request, scope: Scope, panels) -> list[Section]:
    """Core hook ``dashboard_sections``: the provider's services, readiness and pending invitations, and the
    auditor's assigned audits."""
    provider_panels = [p for p in panels if p.membership.organisation.kind == OrganisationKind.PROVIDER]
    audit_panels = [p for p in panels if p.membership.organisation.kind == OrganisationKind.AUDIT_BODY]
    sections: list[Section] = []
    if provider_panels:
        overviews = provider_overviews(scope, {p.membership.organisation_id for p in provider_panels})
        for panel in provider_panels:
            overview = overviews.get(panel.membership.organisation_id)
            if overview is None:
                continue
            shared = {
                "overview": overview,
                "can_edit": Perm.EDIT in panel.perms,
                "can_manage_members": Perm.MANAGE_MEMBERS in panel.perms,
            }
            for order, key in ((10, "services"), (20, "readiness"), (30, "invitations")):
                sections.append(
                    Section(
                        key=f"assessments.provider_{key}",
                        template=f"assessments/dashboard/provider_{key}.html",
                        context={**shared, "shown": overview.services[:DASHBOARD_SERVICES]},
                        membership_id=panel.membership.pk,
                        order=order,
                    )
                )
    if audit_panels:
        by_org, totals = assigned_audits(scope, {p.membership.organisation_id for p in audit_panels})
        for panel in audit_panels:
            org_id = panel.membership.organisation_id
            sections.append(
                Section(
                    key="assessments.auditor_audits",
                    template="assessments/dashboard/auditor_audits.html",
                    context={
                        "audits": by_org.get(org_id, []),
                        "total": totals.get(org_id, 0),
                        "may_audit": Perm.AUDIT in panel.perms,
                    },
                    membership_id=panel.membership.pk,
                    order=10,
                )
            )
    return sections


# --- "My services": the workspace of one service -----------------------------------------------------------


def can_open_service_workspace(scope: Scope, service: Service, organisation: Organisation | None) -> bool:
    """Members of the provider organisation verified as the service's provider; staff of a region where the
    service has a facility (they read its published assessments, as ``visible_assessments`` allows); superusers."""
    if scope.is_superuser:
        return True
    if not scope.is_authenticated:
        return False
    if organisation is not None and scope.has_perm(Perm.VIEW, organisation.pk):
        return True
    regions = scope.region_ids()
    return bool(regions) and Facility.objects.filter(service=service, region_id__in=regions).exists()


def latest_per_lens(assessments) -> list[LensState]:
    """The newest assessment of each lens among ``assessments`` (given newest first)."""
    lenses = []
    for key, (label, kinds) in LENSES.items():
        lenses.append(LensState(key, label, next((a for a in assessments if a.kind in kinds), None)))
    return lenses
