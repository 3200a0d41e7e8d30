from django.urls import path

from qmss.network import views_networks

urlpatterns = [
    path("", views_networks.index, name="index"),
]
