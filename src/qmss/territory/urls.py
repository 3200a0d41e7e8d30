from django.urls import path

from qmss.territory import views

app_name = "territory"

urlpatterns = [
    path("", views.index, name="index"),
]
