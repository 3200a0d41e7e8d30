"""URLs of the taxonomy part: the app index, the needs taxonomy, the collection template, library versions."""

from django.urls import path

from qmss.needs import views_taxonomy as views

urlpatterns = [
    path("", views.index, name="index"),
    path("potreby/", views.taxonomy, name="taxonomy"),
    path("sablona/", views.template_detail, name="template_detail"),
    path("knihovny/", views.library_list, name="library_list"),
    path("knihovny/<str:library_kind>/<int:library_pk>/zverejnit/", views.library_publish, name="library_publish"),
]
