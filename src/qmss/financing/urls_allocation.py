"""URLs of the allocation part (``/financovani/rozdeleni/``)."""

from django.urls import path

from qmss.financing import views_allocation as views

urlpatterns = [
    path("<int:programme_pk>/", views.allocation_view, name="allocation"),
    path("<int:programme_pk>/export.xlsx", views.allocation_export_view, name="allocation_export"),
]
