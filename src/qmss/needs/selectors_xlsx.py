"""Reads of the XLSX templates: which submissions of a round the user may fill by a workbook, as the builder and
the parser of :mod:`qmss.needs.xlsx` see them (a constant number of queries, whatever the number of services)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q, QuerySet

from qmss.core.models import Organisation
from qmss.core.roles import OrganisationKind, Perm
from qmss.core.scoping import Scope
from qmss.needs.layout import applies, form_layout, prefill_many, unit_for
from qmss.needs.models import CollectionRound, Submission
from qmss.needs.selectors_rounds import OPEN_STATES, values_of_submissions, visible_submissions
from qmss.needs.xlsx import Row, ServiceBlock


def provider_organisations(scope: Scope, round: CollectionRound) -> list[Organisation]:
    """The user's provider organisations (with the right to edit) verified as providers of services in the round."""
    if not scope.is_authenticated:
        return []
    qs = Organisation.objects.filter(
        kind=OrganisationKind.PROVIDER, provider_link__provider__services__submissions__round=round
    )
    if not scope.is_superuser:
        qs = qs.filter(pk__in=scope.organisation_ids(Perm.EDIT))
    return list(qs.distinct().order_by("name"))


def fillable_submissions(scope: Scope, round: CollectionRound, organisation_id: int | None = None) -> QuerySet:
    """Submissions of ``round`` the user may fill now: an editor of the service's verified provider organisation
    (a superuser: any), the round open, the submission being filled in or returned for correction."""
    if round.state != CollectionRound.State.OPEN or not scope.is_authenticated:
        return Submission.objects.none()
    qs = Submission.objects.filter(round=round, state__in=OPEN_STATES)
    if not scope.is_superuser:
        org_ids = scope.organisation_ids(Perm.EDIT)
        if organisation_id is not None:
            org_ids = org_ids & {organisation_id}
        qs = qs.filter(
            service__provider__link__organisation_id__in=org_ids,
            service__provider__link__organisation__kind=OrganisationKind.PROVIDER,
        )
    elif organisation_id is not None:
        qs = qs.filter(service__provider__link__organisation_id=organisation_id)
    return qs.select_related("round", "service").order_by("service__name_sort", "service__portal_id")


def other_portal_ids(scope: Scope, round: CollectionRound, fillable_ids) -> set[int]:
    """Services of the round the user sees but may not fill now (named as such when an upload has them)."""
    rows = (
        visible_submissions(scope)
        .filter(round=round)
        .exclude(pk__in=list(fillable_ids))
        .values_list("service__portal_id", flat=True)
    )
    return set(rows)


def _form_names() -> dict[str, str]:
    from qmss.registry.models import DeliveryForm

    return dict(DeliveryForm.objects.filter(~Q(key="")).values_list("key", "name"))


def _capacity_text(facts: dict) -> str:
    parts = []
    for capacity in facts.get("capacities") or []:
        parts.append(f"{capacity.get('count')} {capacity.get('unit') or capacity.get('type') or ''}".strip())
    return ", ".join(parts)


def _rows(layout, submission) -> list[Row]:
    rows = []
    for spec in layout.elements:
        if not applies(spec, submission):
            continue
        unit = unit_for(spec, submission)
        for code, name in spec.categories:
            rows.append(
                Row(
                    code=spec.code,
                    category=code,
                    element_name=spec.name,
                    category_name=name,
                    unit=unit,
                    value_type=spec.value_type,
                    locked=spec.locked,
                    min_value=spec.min_value if spec.min_value is not None else Decimal(0),
                    max_value=spec.max_value,
                )
            )
    return rows


def service_blocks(submissions) -> list[ServiceBlock]:
    """The submissions as workbook blocks: registry facts, rows (element × category of the elements that apply)
    and current values (stored values; locked cells fall back to their pre-fill)."""
    submissions = list(submissions)
    if not submissions:
        return []
    round = submissions[0].round
    layout = form_layout(round)
    stored = values_of_submissions([s.pk for s in submissions])
    prefills = prefill_many(submissions)
    form_names = _form_names()
    blocks = []
    shared: dict[tuple, list[Row]] = {}  # services of the same forms and capacity unit have the same rows
    for submission in submissions:
        facts = submission.registry_facts or {}
        signature = (tuple(facts.get("forms") or ()), facts.get("capacity_unit") or "", "forms" in facts)
        rows = shared.get(signature)
        if rows is None:
            rows = shared[signature] = _rows(layout, submission)
        values: dict[tuple[str, str], Decimal] = {}
        for code, per_category in stored.get(submission.pk, {}).items():
            for category, value in per_category.items():
                values[(code, category)] = value
        for key, value in prefills.get(submission.pk, {}).items():
            values.setdefault(key, value)
        service = submission.service
        blocks.append(
            ServiceBlock(
                submission_pk=submission.pk,
                portal_id=service.portal_id,
                name=service.name,
                kind=facts.get("kind_name") or "",
                forms=", ".join(form_names.get(key, key) for key in facts.get("forms") or []),
                capacity=_capacity_text(facts),
                rows=rows,
                values=values,
            )
        )
    return blocks
