"""URLs of the standards part under /financovani/standardy/ (names and parameters as in the spec)."""

from django.urls import path

from qmss.financing import views_standards as views

urlpatterns = [
    path("", views.standards, name="standards"),
    path("sluzba/<int:service_portal_id>/", views.service_standards, name="service_standards"),
    path("sluzba/<int:service_portal_id>/pozice/nova/", views.position_add, name="position_add"),
    path("pozice/<int:position_pk>/", views.position_edit, name="position_edit"),
    path("pozice/<int:position_pk>/smazat/", views.position_delete, name="position_delete"),
    path("sluzba/<int:service_portal_id>/budovy/nova/", views.building_add, name="building_add"),
    path("budovy/<int:building_pk>/", views.building_edit, name="building_edit"),
    path("budovy/<int:building_pk>/smazat/", views.building_delete, name="building_delete"),
    path("budovy/<int:building_pk>/domacnosti/nova/", views.household_add, name="household_add"),
    path("domacnosti/<int:household_pk>/", views.household_edit, name="household_edit"),
    path("domacnosti/<int:household_pk>/smazat/", views.household_delete, name="household_delete"),
    path("domacnosti/<int:household_pk>/pokoje/novy/", views.room_add, name="room_add"),
    path("pokoje/<int:room_pk>/", views.room_edit, name="room_edit"),
    path("pokoje/<int:room_pk>/smazat/", views.room_delete, name="room_delete"),
]
