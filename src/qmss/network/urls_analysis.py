from django.urls import path

from qmss.network import views_analysis

urlpatterns = [
    path("", views_analysis.index, name="analysis"),
    path("<str:region_code>/", views_analysis.region, name="analysis_region"),
    path("<str:region_code>/export.xlsx", views_analysis.export, name="analysis_export"),
]
