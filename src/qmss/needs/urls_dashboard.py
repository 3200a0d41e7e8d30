"""The region evaluation dashboard under /potreby/vyhodnoceni/."""

from django.urls import path

from qmss.needs import views_dashboard

urlpatterns = [
    path("", views_dashboard.dashboard_view, name="dashboard"),
    path("export.xlsx", views_dashboard.dashboard_export, name="dashboard_export"),
]
