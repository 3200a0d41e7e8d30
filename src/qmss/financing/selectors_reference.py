"""Reads of reference values. Sets are published data: everyone may read them (``qmss.financing.permissions``);
the manager organisation's name is shown to its members only (public pages name the territory it governs)."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, QuerySet

from qmss.core.collation import czech_sorted
from qmss.core.models import Organisation
from qmss.core.roles import Perm
from qmss.core.scoping import Scope
from qmss.financing import permissions
from qmss.financing.models import ReferenceValue, ReferenceValueSet


def _with_state(qs: QuerySet) -> QuerySet:
    newer = ReferenceValueSet.objects.filter(
        organisation_id=OuterRef("organisation_id"), year=OuterRef("year"), version__gt=OuterRef("version")
    )
    return qs.annotate(superseded=Exists(newer), value_count=Count("values", distinct=True)).select_related(
        "organisation__region", "organisation__municipality"
    )


def reference_sets(*, organisation_id: int | None = None, year: int | None = None) -> QuerySet:
    """All sets (public), newest year and version first; ``superseded`` and ``value_count`` annotated."""
    qs = ReferenceValueSet.objects.all()
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    if year is not None:
        qs = qs.filter(year=year)
    return _with_state(qs).order_by("-year", "organisation_id", "-version")


def get_reference_set(reference_set_pk: int) -> ReferenceValueSet | None:
    return _with_state(ReferenceValueSet.objects.filter(pk=reference_set_pk)).select_related("created_by").first()


def set_values(reference_set: ReferenceValueSet) -> list[ReferenceValue]:
    """The set's values by kind (registry order) and form, any-form row first."""
    values = ReferenceValue.objects.filter(reference_set=reference_set).select_related("kind", "form")
    return sorted(
        values, key=lambda v: (v.kind.order, v.kind.code, v.form_id is not None, v.form.code if v.form_id else "")
    )


def versions(reference_set: ReferenceValueSet) -> QuerySet:
    """Every version of the same manager and year, newest first."""
    return _with_state(
        ReferenceValueSet.objects.filter(organisation_id=reference_set.organisation_id, year=reference_set.year)
    ).order_by("-version")


def territory(organisation: Organisation) -> str:
    """The territory a manager governs: the municipality's or the region's name (public)."""
    if organisation.municipality_id:
        return organisation.municipality.name
    if organisation.region_id:
        return organisation.region.name
    return ""


def manager_name(scope: Scope, organisation: Organisation) -> str:
    """The manager organisation's name for its members (and superusers), else the territory."""
    if scope.is_superuser or organisation.pk in scope.organisation_ids(Perm.VIEW):
        return organisation.name
    return territory(organisation)


def manager_choices() -> list[tuple[int, str]]:
    """(organisation pk, territory) of every manager with a set, by Czech collation (for the list's filter)."""
    ids = ReferenceValueSet.objects.values("organisation_id").distinct()
    organisations = Organisation.objects.filter(pk__in=ids).select_related("region", "municipality")
    return czech_sorted([(org.pk, territory(org) or str(org.pk)) for org in organisations], key=lambda item: item[1])


def years() -> list[int]:
    return list(ReferenceValueSet.objects.order_by("-year").values_list("year", flat=True).distinct())


def importable_organisations(scope: Scope) -> list[Organisation]:
    """Organisations the user may import reference values for (regions and municipalities it manages)."""
    from qmss.core.roles import OrganisationKind

    qs = Organisation.objects.filter(kind__in=(OrganisationKind.REGION, OrganisationKind.MUNICIPALITY))
    if not scope.is_superuser:
        qs = qs.filter(pk__in=permissions.manager_organisation_ids(scope))
    return czech_sorted(
        [org for org in qs if permissions.can_manage_reference_values(scope, org)], key=lambda org: org.name
    )
