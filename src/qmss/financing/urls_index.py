"""URLs of the financing hub (``/financovani/``)."""

from django.urls import path

from qmss.financing import views_index as views

urlpatterns = [
    path("", views.index, name="index"),
]
