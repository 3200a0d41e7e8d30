"""XLSX templates of a data-collection round (under /potreby/sber/)."""

from django.urls import path

from qmss.needs import views_xlsx

urlpatterns = [
    path("<int:round_pk>/xlsx/", views_xlsx.xlsx_round, name="xlsx_round"),
    path("<int:round_pk>/xlsx/stahnout/", views_xlsx.xlsx_download, name="xlsx_download"),
]
