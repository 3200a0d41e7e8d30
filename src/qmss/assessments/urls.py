from django.urls import path

from qmss.assessments import (
    views_assessments,
    views_entry,
    views_evidence,
    views_insight,
    views_results,
    views_services,
)

app_name = "assessments"

urlpatterns = [
    path("", views_assessments.assessment_list, name="list"),
    path("nove/", views_assessments.assessment_create, name="create"),
    path("prirazeni-auditu/", views_assessments.assign_audit, name="assign_audit"),
    path("<int:assessment_pk>/", views_assessments.assessment_detail, name="detail"),
    path("<int:assessment_pk>/upravit/", views_assessments.assessment_edit, name="edit"),
    path("<int:assessment_pk>/stav/", views_assessments.assessment_transition, name="transition"),
    path("<int:assessment_pk>/zverejnit/", views_assessments.publish_confirm, name="publish"),
    path("<int:assessment_pk>/vratit/", views_assessments.send_back_confirm, name="send_back"),
    path("<int:assessment_pk>/auditor/", views_assessments.invite_auditor, name="invite_auditor"),
    path("<int:assessment_pk>/verze-ramce/", views_assessments.move_framework, name="move_framework"),
    path("<int:assessment_pk>/zprava.pdf", views_assessments.report_pdf, name="report_pdf"),
    path("<int:assessment_pk>/zprava.xlsx", views_assessments.report_xlsx, name="report_xlsx"),
    path("<int:assessment_pk>/zadani/", views_entry.entry_page, name="entry"),
    path("<int:assessment_pk>/kriterium/<int:requirement_pk>/", views_results.result_edit, name="result_edit"),
    path("<int:assessment_pk>/kriterium/<int:requirement_pk>/zjisteni/", views_results.finding_add, name="finding_add"),
    path("<int:assessment_pk>/zjisteni/<int:finding_pk>/", views_results.finding_edit, name="finding_edit"),
    path("<int:assessment_pk>/zjisteni/<int:finding_pk>/smazat/", views_results.finding_delete, name="finding_delete"),
    path("doklady/organizace/<int:organisation_pk>/", views_evidence.evidence_library, name="evidence_library"),
    path("doklady/<int:evidence_pk>/", views_evidence.evidence_detail, name="evidence_detail"),
    path(
        "doklady/<int:evidence_pk>/verze/<int:version_pk>/soubor/", views_evidence.evidence_file, name="evidence_file"
    ),
    path("sluzba/<int:service_portal_id>/tri-pohledy/", views_insight.service_lenses, name="lenses"),
    path("sluzba/<int:service_portal_id>/", views_services.service_workspace, name="service_workspace"),
    path(
        "organizace/<int:organisation_pk>/sluzby/", views_services.organisation_services, name="organisation_services"
    ),
    path("pripravenost/<int:organisation_pk>/", views_insight.organisation_readiness, name="readiness"),
]
