"""Open data of the portal: the open-data page, HSDS 3.0 JSON, CSV, sitemap.xml and robots.txt."""

from django.urls import path

from qmss.portal import views_open_data as views

urlpatterns = [
    path("otevrena-data/", views.open_data_page, name="open_data"),
    path("otevrena-data/hsds.json", views.hsds_json, name="hsds_json"),
    path("otevrena-data/hsds/sluzby/<int:service_portal_id>.json", views.hsds_service, name="hsds_service"),
    path("otevrena-data/sluzby.csv", views.catalogue_csv, name="catalogue_csv"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("robots.txt", views.robots, name="robots"),
]
