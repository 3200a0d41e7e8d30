from django.contrib import admin

from qmss.assessments.models import Assessment, Evidence, EvidenceVersion, Finding, Result


class ResultInline(admin.TabularInline):
    model = Result
    extra = 0
    raw_id_fields = ("requirement", "value", "updated_by")
    filter_horizontal = ("evidence",)


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "state", "organisation", "service", "framework", "created_at")
    list_filter = ("kind", "state")
    search_fields = ("title", "organisation__name", "service__name")
    raw_id_fields = ("organisation", "service", "framework", "auditing_organisation", "assigned_by", "created_by")
    inlines = [ResultInline]


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "deadline", "created_at")
    list_filter = ("kind",)
    raw_id_fields = ("result", "created_by")


class EvidenceVersionInline(admin.TabularInline):
    model = EvidenceVersion
    extra = 0
    # The file itself is served only by the permission-checked download view, never linked from here.
    fields = readonly_fields = (
        "number",
        "original_name",
        "size",
        "content_type",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    )
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ("title", "organisation", "kind", "expires_on")
    list_filter = ("kind",)
    search_fields = ("title", "organisation__name")
    raw_id_fields = ("organisation", "created_by")
    inlines = [EvidenceVersionInline]
