from django.urls import path

from qmss.improvement import views_plans, views_processes, views_region

app_name = "improvement"

urlpatterns = [
    path("", views_processes.index, name="index"),
    path("region/", views_region.region_view, name="region"),
    # process map
    path("organizace/<int:organisation_pk>/procesy/", views_processes.process_list, name="process_list"),
    path("organizace/<int:organisation_pk>/procesy/novy/", views_processes.process_create, name="process_create"),
    path("organizace/<int:organisation_pk>/procesy/sablona/", views_processes.template_copy, name="template_copy"),
    path("organizace/<int:organisation_pk>/mapa/", views_processes.process_map, name="process_map"),
    path("organizace/<int:organisation_pk>/mapa/tisk/", views_processes.process_map_print, name="process_map_print"),
    path("organizace/<int:organisation_pk>/mapa.svg", views_processes.process_map_svg, name="process_map_svg"),
    path("procesy/<int:process_pk>/", views_processes.process_detail, name="process_detail"),
    path("procesy/<int:process_pk>/upravit/", views_processes.process_edit, name="process_edit"),
    path("procesy/<int:process_pk>/smazat/", views_processes.process_delete, name="process_delete"),
    path("procesy/<int:process_pk>/ukazatele/novy/", views_processes.kpi_create, name="kpi_create"),
    path("ukazatele/<int:kpi_pk>/mereni/", views_processes.measurement_create, name="measurement_create"),
    # development plans
    path("organizace/<int:organisation_pk>/plany/", views_plans.plan_list, name="plan_list"),
    path("organizace/<int:organisation_pk>/plany/novy/", views_plans.plan_create, name="plan_create"),
    path("organizace/<int:organisation_pk>/plany/z-hodnoceni/", views_plans.plan_draft, name="plan_draft"),
    path("plany/<int:plan_pk>/", views_plans.plan_detail, name="plan_detail"),
    path("plany/<int:plan_pk>/upravit/", views_plans.plan_edit, name="plan_edit"),
    path("plany/<int:plan_pk>/casova-osa/", views_plans.plan_timeline, name="plan_timeline"),
    path("plany/<int:plan_pk>/export.xlsx", views_plans.plan_xlsx, name="plan_xlsx"),
    path("plany/<int:plan_pk>/export.pdf", views_plans.plan_pdf, name="plan_pdf"),
    path("plany/<int:plan_pk>/opatreni/nove/", views_plans.action_create, name="action_create"),
    path("opatreni/<int:action_pk>/", views_plans.action_detail, name="action_detail"),
    path("opatreni/<int:action_pk>/upravit/", views_plans.action_edit, name="action_edit"),
    path("opatreni/<int:action_pk>/stav/", views_plans.action_status, name="action_status"),
    path("opatreni/<int:action_pk>/hodnoceni-ucinnosti/", views_plans.action_review, name="action_review"),
]
