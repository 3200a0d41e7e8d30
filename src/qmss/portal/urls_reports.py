"""URLs of the reports part (names in the namespace ``portal``; paths and parameters as in the shared spec)."""

from django.urls import path

from qmss.portal import views_reports as views

urlpatterns = [
    path("neregistrovane-sluzby/", views.unregistered, name="unregistered"),
    path("neregistrovane-sluzby/podnet/", views.report_new, name="report_new"),
    path("neregistrovane-sluzby/podnet/odeslano/", views.report_sent, name="report_sent"),
    path("podnety/", views.report_list, name="reports"),
    path("podnety/<int:report_pk>/", views.report_detail, name="report"),
    path("podnety/<int:report_pk>/stav/", views.report_transition, name="report_transition"),
]
