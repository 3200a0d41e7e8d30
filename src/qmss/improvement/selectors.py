"""Reads of the process map, KPIs, development plans and actions – every one scoped by the user's Scope.

Provider members with VIEW see their organisation's processes and plans; everybody else gets 404. Region staff
see only the aggregates of :mod:`qmss.improvement.selectors_region`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from qmss.assessments.models import Assessment, Evidence, Finding
from qmss.assessments.permissions import PUBLISHED_STATES
from qmss.core.models import Organisation
from qmss.core.roles import OrganisationKind, Perm
from qmss.core.scoping import Scope, get_object_or_404_scoped
from qmss.frameworks.models import Requirement
from qmss.improvement.models import Action, DevelopmentPlan, Kpi, KpiMeasurement, Process
from qmss.needs.indicators import kpi_values_many
from qmss.registry.models import Service
from qmss.registry.selectors_links import linked_services

KIND_ORDER = {kind: index for index, kind in enumerate(Process.Kind.values)}
NONCONFORMITY_KINDS = (Finding.Kind.MAJOR, Finding.Kind.MINOR)
UPCOMING_DAYS = 7
DASHBOARD_ITEMS = 5
DASHBOARD_LIMIT = 300


def today() -> date:
    return timezone.localdate()


# --- organisations and members --------------------------------------------------------------------------


def get_provider(scope: Scope, organisation_pk: int, perm: str = Perm.VIEW) -> Organisation:
    """A provider organisation whose process map and plans the user may see (404 otherwise)."""
    qs = Organisation.objects.filter(kind=OrganisationKind.PROVIDER)
    if not scope.is_superuser:
        qs = qs.filter(pk__in=scope.organisation_ids(perm))
    return get_object_or_404_scoped(qs, pk=organisation_pk)


def provider_organisations(scope: Scope, perm: str = Perm.VIEW) -> QuerySet[Organisation]:
    qs = Organisation.objects.filter(kind=OrganisationKind.PROVIDER).order_by("name", "pk")
    return qs if scope.is_superuser else qs.filter(pk__in=scope.organisation_ids(perm))


def member_users(organisation: Organisation) -> QuerySet:
    """Active users who are members of the organisation (owners of processes and actions)."""
    return (
        get_user_model()
        .objects.filter(memberships__organisation=organisation, is_active=True)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def organisation_services(organisation: Organisation) -> QuerySet[Service]:
    """Registry services of the provider through its verified link (none while unverified)."""
    return linked_services(organisation).order_by("name", "portal_id")


def organisation_evidence(organisation: Organisation) -> QuerySet[Evidence]:
    return Evidence.objects.filter(organisation=organisation).order_by("title", "pk")


def requirement_choices(selected: QuerySet | None = None) -> QuerySet[Requirement]:
    """Requirements of the latest framework versions (and any already linked), for linking."""
    condition = Q(framework__is_latest=True)
    if selected is not None:
        condition |= Q(pk__in=selected.values("pk"))
    return (
        Requirement.objects.filter(condition)
        .select_related("framework")
        .order_by("framework__short_name", "framework__version", "order")
    )


def published_findings(organisation: Organisation) -> QuerySet[Finding]:
    """Nonconformities and other findings of the organisation's published assessments, for linking to actions."""
    return (
        Finding.objects.filter(
            result__assessment__organisation=organisation, result__assessment__state__in=PUBLISHED_STATES
        )
        .select_related("result__requirement", "result__assessment")
        .order_by("-result__assessment__published_at", "result__requirement__order", "pk")
    )


def published_assessments_of(organisation: Organisation) -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(organisation=organisation, state__in=PUBLISHED_STATES)
        .select_related("service", "framework")
        .order_by("-published_at", "-pk")
    )


def organisation_kpis(organisation: Organisation) -> QuerySet[Kpi]:
    return (
        Kpi.objects.filter(process__organisation=organisation)
        .select_related("process")
        .order_by("process__order", "process__code", "order", "pk")
    )


# --- processes ------------------------------------------------------------------------------------------


def visible_processes(scope: Scope) -> QuerySet[Process]:
    return scope.filter_owned(Process.objects.all())


def get_process(scope: Scope, process_pk: int) -> Process:
    qs = visible_processes(scope).select_related("organisation", "owner", "parent")
    return get_object_or_404_scoped(qs, pk=process_pk)


def _m2m_count(field_name: str):
    through = Process._meta.get_field(field_name).remote_field.through
    counts = through.objects.filter(process_id=OuterRef("pk")).values("process_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counts[:1], output_field=IntegerField()), Value(0))


def _kpi_count():
    counts = Kpi.objects.filter(process_id=OuterRef("pk")).values("process_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counts[:1], output_field=IntegerField()), Value(0))


@dataclass
class ProcessGroup:
    kind: str
    label: str
    processes: list[Process] = field(default_factory=list)  # top-level, each with .subprocesses


def process_tree(processes) -> list[ProcessGroup]:
    """Top-level processes grouped by type (management, main, support), sub-processes attached as
    ``.subprocesses`` – built in Python from one list."""
    children: dict[int, list[Process]] = defaultdict(list)
    for process in processes:
        if process.parent_id:
            children[process.parent_id].append(process)
    groups = {kind: ProcessGroup(kind=kind, label=label) for kind, label in Process.Kind.choices}
    for process in processes:
        if process.parent_id is None:
            process.subprocesses = children.get(process.pk, [])
            groups[process.kind].processes.append(process)
    return list(groups.values())


def process_list(organisation: Organisation) -> list[ProcessGroup]:
    """The organisation's processes as a tree by type, with owner and link counts (one query)."""
    qs = (
        Process.objects.filter(organisation=organisation)
        .select_related("owner")
        .annotate(
            service_count=_m2m_count("services"),
            evidence_count=_m2m_count("evidence"),
            requirement_count=_m2m_count("requirements"),
            kpi_count=_kpi_count(),
        )
        .order_by("order", "code", "pk")
    )
    return process_tree(list(qs))


def map_processes(organisation: Organisation) -> list[ProcessGroup]:
    """What the visual map needs: codes, names and the tree (one query)."""
    qs = (
        Process.objects.filter(organisation=organisation)
        .only("pk", "kind", "parent_id", "code", "name", "order", "organisation_id")
        .order_by("order", "code", "pk")
    )
    return process_tree(list(qs))


def process_detail(process: Process) -> dict:
    """Everything the process page shows, in a fixed number of queries."""
    measurements = Prefetch("measurements", queryset=KpiMeasurement.objects.order_by("date", "pk"))
    kpis = list(process.kpis.prefetch_related(measurements).order_by("order", "pk"))
    collected = kpi_values_many(kpis)  # values of KPIs bound to a data-collection indicator
    for kpi in kpis:
        values = list(kpi.measurements.all())
        kpi.history = values
        kpi.latest = values[-1] if values else None
        kpi.on_target = kpi.meets_target(kpi.latest.value if kpi.latest else None)
        kpi.collected = collected.get(kpi.pk, [])
    return {
        "children": list(process.children.select_related("owner").order_by("order", "code", "pk")),
        "services": list(process.services.select_related("kind").order_by("name")),
        "evidence": list(process.evidence.order_by("title")),
        "requirements": list(process.requirements.select_related("framework").order_by("framework", "order")),
        "kpis": kpis,
    }


def get_kpi(scope: Scope, kpi_pk: int) -> Kpi:
    qs = Kpi.objects.select_related("process", "process__organisation")
    if not scope.is_superuser:
        qs = qs.filter(process__organisation_id__in=scope.organisation_ids(Perm.VIEW))
    return get_object_or_404_scoped(qs, pk=kpi_pk)


# --- development plans and actions ----------------------------------------------------------------------


def visible_plans(scope: Scope) -> QuerySet[DevelopmentPlan]:
    return scope.filter_owned(DevelopmentPlan.objects.all())


def visible_actions(scope: Scope) -> QuerySet[Action]:
    return scope.filter_owned(Action.objects.all(), org_field="plan__organisation")


def _action_counts() -> dict:
    day = today()
    open_q = Q(actions__status__in=Action.OPEN_STATUSES)
    return {
        "action_total": Count("actions"),
        "action_done": Count("actions", filter=Q(actions__status=Action.Status.DONE)),
        "action_overdue": Count("actions", filter=open_q & Q(actions__deadline__lt=day)),
    }


def plan_list(organisation: Organisation) -> QuerySet[DevelopmentPlan]:
    return (
        DevelopmentPlan.objects.filter(organisation=organisation)
        .select_related("service")
        .annotate(**_action_counts())
        .order_by("-period_start", "-pk")
    )


def get_plan(scope: Scope, plan_pk: int) -> DevelopmentPlan:
    qs = visible_plans(scope).select_related(
        "organisation", "service", "source_assessment", "source_assessment__framework", "created_by"
    )
    return get_object_or_404_scoped(qs, pk=plan_pk)


def plan_actions(plan: DevelopmentPlan) -> list[Action]:
    """The plan's actions with owner, links and an ``overdue`` flag, in a fixed number of queries."""
    day = today()
    actions = list(
        plan.actions.select_related("owner", "target_requirement", "target_kpi")
        .prefetch_related(
            Prefetch("findings", queryset=Finding.objects.select_related("result__requirement").order_by("pk")),
            Prefetch("requirements", queryset=Requirement.objects.select_related("framework").order_by("order")),
        )
        .order_by("order", "deadline", "pk")
    )
    for action in actions:
        action.overdue = action.is_overdue(day)
        action.due_soon = (
            action.is_open
            and not action.overdue
            and action.deadline is not None
            and (action.deadline <= day + timedelta(days=UPCOMING_DAYS))
        )
    return actions


def get_action(scope: Scope, action_pk: int) -> Action:
    qs = visible_actions(scope).select_related(
        "plan",
        "plan__organisation",
        "plan__service",
        "plan__source_assessment",
        "owner",
        "reviewed_by",
        "target_requirement",
        "target_requirement__framework",
        "target_kpi",
        "target_kpi__process",
    )
    action = get_object_or_404_scoped(qs, pk=action_pk)
    action.overdue = action.is_overdue(today())
    return action


def action_links(action: Action) -> dict:
    return {
        "findings": list(action.findings.select_related("result__requirement", "result__assessment").order_by("pk")),
        "requirements": list(action.requirements.select_related("framework").order_by("framework", "order")),
    }


def answers_nonconformity(action: Action) -> bool:
    """An action drafted from a nonconformity or an unmet essential criterion, or linked to a nonconformity."""
    if action.origin in (Action.Origin.NONCONFORMITY, Action.Origin.ESSENTIAL):
        return True
    if action.pk is None:
        return False
    return action.findings.filter(kind__in=NONCONFORMITY_KINDS).exists()


# --- dashboard ------------------------------------------------------------------------------------------


@dataclass
class DashboardActions:
    overdue: list[Action] = field(default_factory=list)
    upcoming: list[Action] = field(default_factory=list)
    overdue_count: int = 0
    upcoming_count: int = 0


def dashboard_actions(scope: Scope, user) -> dict[int, DashboardActions]:
    """Open actions of the user's provider organisations that are overdue or due within a week, by organisation
    id – in ONE query for all dashboard panels. Each action carries ``mine`` (the user is responsible)."""
    org_ids = scope.organisation_ids(Perm.VIEW)
    if not org_ids:
        return {}
    day = today()
    rows = (
        Action.objects.filter(
            plan__organisation_id__in=org_ids,
            status__in=Action.OPEN_STATUSES,
            deadline__lte=day + timedelta(days=UPCOMING_DAYS),
        )
        .exclude(plan__state=DevelopmentPlan.State.CLOSED)
        .select_related("plan", "owner")
        .order_by("deadline", "pk")[:DASHBOARD_LIMIT]
    )
    result: dict[int, DashboardActions] = {}
    for action in rows:
        bucket = result.setdefault(action.plan.organisation_id, DashboardActions())
        action.mine = user is not None and action.owner_id == user.pk
        if action.deadline < day:
            bucket.overdue_count += 1
            if len(bucket.overdue) < DASHBOARD_ITEMS:
                bucket.overdue.append(action)
        else:
            bucket.upcoming_count += 1
            if len(bucket.upcoming) < DASHBOARD_ITEMS:
                bucket.upcoming.append(action)
    return result


def dashboard_provider_figures(scope: Scope, user, organisation_ids) -> dict[int, DashboardActions]:
    """The core hook ``dashboard_provider_figures``: overdue and upcoming actions per provider organisation."""
    actions = dashboard_actions(scope, user)
    return {pk: actions[pk] for pk in organisation_ids if pk in actions}
