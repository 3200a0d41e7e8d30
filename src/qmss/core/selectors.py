"""Reads of organisations, members, invitations and the audit log – all scoped."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch, Q, QuerySet

from qmss.core import confidential
from qmss.core.collation import czech_sorted
from qmss.core.models import Invitation, Membership, Organisation
from qmss.core.roles import Perm
from qmss.core.scoping import Scope, get_object_or_404_scoped


def visible_organisations(scope: Scope) -> QuerySet[Organisation]:
    """Organisations the user belongs to (all for a superuser)."""
    qs = Organisation.objects.select_related("region", "municipality")
    if scope.is_superuser:
        return qs
    return qs.filter(pk__in=scope.organisation_ids(Perm.VIEW))


def organisation_list(scope: Scope) -> list[Organisation]:
    """The user's organisations in Czech alphabetical order of their names."""
    rows = visible_organisations(scope).annotate(member_count=Count("memberships__user", distinct=True)).order_by("pk")
    return czech_sorted(rows, "name")


def get_organisation(scope: Scope, organisation_pk: int) -> Organisation:
    return get_object_or_404_scoped(visible_organisations(scope), pk=organisation_pk)


def organisation_members(organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username", "role")
    )


def members_in_order(organisation: Organisation) -> list[Membership]:
    """The organisation's members in Czech alphabetical order of surname, first name and user name."""
    return czech_sorted(
        organisation_members(organisation),
        key=lambda m: f"{m.user.last_name}\t{m.user.first_name}\t{m.user.username}\t{m.role}",
    )


def open_invitations(organisation: Organisation) -> QuerySet[Invitation]:
    from django.utils import timezone

    return (
        Invitation.objects.filter(
            organisation=organisation,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("invited_by")
        .order_by("-created_at")
    )


def get_membership(scope: Scope, organisation: Organisation, membership_pk: int) -> Membership:
    return get_object_or_404_scoped(organisation_members(organisation), pk=membership_pk)


def user_memberships(user) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organisation", "organisation__region")


def invitation_by_token(token: str) -> Invitation | None:
    return Invitation.objects.select_related("organisation").filter(token=token).first()


# --- audit log -------------------------------------------------------------------------------------------


def _log_entries() -> QuerySet[LogEntry]:
    return LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-pk")


def organisation_log(scope: Scope, organisation: Organisation) -> QuerySet[LogEntry]:
    """Every recorded change to data owned by ``organisation`` – for its administrators – except entries about
    objects they may not see (declared confidential, see :mod:`qmss.core.confidential`). Show the entries through
    :func:`qmss.core.history.redacted_entries`, which hides confidential fields."""
    if not scope.has_perm(Perm.VIEW_AUDIT_LOG, organisation.pk):
        return LogEntry.objects.none()
    org_ct = ContentType.objects.get_for_model(Organisation)
    entries = _log_entries().filter(
        Q(additional_data__organisation_id=organisation.pk) | Q(content_type=org_ct, object_id=organisation.pk)
    )
    return confidential.filter_log(scope, entries)


def object_history(obj) -> QuerySet[LogEntry]:
    """Change history of one object (callers check that the user may see the object)."""
    return _log_entries().filter(content_type=ContentType.objects.get_for_model(obj.__class__), object_pk=str(obj.pk))


def memberships_with_orgs(scope: Scope) -> QuerySet[Membership]:
    if not scope.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user_id=scope.user_id).select_related("organisation", "organisation__region")


def prefetch_members() -> Prefetch:
    return Prefetch("memberships", queryset=Membership.objects.select_related("user"))


def visible_memberships(scope: Scope) -> QuerySet[Membership]:
    qs = Membership.objects.select_related("organisation", "user")
    if scope.is_superuser:
        return qs
    return qs.filter(organisation_id__in=scope.organisation_ids(Perm.VIEW))
