"""The service part's public URLs (mounted at the site root by ``portal.urls``)."""

from django.urls import path

from qmss.portal import views_service

urlpatterns = [
    path("sluzby/<int:service_portal_id>/", views_service.service_page, name="service"),
    path("sluzby/<int:service_portal_id>/snadne-cteni/", views_service.service_easy, name="service_easy"),
    path("druhy-sluzeb/", views_service.kinds_page, name="kinds"),
    path("druhy-sluzeb/<str:kind_code>/", views_service.kind_page, name="kind"),
    path("prava-klienta/", views_service.rights_page, name="rights"),
]
