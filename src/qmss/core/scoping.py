"""The scoping layer: what a user may see and do, derived from their memberships.

Every protected selector takes a :class:`Scope` and filters with it; views never filter by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from qmss.core.roles import ROLE_PERMS, OrganisationKind, Perm


@dataclass(frozen=True)
class Grant:
    organisation_id: int
    organisation_kind: str
    role: str
    region_id: int | None
    municipality_id: int | None = None


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    is_superuser: bool = False
    grants: tuple[Grant, ...] = field(default_factory=tuple)

    # --- construction -------------------------------------------------------------------------
    @classmethod
    def anonymous(cls) -> Scope:
        return cls(user_id=None)

    @classmethod
    def for_user(cls, user) -> Scope:
        if user is None or not user.is_authenticated:
            return cls.anonymous()
        from qmss.core.models import Membership

        rows = Membership.objects.filter(user_id=user.pk, user__is_active=True).values_list(
            "organisation_id", "organisation__kind", "role", "organisation__region_id", "organisation__municipality_id"
        )
        return cls(
            user_id=user.pk,
            is_superuser=user.is_superuser,
            grants=tuple(Grant(*row) for row in rows),
        )

    # --- questions ----------------------------------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    def perms_in(self, organisation_id: int) -> frozenset[str]:
        perms: set[str] = set()
        for grant in self.grants:
            if grant.organisation_id == organisation_id:
                perms |= ROLE_PERMS[grant.role]
        return frozenset(perms)

    def has_perm(self, perm: str, organisation_id: int) -> bool:
        return self.is_superuser or perm in self.perms_in(organisation_id)

    def organisation_ids(self, perm: str = Perm.VIEW) -> frozenset[int]:
        return frozenset(g.organisation_id for g in self.grants if perm in ROLE_PERMS[g.role])

    def region_ids(self, perm: str = Perm.VIEW) -> frozenset[int]:
        """Regions this user acts for as staff of a regional authority."""
        return frozenset(
            g.region_id
            for g in self.grants
            if g.organisation_kind == OrganisationKind.REGION and g.region_id and perm in ROLE_PERMS[g.role]
        )

    def municipality_ids(self, perm: str = Perm.VIEW) -> frozenset[int]:
        """Municipalities this user acts for as staff of a municipality's office."""
        return frozenset(
            g.municipality_id
            for g in self.grants
            if g.organisation_kind == OrganisationKind.MUNICIPALITY and g.municipality_id and perm in ROLE_PERMS[g.role]
        )

    def territory_condition(self, perm: str = Perm.VIEW, *, region_field: str, municipality_field: str) -> Q | None:
        """The one rule of "in my territory": a row whose region is one the user's regional authority governs,
        or whose municipality is one the user's municipal office acts for (``None``: everything, a superuser;
        ``Q(pk__in=[])``: nothing). Services, facilities, networks and ORP rows all ask this, with their fields
        – e.g. for a service ``facilities__region`` / ``facilities__municipality``."""
        if self.is_superuser:
            return None
        condition = Q(pk__in=[])
        regions = self.region_ids(perm)
        municipalities = self.municipality_ids(perm)
        if regions:
            condition |= Q(**{f"{region_field}__in": regions})
        if municipalities:
            condition |= Q(**{f"{municipality_field}__in": municipalities})
        return condition

    def roles(self) -> frozenset[str]:
        return frozenset(g.role for g in self.grants)

    def kinds(self) -> frozenset[str]:
        return frozenset(g.organisation_kind for g in self.grants)

    # --- filtering ----------------------------------------------------------------------------
    def filter_owned(self, qs: QuerySet, *, org_field: str = "organisation", perm: str = Perm.VIEW) -> QuerySet:
        """Rows owned by one of the user's organisations (all rows for a superuser)."""
        if self.is_superuser:
            return qs
        return qs.filter(**{f"{org_field}__in": self.organisation_ids(perm)})

    def owned_or_in_region(
        self, qs: QuerySet, *, org_field: str = "organisation", region_field: str, perm: str = Perm.VIEW
    ) -> QuerySet:
        """Rows owned by the user's organisations, or lying in a region the user manages."""
        if self.is_superuser:
            return qs
        condition = Q(**{f"{org_field}__in": self.organisation_ids(perm)}) | Q(
            **{f"{region_field}__in": self.region_ids(perm)}
        )
        return qs.filter(condition)


def get_scope(request: HttpRequest) -> Scope:
    """The request user's scope, computed once per request."""
    scope = getattr(request, "_qmss_scope", None)
    if scope is None:
        scope = Scope.for_user(getattr(request, "user", None))
        request._qmss_scope = scope
    return scope


def get_object_or_404_scoped(qs: QuerySet, **lookup):
    """Fetch one row from an already scoped queryset; a row outside the scope is simply not found."""
    try:
        return qs.get(**lookup)
    except (qs.model.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc
