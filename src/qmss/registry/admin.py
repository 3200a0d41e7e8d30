"""Admin views of the registry mirror: read-only, because only the registry import writes these rows."""

from django.contrib import admin

from qmss.registry.models import Capacity, Facility, Provider, RegistryChange, RegistryImport, Service, ServiceForm


class ReadOnlyMixin:
    """Browse and search only; the import is the single writer (keyed by the registry's ids)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ServiceFormInline(ReadOnlyMixin, admin.TabularInline):
    model = ServiceForm
    extra = 0
    fields = ["form", "form_code", "continuous"]


class FacilityInline(ReadOnlyMixin, admin.TabularInline):
    model = Facility
    extra = 0
    fields = ["position", "name", "street", "house_number", "municipality_code", "region", "secret_address"]
    show_change_link = True


@admin.register(Provider)
class ProviderAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "ico", "legal_form"]
    search_fields = ["name", "search_name", "ico"]


@admin.register(Service)
class ServiceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["portal_id", "identifier", "name", "kind", "provider", "date_from", "date_to"]
    list_filter = ["kind"]
    search_fields = ["name", "identifier", "portal_id", "provider__name", "provider__ico"]
    list_select_related = ["kind", "provider"]
    exclude = ["snapshot"]
    inlines = [ServiceFormInline, FacilityInline]


@admin.register(Capacity)
class CapacityAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["service_form", "capacity_type", "count"]
    list_select_related = ["service_form__form", "capacity_type"]
    search_fields = ["service_form__service__name", "service_form__service__portal_id"]


@admin.register(Facility)
class FacilityAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "service", "municipality", "region", "secret_address"]
    list_select_related = ["service", "municipality", "region"]
    search_fields = ["name", "service__name", "service__portal_id", "municipality_code"]


@admin.register(RegistryImport)
class RegistryImportAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "status", "dry_run", "source", "user", "processed_records", "finished_at"]
    list_filter = ["status", "dry_run"]


@admin.register(RegistryChange)
class RegistryChangeAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["registry_import", "portal_id", "kind", "field"]
    list_filter = ["kind"]
    search_fields = ["portal_id", "field"]
    list_select_related = ["registry_import"]


try:  # the reference-data admin lives in its own module
    import qmss.registry.admin_reference  # noqa: F401
except ModuleNotFoundError as exc:
    if exc.name != "qmss.registry.admin_reference":
        raise
