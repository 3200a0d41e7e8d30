"""What-if and scenarios under /sit/co-kdyby/."""

from django.urls import path

from qmss.network import views_whatif

urlpatterns = [
    path("<int:network_pk>/", views_whatif.whatif_view, name="whatif"),
    path("<int:network_pk>/ulozit/", views_whatif.scenario_save_view, name="scenario_save"),
    path("<int:network_pk>/scenare/", views_whatif.scenarios_view, name="scenarios"),
    path("<int:network_pk>/srovnani/", views_whatif.scenario_compare_view, name="scenario_compare"),
    path("scenar/<int:scenario_pk>/", views_whatif.scenario_view, name="scenario"),
    path("scenar/<int:scenario_pk>/smazat/", views_whatif.scenario_delete_view, name="scenario_delete"),
]
