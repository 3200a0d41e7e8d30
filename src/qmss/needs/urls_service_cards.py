"""Service cards (karta služby) and the minimum form of a kind, under /potreby/karty-sluzeb/."""

from django.urls import path

from qmss.needs import views_service_cards as views

urlpatterns = [
    path("", views.index, name="service_card_index"),
    path("organizace/<int:organisation_pk>/", views.card_list, name="service_card_list"),
    path("organizace/<int:organisation_pk>/nova/", views.card_create, name="service_card_create"),
    path("karta/<int:service_card_pk>/", views.card_detail, name="service_card_detail"),
    path("minimalni-podoba/", views.minimum_index, name="minimum_index"),
    path("minimalni-podoba/<str:region_code>/druh/<str:minimum_kind_code>/", views.minimum_kind, name="minimum_kind"),
    path("minimalni-podoba/<str:region_code>/prehled/", views.minimum_report, name="minimum_report"),
    path("minimalni-podoba/<str:region_code>/prehled.xlsx", views.minimum_report_xlsx, name="minimum_report_xlsx"),
]
