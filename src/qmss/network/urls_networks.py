"""URLs of the networks part (under /sit/): the index, a network, its tiers, entries, versions, diff, annex and
brief. Parameter names as in the shared spec."""

from django.urls import path

from qmss.network import views_manage_networks as manage
from qmss.network import views_networks as views

urlpatterns = [
    path("", views.index, name="index"),
    path("nova/", manage.network_new, name="network_new"),
    path("<int:network_pk>/", views.network_detail, name="network"),
    path("<int:network_pk>/upravit/", manage.network_edit, name="network_edit"),
    path("<int:network_pk>/urovne/", manage.tiers, name="tiers"),
    path("<int:network_pk>/polozky/nova/", manage.entry_add, name="entry_add"),
    path("<int:network_pk>/polozky/<int:entry_pk>/", manage.entry_edit, name="entry_edit"),
    path("<int:network_pk>/verze/", views.versions, name="versions"),
    path("<int:network_pk>/verze/rozdil/", views.diff, name="diff"),
    path("<int:network_pk>/priloha.<str:fmt>", views.annex, name="annex"),
    path("<int:network_pk>/zadani/", views.brief, name="brief"),
    path("<int:network_pk>/zadani/<int:brief_item_pk>/", manage.brief_item_edit, name="brief_item_edit"),
]
