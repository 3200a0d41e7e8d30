from django.contrib import admin

from qmss.improvement.models import Action, ActionReminder, DevelopmentPlan, Kpi, KpiMeasurement, Process


class KpiInline(admin.TabularInline):
    model = Kpi
    extra = 0


@admin.register(Process)
class ProcessAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "organisation", "parent", "owner", "order")
    list_filter = ("kind",)
    search_fields = ("name", "code", "organisation__name")
    raw_id_fields = ("organisation", "parent", "owner", "services", "evidence", "requirements")
    inlines = [KpiInline]


@admin.register(KpiMeasurement)
class KpiMeasurementAdmin(admin.ModelAdmin):
    list_display = ("kpi", "date", "value", "source")
    raw_id_fields = ("kpi", "created_by")


class ActionInline(admin.TabularInline):
    model = Action
    extra = 0
    fields = ("title", "status", "priority", "owner", "deadline")
    raw_id_fields = ("owner",)


@admin.register(DevelopmentPlan)
class DevelopmentPlanAdmin(admin.ModelAdmin):
    list_display = ("title", "organisation", "service", "state", "period_start", "period_end")
    list_filter = ("state",)
    search_fields = ("title", "organisation__name")
    raw_id_fields = ("organisation", "service", "source_assessment", "created_by")
    inlines = [ActionInline]


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ("title", "plan", "status", "priority", "owner", "deadline")
    list_filter = ("status", "priority", "origin")
    search_fields = ("title", "plan__title")
    raw_id_fields = (
        "plan", "owner", "findings", "requirements", "target_requirement", "target_kpi", "reviewed_by",
    )  # fmt: skip


@admin.register(ActionReminder)
class ActionReminderAdmin(admin.ModelAdmin):
    list_display = ("user", "sent_on", "action_count")
    raw_id_fields = ("user",)
