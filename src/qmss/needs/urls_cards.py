"""Kind cards under /potreby/karty-druhu/ (names ``needs:card_*``)."""

from django.urls import path

from qmss.needs import views_cards as views

urlpatterns = [
    path("", views.card_index, name="card_index"),
    path("novy/", views.card_create, name="card_create"),
    path("<int:kind_card_pk>/", views.card_detail, name="card_detail"),
    path("<int:kind_card_pk>/upravit/", views.card_edit, name="card_edit"),
    path("<int:kind_card_pk>/konzultace/", views.consultation_open, name="card_consultation_open"),
    path("<int:kind_card_pk>/zverejnit/", views.card_publish, name="card_publish"),
    path("konzultace/<int:consultation_pk>/jednani/", views.meeting_create, name="card_meeting_create"),
    path("konzultace/<int:consultation_pk>/pripominka/", views.comment_create, name="card_comment_create"),
    path("pripominky/<int:comment_pk>/vyporadat/", views.comment_settle, name="card_comment_settle"),
    path("verejne/<str:region_code>/", views.public_region, name="card_public_region"),
    path("verejne/<str:region_code>/<str:card_kind_code>/", views.public_card, name="card_public"),
]
