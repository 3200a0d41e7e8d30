from django.urls import path

from qmss.financing import views_reference

urlpatterns = [
    path("", views_reference.reference_sets, name="reference_sets"),
    path("sablona.xlsx", views_reference.reference_template, name="reference_template"),
    path("import/", views_reference.reference_import, name="reference_import"),
    path("<int:reference_set_pk>/", views_reference.reference_set, name="reference_set"),
    path("<int:reference_set_pk>/export.xlsx", views_reference.reference_export, name="reference_export"),
]
