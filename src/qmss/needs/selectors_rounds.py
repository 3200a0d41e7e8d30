"""Reads of data-collection rounds and submissions, scoped.

Who sees what: the staff of a regional authority see the rounds of their region and every submission in them;
members of a provider organisation see the submissions of the services of the registry provider their
organisation is verified to be (and the rounds those belong to); a superuser sees all. Nobody else sees any.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from qmss.core.roles import OrganisationKind, Perm
from qmss.core.scoping import Scope, get_object_or_404_scoped
from qmss.needs.models import CollectionRound, Submission, SubmissionComment, SubmissionValue
from qmss.registry.models import ProviderLink

OPEN_STATES = (Submission.State.DRAFT, Submission.State.RETURNED)
DONE_STATES = (Submission.State.SUBMITTED, Submission.State.APPROVED)


# --- scoping ----------------------------------------------------------------------------------------------------


def _provider_condition(scope: Scope, perm: str = Perm.VIEW, prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}service__provider__link__organisation_id__in": scope.organisation_ids(perm),
            f"{prefix}service__provider__link__organisation__kind": OrganisationKind.PROVIDER,
        }
    )


def visible_submissions(scope: Scope, perm: str = Perm.VIEW) -> QuerySet[Submission]:
    """Submissions the scope may read: the region's staff all of their region's rounds, a provider its own
    services' submissions (rounds in preparation have none)."""
    qs = Submission.objects.all()
    if scope.is_superuser:
        return qs
    if not scope.is_authenticated:
        return qs.none()
    return qs.filter(Q(round__region_id__in=scope.region_ids(perm)) | _provider_condition(scope, perm))


def visible_rounds(scope: Scope, perm: str = Perm.VIEW) -> QuerySet[CollectionRound]:
    """Rounds the scope may read: the region's own rounds, and for a provider the rounds it reports in."""
    qs = CollectionRound.objects.all()
    if scope.is_superuser:
        return qs
    if not scope.is_authenticated:
        return qs.none()
    own = Submission.objects.filter(_provider_condition(scope, perm), round=OuterRef("pk"))
    return qs.filter(Q(region_id__in=scope.region_ids(perm)) | Exists(own))


def get_round(scope: Scope, pk: int) -> CollectionRound:
    """A visible round (404 otherwise)."""
    qs = visible_rounds(scope).select_related("region", "organisation", "template", "taxonomy")
    return get_object_or_404_scoped(qs, pk=pk)


def get_submission(scope: Scope, pk: int) -> Submission:
    """A visible submission with its round and service (404 otherwise)."""
    qs = visible_submissions(scope).select_related(
        "round", "round__region", "round__organisation", "service", "service__provider", "service__kind"
    )
    return get_object_or_404_scoped(qs, pk=pk)


# --- permissions --------------------------------------------------------------------------------------------------


def provider_organisation_ids(submission: Submission) -> list[int]:
    """The QMSS organisations verified as the submission's service's provider (at most one)."""
    cached = getattr(submission, "_provider_org_ids", None)
    if cached is None:
        cached = list(
            ProviderLink.objects.filter(
                provider_id=submission.service.provider_id, organisation__kind=OrganisationKind.PROVIDER
            ).values_list("organisation_id", flat=True)
        )
        submission._provider_org_ids = cached
    return cached


def is_provider_member(scope: Scope, submission: Submission, perm: str = Perm.VIEW) -> bool:
    """Whether the scope has ``perm`` in the organisation verified as the service's provider (not superuser)."""
    return any(perm in scope.perms_in(org_id) for org_id in provider_organisation_ids(submission))


def can_fill(scope: Scope, submission: Submission) -> bool:
    """Whether the scope may write the submission's values now (provider editor, round open, draft/returned)."""
    return (
        (scope.is_superuser or is_provider_member(scope, submission, Perm.EDIT))
        and submission.round.state == CollectionRound.State.OPEN
        and submission.state in OPEN_STATES
    )


def can_manage_round(scope: Scope, round: CollectionRound) -> bool:
    """Whether the scope runs the round: staff with EDIT of a regional authority of the round's region."""
    return scope.is_superuser or round.region_id in scope.region_ids(Perm.EDIT)


def is_region_staff(scope: Scope, round: CollectionRound) -> bool:
    return scope.is_superuser or round.region_id in scope.region_ids(Perm.VIEW)


def managed_region_organisations(scope: Scope):
    """Regional authorities in which the scope may run rounds (Perm.EDIT), by name."""
    from qmss.core.models import Organisation

    qs = Organisation.objects.filter(kind=OrganisationKind.REGION, region__isnull=False).select_related("region")
    if not scope.is_superuser:
        qs = qs.filter(pk__in=scope.organisation_ids(Perm.EDIT))
    return qs.order_by("name")


# --- values ---------------------------------------------------------------------------------------------------


def submission_values(submission: Submission) -> dict[str, dict[str, Decimal]]:
    """The stored values of a submission: element code → category ("" = undivided) → value."""
    result: dict[str, dict[str, Decimal]] = {}
    rows = SubmissionValue.objects.filter(submission_id=submission.pk).values_list("element__code", "category", "value")
    for code, category, value in rows:
        result.setdefault(code, {})[category] = value
    return result


def values_of_submissions(submission_ids: Iterable[int]) -> dict[int, dict[str, dict[str, Decimal]]]:
    """``submission_values`` for many submissions in one query."""
    result: dict[int, dict[str, dict[str, Decimal]]] = {}
    rows = SubmissionValue.objects.filter(submission_id__in=list(submission_ids)).values_list(
        "submission_id", "element__code", "category", "value"
    )
    for submission_id, code, category, value in rows:
        result.setdefault(submission_id, {}).setdefault(code, {})[category] = value
    return result


def comments(submission: Submission) -> list[SubmissionComment]:
    return list(submission.comments.select_related("author").order_by("created_at", "pk"))


# --- lateness and completeness ------------------------------------------------------------------------------------


def is_late(submission: Submission, *, today: date | None = None) -> bool:
    """Submitted after the deadline, or not submitted and the deadline has passed."""
    deadline = submission.round.deadline
    if submission.submitted_at is not None:
        return timezone.localdate(submission.submitted_at) > deadline
    if submission.state in OPEN_STATES:
        return (today or timezone.localdate()) > deadline
    return False


def late_condition(round: CollectionRound, *, today: date | None = None) -> Q:
    """The database form of :func:`is_late` for the submissions of ``round``."""
    limit = timezone.make_aware(datetime.combine(round.deadline + timedelta(days=1), time.min))
    late = Q(submitted_at__gte=limit)
    if (today or timezone.localdate()) > round.deadline:
        late |= Q(submitted_at__isnull=True, state__in=OPEN_STATES)
    return late


@dataclass(frozen=True)
class Completeness:
    total: int
    by_state: dict[str, int]
    late: int

    @property
    def submitted(self) -> int:
        """Submitted or approved."""
        return self.by_state.get(Submission.State.SUBMITTED, 0) + self.by_state.get(Submission.State.APPROVED, 0)

    @property
    def approved(self) -> int:
        return self.by_state.get(Submission.State.APPROVED, 0)

    def percent(self, count: int) -> Decimal | None:
        return None if not self.total else Decimal(count * 100) / Decimal(self.total)

    @property
    def submitted_percent(self) -> Decimal | None:
        return self.percent(self.submitted)

    @property
    def approved_percent(self) -> Decimal | None:
        return self.percent(self.approved)

    def states(self) -> list[tuple[str, str, int]]:
        return [(value, label, self.by_state.get(value, 0)) for value, label in Submission.State.choices]


def completeness(round: CollectionRound) -> Completeness:
    """Counts of the round's submissions by state and the late ones (two queries)."""
    rows = Submission.objects.filter(round=round).values("state").annotate(n=Count("pk")).order_by()
    by_state = {row["state"]: row["n"] for row in rows}
    late = Submission.objects.filter(late_condition(round), round=round).count()
    return Completeness(total=sum(by_state.values()), by_state=by_state, late=late)


def completeness_of_rounds(rounds: list[CollectionRound]) -> dict[int, Completeness]:
    """Completeness for several rounds (one query for states, one per round for lateness only when overdue)."""
    result: dict[int, dict[str, int]] = {r.pk: {} for r in rounds}
    rows = (
        Submission.objects.filter(round__in=[r.pk for r in rounds])
        .values("round_id", "state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        result[row["round_id"]][row["state"]] = row["n"]
    late_q = Q(pk__in=[])
    for r in rounds:
        late_q |= Q(late_condition(r), round_id=r.pk)
    late_rows = (
        Submission.objects.filter(late_q).values("round_id").annotate(n=Count("pk")).order_by() if rounds else []
    )
    late = {row["round_id"]: row["n"] for row in late_rows}
    return {
        r.pk: Completeness(total=sum(result[r.pk].values()), by_state=result[r.pk], late=late.get(r.pk, 0))
        for r in rounds
    }


# --- services in a round's scope ------------------------------------------------------------------------------


def services_in_scope(
    *, region_id: int, period_start: date, period_end: date, kind_codes=(), form_keys=(), orp_codes=()
) -> QuerySet:
    """Registry services with a facility in the region, registered during the period, narrowed by kinds, delivery
    forms and ORPs (of a facility) when given; in Czech order of names."""
    from qmss.registry.models import Facility, Service, ServiceForm
    from qmss.registry.selectors import in_regions_condition

    qs = (
        Service.objects.defer("snapshot")
        .filter(in_regions_condition([region_id]))
        .filter(Q(date_from__isnull=True) | Q(date_from__lte=period_end))
        .filter(Q(date_to__isnull=True) | Q(date_to__gte=period_start))
    )
    if kind_codes:
        qs = qs.filter(kind__code__in=list(kind_codes))
    if form_keys:
        qs = qs.filter(Exists(ServiceForm.objects.filter(service=OuterRef("pk"), form__key__in=list(form_keys))))
    if orp_codes:
        codes = [int(code) for code in orp_codes]
        qs = qs.filter(Exists(Facility.objects.filter(service=OuterRef("pk"), municipality__orp__ruian_code__in=codes)))
    return qs.select_related("kind", "provider").order_by("name_sort", "portal_id")


def round_services(round: CollectionRound) -> QuerySet:
    return services_in_scope(
        region_id=round.region_id,
        period_start=round.period_start,
        period_end=round.period_end,
        kind_codes=round.kind_codes,
        form_keys=round.form_keys,
        orp_codes=round.orp_codes,
    )


def registry_facts(services) -> dict[int, dict]:
    """Per service: kind, delivery forms and registered capacities by unit, as a JSON snapshot (three queries)."""
    from qmss.registry.models import Capacity, ServiceForm

    services = list(services)
    ids = [s.pk for s in services]
    forms: dict[int, list[str]] = {}
    for service_id, key in ServiceForm.objects.filter(service_id__in=ids).values_list("service_id", "form__key"):
        if key and key not in forms.setdefault(service_id, []):
            forms[service_id].append(key)
    capacities: dict[int, list[dict]] = {}
    rows = (
        Capacity.objects.filter(service_form__service_id__in=ids)
        .values_list(
            "service_form__service_id",
            "service_form__form__key",
            "capacity_type__code",
            "capacity_type__unit",
            "type_code",
            "count",
        )
        .order_by("service_form__service_id", "pk")
    )
    for service_id, form_key, type_code, unit, raw_code, count in rows:
        capacities.setdefault(service_id, []).append(
            {"form": form_key or "", "type": type_code or raw_code, "unit": unit or "", "count": count}
        )
    facts = {}
    for service in services:
        caps = capacities.get(service.pk, [])
        primary = next((c for c in caps if c["form"] == "residential"), caps[0] if caps else None)
        facts[service.pk] = {
            "kind": service.kind.code if service.kind_id else "",
            "kind_name": service.kind.name if service.kind_id else service.kind_code,
            "forms": sorted(forms.get(service.pk, [])),
            "capacities": caps,
            "capacity": sum(c["count"] for c in caps if c["type"] == primary["type"]) if primary else None,
            "capacity_unit": primary["unit"] if primary else "",
        }
    return facts


# --- lists of the pages -------------------------------------------------------------------------------------------


def round_list(scope: Scope) -> list[CollectionRound]:
    """Rounds the scope runs or reports in, newest period first."""
    return list(visible_rounds(scope).select_related("region", "organisation").order_by("-period_end", "name"))


def round_submissions(round: CollectionRound, *, state: str = "", kind: str = "") -> QuerySet[Submission]:
    """The round's submissions for its page, filtered by state ("late" = late ones) and kind code."""
    qs = Submission.objects.filter(round=round).select_related("service", "service__kind", "service__provider")
    if state == "late":
        qs = qs.filter(late_condition(round))
    elif state in Submission.State.values:
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(registry_facts__kind=kind)
    return qs.order_by("service__name_sort", "service__portal_id")


def round_kinds(round: CollectionRound) -> list[tuple[str, str]]:
    """(kind code, kind name) of the round's services, in Czech order."""
    from qmss.core.collation import czech_sorted

    pairs = {
        (facts.get("kind", ""), facts.get("kind_name", ""))
        for facts in Submission.objects.filter(round=round).values_list("registry_facts", flat=True)
    }
    return czech_sorted([p for p in pairs if p[0]], key=lambda p: p[1])


def my_submissions(scope: Scope) -> QuerySet[Submission]:
    """The submissions of the services of the scope's verified provider organisations (not the region's view)."""
    if not scope.is_authenticated:
        return Submission.objects.none()
    return (
        Submission.objects.filter(_provider_condition(scope))
        .exclude(round__state=CollectionRound.State.DRAFT)
        .select_related("round", "service")
        .order_by("-round__period_end", "round__deadline", "service__name_sort")
    )


def open_rounds_of_regions(scope: Scope) -> list[CollectionRound]:
    """Open rounds of the regions the scope works for (dashboard)."""
    if not scope.region_ids():
        return []
    return list(
        CollectionRound.objects.filter(region_id__in=scope.region_ids(), state=CollectionRound.State.OPEN)
        .select_related("region")
        .order_by("deadline", "name")
    )


def to_fill(scope: Scope) -> list[Submission]:
    """The scope's provider submissions still to be filled in or corrected in open rounds (dashboard)."""
    return list(
        my_submissions(scope)
        .filter(state__in=OPEN_STATES, round__state=CollectionRound.State.OPEN)
        .order_by("round__deadline", "service__name_sort")
    )
