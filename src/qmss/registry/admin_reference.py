"""Django admin for the registry's reference data – read-only: it is loaded from YAML by ``qmss load_reference``.

Imported by ``qmss.registry.admin``; editing happens in ``libraries/registry/*.yaml``, never here.
"""

from django.contrib import admin

from qmss.registry.models import (
    AgeGroup,
    BasicActivity,
    CapacityType,
    DeliveryForm,
    ReferenceLibrary,
    ServiceKind,
    TargetGroup,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable, never added, changed or deleted by hand (the YAML libraries are the source of truth)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReferenceItemAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "valid_from", "valid_to", "verified"]
    list_filter = ["verified"]
    search_fields = ["code", "name"]


@admin.register(ReferenceLibrary)
class ReferenceLibraryAdmin(ReadOnlyAdmin):
    list_display = ["urn", "title", "version", "valid_from", "valid_to", "loaded_at"]
    search_fields = ["urn", "title"]


@admin.register(DeliveryForm)
class DeliveryFormAdmin(ReferenceItemAdmin):
    list_display = ["code", "name", "key", "valid_from", "valid_to", "verified"]


@admin.register(CapacityType)
class CapacityTypeAdmin(ReferenceItemAdmin):
    list_display = ["code", "name", "unit", "valid_from", "valid_to", "verified"]


@admin.register(BasicActivity)
class BasicActivityAdmin(ReferenceItemAdmin):
    pass


@admin.register(ServiceKind)
class ServiceKindAdmin(ReferenceItemAdmin):
    list_display = ["code", "section", "name", "category", "legacy_registry_id", "valid_from", "valid_to", "verified"]
    list_filter = ["category", "verified"]


@admin.register(TargetGroup)
class TargetGroupAdmin(ReferenceItemAdmin):
    pass


@admin.register(AgeGroup)
class AgeGroupAdmin(ReferenceItemAdmin):
    list_display = ["code", "name", "age_from", "age_to", "valid_from", "valid_to", "verified"]
