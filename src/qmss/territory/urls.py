from django.urls import path

from qmss.territory import views

app_name = "territory"

urlpatterns = [
    path("", views.index, name="index"),
    path("hledat/", views.search, name="search"),
    path("kraj/<str:region_code>/", views.region_detail, name="region"),
    path("orp/<int:orp_code>/", views.orp_detail, name="orp"),
    path("obec/<str:municipality_code>/", views.municipality_detail, name="municipality"),
]
