from django.urls import path

from qmss.frameworks import views

app_name = "frameworks"

urlpatterns = [
    path("", views.framework_list, name="list"),
    path("<int:framework_pk>/", views.framework_detail, name="detail"),
    path("<int:framework_pk>/prijeti-pravidel/", views.adopt_rules, name="adopt_rules"),
]
