"""URLs of the compensation part under /financovani/vyrovnavaci-platby/."""

from django.urls import path

from qmss.financing import views_compensation as views

urlpatterns = [
    path("<int:programme_pk>/", views.table, name="compensation"),
    path("<int:programme_pk>/vypocitat/", views.compute, name="compensation_compute"),
    path("<int:programme_pk>/schvalit/", views.approve, name="compensation_approve"),
    path("<int:programme_pk>/export.xlsx", views.export, name="compensation_export"),
    path("radek/<int:line_pk>/", views.line, name="compensation_line"),
]
