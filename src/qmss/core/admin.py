from django.conf import settings
from django.contrib import admin

from qmss.core.models import Invitation, Membership, Organisation


def _superuser_only(request) -> bool:
    user = request.user
    if not (user.is_active and user.is_superuser):
        return False
    # The second factor is required of superusers: unverified, the admin is closed (besides the middleware).
    return user.is_verified() if settings.QMSS_REQUIRE_2FA and hasattr(user, "is_verified") else True


# Django admin is for superusers only, with a verified second factor; everyone else works through the
# application's pages.
admin.site.has_permission = _superuser_only


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "ico", "region", "is_demo"]
    list_filter = ["kind", "region", "is_demo"]
    search_fields = ["name", "ico"]
    raw_id_fields = ["municipality"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["role", "organisation__kind"]
    search_fields = ["user__username", "user__email", "organisation__name"]
    raw_id_fields = ["user", "organisation"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["role"]
    search_fields = ["email", "organisation__name"]
    raw_id_fields = ["organisation", "invited_by", "accepted_by"]
